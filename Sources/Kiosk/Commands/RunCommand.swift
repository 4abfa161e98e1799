import ArgumentParser
import DeskCore
import Foundation
import Logging
import Store
import Vision
#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The front desk in the terminal (the default command).",
        discussion: """
            Shows the camera live. Space captures: a returning visitor is greeted (name, \
            visit number, last visit, preferences) and the visit logged; a new visitor is \
            offered the enrollment form (name, preferences, consent). F2 opens the staff \
            view (visit log, people, export, settings) behind a PIN, set on first use. \
            F10 quits (PIN when set). Logs go to $XDG_DATA_HOME/kiosk/kiosk.log.

            Sources: v4l2 (the first camera; the demo when there is none), \
            v4l2:/dev/videoN or v4l2:BY-ID-NAME, image:PATH (a still served as a camera), \
            dir:PATH (slideshow), mjpeg:PATH (recorded stream), demo.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Where frames come from (see above).")
    var source = "v4l2"

    @Option(help: "Seconds the greeting stays before the desk returns to the camera (default: kiosk.greeting_seconds, 6).")
    var greetingSeconds: Double?

    func run() async throws {
        guard isatty(0) != 0, isatty(1) != 0 else {
            printError("kiosk run needs a terminal (stdin and stdout must be a tty). For scripts, use kiosk checkin PHOTO.")
            throw ExitCode(1)
        }
        var spec = try parseSourceOption(source)
        var fallback: String?
        if spec == .firstCamera {
            let found = CameraDiscovery.cameras()
            if found.cameras.isEmpty {
                spec = .demo
                fallback = found.problems.first.map { "Camera: \($0.1). Showing the demo pictures instead." }
                    ?? "No camera found: showing the demo pictures. Plug in a webcam and restart, or use --source."
            } else {
                spec = .camera(path: found.cameras[0].path)
            }
        }
        let desk = try await global.openFrontDesk()
        let logger = Self.fileLogger()
        let app = KioskApp(desk: desk, status: await desk.refresh(),
                           options: .init(spec: spec, fallbackNotice: fallback,
                                          greetingSeconds: greetingSeconds ?? desk.config.greetingSeconds),
                           logger: logger)
        TerminalGuard.install()
        let ended: Result<KioskApp.Exit, TerminalFailure> = await withCheckedContinuation { continuation in
            // curses belongs to one thread: the UI gets its own, not a pooled task thread.
            let thread = Thread {
                do {
                    let terminal = try CursesTerminal(environment: ProcessInfo.processInfo.environment)
                    let exit = app.run(terminal: terminal)
                    terminal.stop()
                    continuation.resume(returning: .success(exit))
                } catch {
                    continuation.resume(returning: .failure(TerminalFailure(reason: "\(error)")))
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        // The screen is back to normal: finish what the desk was writing, for a bounded
        // time, and say what could not be finished.
        let unfinished = app.work.drain(timeout: 5)
        let kept = app.keepUnwrittenVisits()
        if !unfinished.isEmpty {
            printError("kiosk: stopped before finishing: \(unfinished.joined(separator: ", ")).")
        }
        if kept > 0 {
            printError("kiosk: \(kept) visit\(kept == 1 ? " was" : "s were") not written yet; kept in \(desk.pending?.path ?? "?") for the next start.")
        }
        logger.info("kiosk stopped (\((try? ended.get()).map { "\($0)" } ?? "terminal failure"))")
        switch ended {
        case .success(.terminalLost): throw ExitCode(1)
        case .success: return
        case .failure(let failure):
            printError("kiosk: \(failure.reason)")
            throw ExitCode(1)
        }
    }

    struct TerminalFailure: Error {
        let reason: String
    }

    /// Logs to $XDG_DATA_HOME/kiosk/kiosk.log (0600), never to the screen.
    static func fileLogger() -> Logger {
        let directory = DataDirectory.resolve()
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let sink = FileLogHandler.Sink(path: directory + "/kiosk.log")
        return Logger(label: "kiosk") { label in FileLogHandler(label: label, sink: sink) }
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Staff settings outside the TUI.",
        subcommands: [SetPIN.self]
    )

    struct SetPIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-pin",
            abstract: "Set the staff PIN (4-12 digits), read from the terminal or from stdin.",
            discussion: "Stored as a salted PBKDF2-SHA256 hash in the database, never in plain text."
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let interactive = isatty(0) != 0
            if interactive { printErrorRaw("New staff PIN: ") }
            let first = Self.readSecret(interactive: interactive)
            if interactive { printErrorRaw("\nAgain: ") }
            let second = interactive ? Self.readSecret(interactive: true) : first
            if interactive { printError("") }
            guard let pin = first, pin == second else {
                printError("kiosk: the two PINs differ; nothing changed.")
                throw ExitCode(1)
            }
            guard (4...12).contains(pin.count), pin.allSatisfy(\.isNumber) else {
                printError("kiosk: a PIN is 4 to 12 digits.")
                throw ExitCode(2)
            }
            let database = try global.openDatabase()
            do { try database.setStaffPINHash(PINHash.make(pin: pin)) } catch {
                printError("kiosk: \(error)")
                throw ExitCode(1)
            }
            print("Staff PIN set.")
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
