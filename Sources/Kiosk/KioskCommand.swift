import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct KioskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk",
        abstract: "A face-recognition front desk for the terminal.",
        discussion: """
            Everything runs on this machine: the camera, the dlib face models and the SQLite \
            visitor database. Models are installed by scripts/setup.

            Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 missing models or setup.
            """,
        version: KioskVersion.string,
        // `kiosk` alone runs the front desk.
        subcommands: [
            RunCommand.self, EnrollCommand.self, ImportCommand.self, IdentifyCommand.self, CheckinCommand.self,
            VisitsCommand.self, PeopleCommand.self, PreferencesCommand.self, ForgetCommand.self, PurgeCommand.self,
            CamerasCommand.self, SnapshotCommand.self, WatchCommand.self,
            EncodeCommand.self, CompareCommand.self, BenchCommand.self, EvalCommand.self, DoctorCommand.self, StaffCommand.self, AuditCommand.self, DbCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Runs the command, mapping usage errors to exit code 2 (the project's contract;
    /// ArgumentParser's own default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            finish(code: 0)
        } catch let failure as KioskError {
            if let message = failure.message { printError(message.hasPrefix("kiosk") ? message : "kiosk: " + message) }
            finish(code: failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                finish(code: 2)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { print(message) } else { printError(message) }
            }
            finish(code: code.rawValue)
        }
    }

    /// Ends the process without running library destructors: every write the command
    /// made is already committed, and OpenBLAS's exit handler (joining its worker
    /// threads) was once seen to hang a desk forever after its terminal disappeared.
    static func finish(code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }
}

enum KioskVersion {
    static let string = "0.1.0"
}
