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
            view (visit log, people, export, settings, audit log) behind the staff PIN, which \
            only `kiosk staff set-pin` sets. \
            F10 quits (PIN when set). Logs go to DB.log beside the database (DB.log.1 ... .3 once rotated).

            Sources: v4l2 (the first camera; the demo when there is none), \
            v4l2:/dev/videoN or v4l2:BY-ID-NAME, image:PATH (a still served as a camera), \
            dir:PATH (slideshow), mjpeg:PATH (recorded stream), demo.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Where frames come from (see above).")
    var source: SourceSpec = .firstCamera

    @Option(help: "Seconds the greeting stays before the desk returns to the camera (default: kiosk.greeting_seconds, 6).")
    var greetingSeconds: Double?

    func run() async throws {
        guard isatty(0) != 0, isatty(1) != 0 else {
            throw KioskError(exitCode: 1, "kiosk run needs a terminal (stdin and stdout must be a tty). For scripts, use kiosk checkin PHOTO.")
        }
        var spec = source
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
        let logPath = FileLogHandler.path(forDatabase: global.databasePath)
        let logger = Self.fileLogger(path: logPath)
        let app = KioskApp(desk: desk, status: await desk.refresh(),
                           options: .init(spec: spec, fallbackNotice: fallback,
                                          greetingSeconds: greetingSeconds ?? desk.config.greetingSeconds),
                           logger: logger)
        TerminalGuard.install(crashLog: logPath)
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
        let unfinished = await app.work.drain(timeout: 5)
        let kept = app.keepUnwrittenVisits()
        if !unfinished.isEmpty {
            printError("kiosk: stopped before finishing: \(unfinished.joined(separator: ", ")).")
        }
        if kept > 0 {
            printError("kiosk: \(kept) visit\(kept == 1 ? " was" : "s were") not written yet; kept in \(desk.pending?.path ?? "?") for the next start.")
        }
        logger.info("kiosk stopped (\((try? ended.get()).map { "\($0)" } ?? "terminal failure"))")
        switch ended {
        case .success(.terminalLost): throw KioskError.reported(exitCode: 1)
        case .success: return
        case .failure(let failure):
            throw KioskError(exitCode: 1, "\(failure.reason)")
        }
    }

    struct TerminalFailure: Error {
        let reason: String
    }

    /// Logs to `path` (`DB.log`, beside the database: its directory exists once the
    /// database is open), 0600 and rotated by size, never to the screen.
    static func fileLogger(path: String) -> Logger {
        let sink = FileLogHandler.Sink(path: path)
        return Logger(label: "kiosk") { label in FileLogHandler(label: label, sink: sink) }
    }
}
