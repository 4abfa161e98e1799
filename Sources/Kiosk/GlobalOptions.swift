import ArgumentParser
import Vision

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the dlib model files (default: $KIOSK_MODELS, else $XDG_DATA_HOME/kiosk/models).", valueName: "dir"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file (default: $XDG_CONFIG_HOME/kiosk/kiosk.toml when present).", valueName: "path"))
    var config: String?

    var modelFiles: ModelFiles { ModelFiles.resolve(explicit: models) }

    /// Loads the configuration, or exits with code 2 and the reason.
    func loadConfig() throws -> KioskConfig {
        do {
            return try KioskConfig.load(explicitPath: config)
        } catch {
            printError("kiosk: \(error)")
            throw ExitCode(2)
        }
    }

    /// Loads the face engine; a missing or damaged model exits with code 3 and the fix.
    func loadEngine() async throws -> FaceEngine {
        do {
            return try FaceEngine(models: modelFiles)
        } catch let error where error.isSetupProblem {
            printError("kiosk: \(error)\nInstall the models with: scripts/setup   (or pass --models DIR)")
            throw ExitCode(3)
        } catch {
            printError("kiosk: \(error)")
            throw ExitCode(1)
        }
    }
}
