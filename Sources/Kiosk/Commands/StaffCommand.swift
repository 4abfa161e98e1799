import ArgumentParser
import DeskCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Staff settings outside the TUI.",
        subcommands: [SetPIN.self]
    )

    struct SetPIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-pin",
            abstract: "Set or change the staff PIN (6 to 32 digits 0-9), read from the terminal or from stdin.",
            discussion: """
                The PIN opens the staff view and is needed to quit the desk. It can only be set \
                here, from the box's shell, never at the kiosk keyboard. Changing an existing PIN \
                asks for the current one first (from stdin: the current PIN on the first line, \
                the new one on the second); --reset replaces a lost PIN without it. A running \
                desk picks up the new PIN within a second. Stored as a salted PBKDF2-HMAC-SHA256 \
                hash (2,000,000 rounds), never in plain text.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Replace the PIN without giving the current one (when it is lost).")
        var reset = false

        func run() async throws {
            let store = try global.openStore()
            let interactive = isatty(0) != 0
            var current: String?
            if !reset, (try? store.staffPINHash()) != nil {
                if interactive { printErrorRaw("Current staff PIN: ") }
                current = Self.readSecret(interactive: interactive)
                if interactive { printError("") }
            }
            if interactive { printErrorRaw("New staff PIN (6 or more digits): ") }
            let first = Self.readSecret(interactive: interactive)
            if interactive { printErrorRaw("\nAgain: ") }
            let second = interactive ? Self.readSecret(interactive: true) : first
            if interactive { printError("") }
            guard let pin = first, pin == second else {
                throw KioskError(exitCode: 1, "the two PINs differ; nothing changed.")
            }
            let hadPIN = (try? store.staffPINHash()) != nil
            do {
                try StaffPIN.set(pin, current: current, reset: reset, in: store)
                global.audit(store, reset ? "staff PIN reset" : hadPIN ? "staff PIN changed" : "staff PIN set", detail: "")
            } catch let refusal as StaffPIN.Refusal {
                throw KioskError(exitCode: refusal == .wrongCurrentPIN ? 1 : 2, "\(refusal)")
            } catch {
                throw KioskError(exitCode: 1, "\(error)")
            }
            print(reset ? "Staff PIN reset." : "Staff PIN set.")
        }

        /// A line from stdin, without echo when it is a terminal.
        static func readSecret(interactive: Bool) -> String? {
            var saved = termios()
            if interactive {
                tcgetattr(0, &saved)
                var quiet = saved
                quiet.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(0, TCSANOW, &quiet)
            }
            defer { if interactive { tcsetattr(0, TCSANOW, &saved) } }
            return readLine()?.trimmingWhitespace()
        }
    }
}
