import ArgumentParser
import DeskCore
import Foundation
import Store
import Vision

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Apply the retention policy: erase people not seen for retention.days days.",
        discussion: """
            A person's last visit (or enrollment, if never seen since) decides. Erasure is \
            complete, as with forget. retention.days = 0 keeps everyone. Suited to a daily \
            cron job.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only list who would be erased.")
    var dryRun = false

    func run() async throws {
        let config = try global.loadConfig()
        guard config.retentionDays > 0 else {
            print("retention.days is 0: nobody is erased.")
            return
        }
        let database = try global.openStore()
        let cutoff = Date().addingTimeInterval(-Double(config.retentionDays) * 86_400)
        do {
            if dryRun {
                let stale = try database.people(ListFilter(), limit: nil, offset: 0).filter { ($0.lastVisit ?? $0.createdAt) < cutoff }
                print((stale.isEmpty ? "Nobody to erase." : "Would erase \(stale.count): " + stale.map(\.name).joined(separator: ", ")).terminalSafe)
                return
            }
            let erased = try database.purge(notSeenSince: cutoff)
            if !erased.isEmpty {
                global.audit(database, "people purged", detail: "\(erased.count) not seen for \(config.retentionDays) days")
                // Queued visits of the erased hold their faces: they go too.
                _ = try? global.pendingVisits(for: database).remove { visit in
                    // Only when the person is surely gone: a read error keeps the visit.
                    do { return try database.galleryEntry(personId: visit.personId, model: ModelFiles.embeddingModelID) == nil } catch { return false }
                }
            }
            print((erased.isEmpty ? "Nobody to erase (retention \(config.retentionDays) days)."
                  : "Erased \(erased.count) not seen for \(config.retentionDays) days: " + erased.joined(separator: ", ")).terminalSafe)
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
