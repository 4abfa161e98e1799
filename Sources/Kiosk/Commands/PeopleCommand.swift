import ArgumentParser
import Foundation
import Store

struct PeopleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people",
        abstract: "List enrolled people with their visit count, last visit and preferences.",
        discussion: "--since/--until filter on the last visit. Example: kiosk people --format json"
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var list: ListOptions

    func run() async throws {
        let database = try global.openStore()
        let people: [PersonSummary]
        do { people = try database.people(list.filter, limit: nil, offset: 0) } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
        switch list.format {
        case .json:
            struct Row: Encodable {
                let id: Int64; let name: String; let enrolled: String; let visits: Int; let last_visit: String?
                let preferences: [String: String]; let consent_version: String?
            }
            print(try jsonText(people.map {
                Row(id: $0.id, name: $0.name, enrolled: DateText.iso($0.createdAt), visits: $0.visitCount,
                    last_visit: $0.lastVisit.map(DateText.iso), preferences: $0.preferences, consent_version: $0.consentVersion)
            }))
        case .csv:
            printRaw(CSVExport.people(people))
        case .table:
            if people.isEmpty { print("Nobody enrolled."); return }
            var table = TextTable(headers: ["ID", "NAME", "VISITS", "LAST VISIT", "PREFERENCES"])
            for p in people {
                table.add([String(p.id), p.name, String(p.visitCount), p.lastVisit.map(DateText.local) ?? "never", CSVExport.preferenceText(p)])
            }
            print(table.render())
        }
    }
}
