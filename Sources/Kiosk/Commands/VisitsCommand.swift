import ArgumentParser
import Foundation
import Store

struct VisitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visits",
        abstract: "List the visit log, newest first.",
        discussion: "Example: kiosk visits --since 7d --person priya --format csv > visits.csv"
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var list: ListOptions

    @Option(help: "Show at most this many visits.")
    var limit: Int?

    func run() async throws {
        let database = try global.openStore()
        let visits: [VisitEntry]
        do { visits = try database.visits(list.filter, limit: limit, offset: 0) } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
        switch list.format {
        case .json:
            struct Row: Encodable { let id: Int64; let person_id: Int64; let name: String; let time: String; let kiosk: String; let distance: Double? }
            print(try jsonText(visits.map { Row(id: $0.id, person_id: $0.personId, name: $0.name, time: DateText.iso($0.time), kiosk: $0.kioskId, distance: $0.distance) }))
        case .csv:
            printRaw(CSVExport.visits(visits))
        case .table:
            if visits.isEmpty { print("No visits."); return }
            var table = TextTable(headers: ["TIME", "NAME", "ID", "KIOSK", "DISTANCE"])
            for v in visits {
                table.add([DateText.local(v.time), v.name, String(v.personId), v.kioskId, v.distance.map { String(format: "%.3f", $0) } ?? "enrolled"])
            }
            print(table.render())
        }
    }
}

/// Prints text exactly, without adding a newline.
func printRaw(_ text: String) {
    print(text, terminator: "")
}
