import ArgumentParser
import DeskCore
import Foundation
import Store

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The staff audit log: PIN failures and lockouts, staff view opened and closed, exports, edits, erasures, PIN changes, purges.",
        discussion: "Newest first. An erasure is listed with the person's id only: their data is gone."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    @Option(help: "At most this many events (newest first).")
    var limit = 200

    func run() async throws {
        let store = try global.openStore()
        let events: [AuditEvent]
        do { events = try store.auditEvents(limit: limit, offset: 0) } catch {
            throw KioskError.runtime("\(error)")
        }
        switch format {
        case .json:
            print(try jsonText(events.map { ["time": DateText.iso($0.time), "kiosk": $0.kioskId, "event": $0.kind, "detail": $0.detail] }))
        case .csv:
            print(CSV.document(headers: ["time", "kiosk", "event", "detail"],
                               rows: events.map { [DateText.iso($0.time), $0.kioskId, $0.kind, $0.detail] }), terminator: "")
        case .table:
            if events.isEmpty { print("No staff events."); return }
            var table = TextTable(headers: ["TIME", "KIOSK", "EVENT", "DETAIL"])
            for e in events { table.add([DateText.local(e.time), e.kioskId, e.kind, e.detail]) }
            print(table.render())
        }
    }
}
