/// How a command fails, and the exit code each way means (documented in `kiosk --help`
/// and the README): 1 a runtime failure, 2 a usage error, 3 missing models or setup.
/// Commands throw it; `KioskCommand.main` prints the message and exits with the code.
enum KioskError: Error, CustomStringConvertible {
    /// Something went wrong while working: unreadable photo, database refused, camera gone.
    case runtime(String)
    /// The command line or the configuration asks for something that cannot be done.
    case usage(String)
    /// The box is not set up: models missing or damaged.
    case setup(String)
    /// Failed, and the details were already printed (several photos, a report).
    case reported(exitCode: Int32)

    var exitCode: Int32 {
        switch self {
        case .runtime: return 1
        case .usage: return 2
        case .setup: return 3
        case .reported(let code): return code
        }
    }

    /// The message to print (nil when it was already printed).
    var message: String? {
        switch self {
        case .runtime(let text), .usage(let text), .setup(let text): return text
        case .reported: return nil
        }
    }

    var description: String { message ?? "exit code \(exitCode)" }

    init(exitCode: Int32, _ message: String) {
        switch exitCode {
        case 2: self = .usage(message)
        case 3: self = .setup(message)
        default: self = .runtime(message)
        }
    }
}
