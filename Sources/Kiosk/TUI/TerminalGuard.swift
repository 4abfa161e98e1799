import CNcursesShim
#if canImport(Glibc)
import Glibc
#endif

/// Puts the terminal back on every way out: normal exit, SIGTERM/SIGHUP/SIGINT (set a
/// flag the UI loop checks) and crashes (the C handler in CNcursesShim/kiosk_crash.c:
/// terminal settings and screen reset with write(2), a fixed message, exit status 70).
enum TerminalGuard {
    /// Set from signal handlers; read by the UI loop.
    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    /// The status a crashed desk exits with (EX_SOFTWARE).
    static let crashExitStatus: Int32 = KIOSK_CRASH_EXIT_STATUS

    /// Call before curses starts: the crash handler saves the terminal settings to restore.
    /// `crashLog`: a file that gets one line per crash (the desk's log).
    static func install(crashLog: String? = nil) {
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            signal(sig) { _ in TerminalGuard.stopRequested = 1 }
        }
        // Swift code may not run in a crash handler (it can allocate, take locks, or be
        // what crashed), so the handler is C and only calls async-signal-safe functions.
        if let crashLog {
            _ = crashLog.withCString { kiosk_install_crash_handler($0) }
        } else {
            _ = kiosk_install_crash_handler(nil)
        }
    }

    /// Gives the calling thread an alternate signal stack, so a stack overflow on it
    /// still reaches the crash handler. Threads do not inherit one: call it first thing
    /// on each long-lived thread (the UI thread, where deep recursion would happen).
    static func prepareCurrentThread() {
        _ = kiosk_crash_prepare_thread()
    }
}
