import ArgumentParser
import Foundation
import ServerStore
import Store

struct DbCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every person, template, thumbnail, visit, setting and audit event from one database to another.",
        discussion: """
            Each of --from and --to is an SQLite file or a postgres:// URL: a desk's file moves \
            to a shared server, and back. Ids, visit history, consent records, the staff PIN and \
            the audit log are kept. A target that holds data is refused unless --force, which \
            replaces all of it. A server target is migrated first. Stop the desks on the source \
            while copying, or visits made meanwhile stay behind. \
            Example: kiosk db copy --from ~/.local/share/kiosk/kiosk.sqlite --to postgres://kiosk_owner@db.lan/kiosk
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The database to copy from: a file or a postgres:// URL.", valueName: "path-or-url"),
            completion: .file())
    var from: String

    @Option(help: ArgumentHelp("The database to copy into: a file or a postgres:// URL.", valueName: "path-or-url"),
            completion: .file())
    var to: String

    @Flag(help: "Replace whatever the target holds.")
    var force = false

    func run() async throws {
        let source = try open(from, creating: false)
        let target = try open(to, creating: true)
        do {
            let snapshot = try source.snapshot()
            if !force, try !target.isEmpty() {
                throw KioskError(exitCode: 1, "\(to) already holds visitor data: nothing was copied (add --force to replace it)")
            }
            try target.restore(snapshot)
            print("copied \(snapshot.summary) from \(describe(from)) to \(describe(to))")
        } catch let error as KioskError {
            throw error
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }

    /// Either backend, seen through what a copy needs.
    private func open(_ location: String, creating: Bool) throws -> any CopyableStore {
        if ServerAddress.isServerURL(location) {
            let address: ServerAddress
            do { address = try ServerAddress.parse(location) } catch { throw KioskError(exitCode: 2, "\(error)") }
            let passwordFile = (try? global.loadConfig())?.databasePasswordFile
            let store = try global.openServer(address, passwordFile: passwordFile, checkSchema: false)
            do { _ = try store.migrate() } catch { throw KioskError(exitCode: 1, "\(error)") }
            return store
        }
        if !creating, !FileManager.default.fileExists(atPath: location) {
            throw KioskError(exitCode: 1, "\(location): no such file")
        }
        do { return try AppDatabase.open(path: location, createDirectory: false) } catch { throw KioskError(exitCode: 1, "\(error)") }
    }

    private func describe(_ location: String) -> String {
        (try? ServerAddress.parse(location).description) ?? location
    }
}

/// What `db copy` needs of a backend.
protocol CopyableStore {
    func snapshot() throws(StoreError) -> DatabaseSnapshot
    func isEmpty() throws(StoreError) -> Bool
    func restore(_ snapshot: DatabaseSnapshot) throws(StoreError)
}

extension AppDatabase: CopyableStore {}
extension PostgresVisitorStore: CopyableStore {}
