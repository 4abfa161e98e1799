import ArgumentParser
import Foundation
import ServerStore

struct DbMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the schema on the database server (desks only check it).",
        discussion: """
            Run it once when setting up a server and after each kiosk upgrade, with a role that \
            may create tables (the desks' own role need not). Safe to run again: it applies only \
            what is missing, in order, and refuses a schema written by a newer kiosk. \
            Example: kiosk db migrate --db postgres://kiosk_owner@db.lan/kiosk
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        guard case let .server(address, passwordFile) = try global.databaseTarget() else {
            // The SQLite file migrates itself when opened.
            let database = try global.openDatabase()
            print("\(database.path): up to date (an SQLite file is migrated whenever it is opened)")
            return
        }
        let store = try global.openServer(address, passwordFile: passwordFile, checkSchema: false)
        do {
            let applied = try store.migrate()
            if applied.isEmpty {
                print("\(address): schema up to date (\(PostgresVisitorStore.knownMigrations.count) migrations)")
            } else {
                for id in applied { print("applied: \(id)") }
                print("\(address): schema up to date")
            }
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
