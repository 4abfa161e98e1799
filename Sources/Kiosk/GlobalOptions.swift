import ArgumentParser
import DeskCore
import Foundation
import Store
import Vision

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the dlib model files (default: $KIOSK_MODELS, else $XDG_DATA_HOME/kiosk/models).", valueName: "dir"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file (default: $XDG_CONFIG_HOME/kiosk/kiosk.toml when present).", valueName: "path"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Visitor database file (default: $XDG_DATA_HOME/kiosk/kiosk.sqlite).", valueName: "path"))
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

    /// The database path: `--db`, else `$XDG_DATA_HOME/kiosk/kiosk.sqlite`.
    var databasePath: String { db ?? DataDirectory.resolve() + "/kiosk.sqlite" }

    /// Opens the database, or exits with code 1 and a message naming the path.
    func openDatabase() throws -> AppDatabase {
        do {
            return try AppDatabase.open(path: databasePath, createDirectory: db == nil)
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }

    /// Records a staff action taken from the command line in the audit log, under this
    /// box's kiosk id (best effort: the action itself already happened).
    func audit(_ store: any VisitorStore, _ kind: String, detail: String) {
        let kioskId = (try? KioskConfig.load(explicitPath: config))?.kioskId ?? "cli"
        try? store.recordAudit(kind: kind, detail: detail + " (command line)", kioskId: kioskId, now: Date())
    }

    /// The visitor store every command reads and writes through (SQLite today).
    func openStore() throws -> any VisitorStore { try openDatabase() }

    /// Configuration, models and database together: what the front-desk commands need.
    /// Visits that could not be written earlier are delivered first.
    func openFrontDesk() async throws -> FrontDesk {
        let config = try loadConfig()
        let engine = try await loadEngine()  // first: no database is created when models are missing
        let store = try openStore()
        do {
            let desk = try FrontDesk(engine: engine, store: store, config: config,
                                     pending: PendingVisits.beside(database: store.location))
            await desk.deliverPending()
            return desk
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
