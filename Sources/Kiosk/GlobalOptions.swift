import ArgumentParser
import DeskCore
import Foundation
import ServerStore
import Store
import Vision

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the dlib model files (default: $KIOSK_MODELS, else $XDG_DATA_HOME/kiosk/models).", valueName: "dir"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file (default: $XDG_CONFIG_HOME/kiosk/kiosk.toml when present).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "Visitor database: a file (default: $XDG_DATA_HOME/kiosk/kiosk.sqlite), or a shared server as postgres://user@host:port/database (default: [database] url of the configuration). The server's password comes from a file, never from here.",
        valueName: "path-or-url"))
    var db: String?

    var modelFiles: ModelFiles { ModelFiles.resolve(explicit: models) }

    /// Loads the configuration, or exits with code 2 and the reason.
    func loadConfig() throws -> KioskConfig {
        do {
            let loaded = try KioskConfig.load(explicitPath: config)
            // Every photo read from here on is held to the configured limits.
            ImageLimits.current = loaded.imageLimits
            return loaded
        } catch {
            throw KioskError(exitCode: 2, "\(error)")
        }
    }

    /// Loads the face engine; a missing or damaged model exits with code 3 and the fix.
    func loadEngine() async throws -> FaceEngine {
        do {
            return try FaceEngine(models: modelFiles)
        } catch let error where error.isSetupProblem {
            throw KioskError(exitCode: 3, "\(error)\nInstall the models with: scripts/setup   (or pass --models DIR)")
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }

    /// Where the visitor data lives: `--db`, else the configuration's `[database] url`, else
    /// the SQLite file in the data directory.
    enum DatabaseTarget {
        case file(path: String, isDefault: Bool)
        case server(ServerAddress, passwordFile: String?)
    }

    func databaseTarget() throws -> DatabaseTarget {
        let config = try? KioskConfig.load(explicitPath: config)
        let url = db.flatMap { ServerAddress.isServerURL($0) ? $0 : nil } ?? (db == nil ? config?.databaseURL : nil)
        guard let url else { return .file(path: databasePath, isDefault: db == nil) }
        do {
            return .server(try ServerAddress.parse(url), passwordFile: config?.databasePasswordFile)
        } catch {
            throw KioskError(exitCode: 2, "\(error)")
        }
    }

    /// The SQLite file: `--db` (when not a server URL), else `$XDG_DATA_HOME/kiosk/kiosk.sqlite`.
    /// Logs and a server's pending-visit queue live beside it too.
    var databasePath: String {
        if let db, !ServerAddress.isServerURL(db) { return db }
        return DataDirectory.resolve() + "/kiosk.sqlite"
    }

    /// Opens the SQLite file, or exits with code 1 and a message naming the path.
    func openDatabase() throws -> AppDatabase {
        do {
            return try AppDatabase.open(path: databasePath, createDirectory: db == nil)
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }

    /// Connects to the server at `address` (its schema checked unless `checkSchema` is false).
    func openServer(_ address: ServerAddress, passwordFile: String?, checkSchema: Bool = true) throws -> PostgresVisitorStore {
        do {
            let password = try ServerPassword.lookup(for: address, passwordFile: passwordFile)
            return try PostgresVisitorStore(address: address, password: password, checkSchema: checkSchema)
        } catch let error as ServerPassword.LookupError {
            throw KioskError(exitCode: 2, "\(error)")
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }

    /// The visitor store every command reads and writes through: the SQLite file or the
    /// shared server, whichever `--db` and the configuration name.
    func openStore() throws -> any VisitorStore {
        switch try databaseTarget() {
        case .file: return try openDatabase()
        case let .server(address, passwordFile): return try openServer(address, passwordFile: passwordFile)
        }
    }

    /// The queue of visits shown but not yet written: beside the SQLite file, or for a
    /// server in this box's data directory (named after the server, so two servers' queues
    /// never mix).
    func pendingVisits(for store: any VisitorStore) -> PendingVisits {
        if store is AppDatabase { return PendingVisits.beside(database: store.location) }
        let name = store.location.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let directory = DataDirectory.resolve()
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        return PendingVisits(path: directory + "/server-\(String(name)).pending-visits")
    }

    /// Records a staff action taken from the command line in the audit log, under this
    /// box's kiosk id (best effort: the action itself already happened).
    func audit(_ store: any VisitorStore, _ kind: String, detail: String) {
        let kioskId = (try? KioskConfig.load(explicitPath: config))?.kioskId ?? "cli"
        try? store.recordAudit(kind: kind, detail: detail + " (command line)", kioskId: kioskId, now: Date())
    }

    /// Configuration, models and database together: what the front-desk commands need.
    /// Visits that could not be written earlier are delivered first.
    func openFrontDesk() async throws -> FrontDesk {
        let config = try loadConfig()
        let engine = try await loadEngine()  // first: no database is created when models are missing
        let store = try openStore()
        do {
            let desk = try FrontDesk(engine: engine, store: store, config: config, pending: pendingVisits(for: store))
            desk.followChanges()
            await desk.deliverPending()
            return desk
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
