import CNcursesShim
#if canImport(Glibc)
import Glibc
#endif

/// Puts the terminal back on every way out: normal exit, SIGTERM/SIGHUP/SIGINT (set a
/// flag the UI loop checks) and crashes (restore, then die with the same signal).
enum TerminalGuard {
    /// Set from signal handlers; read by the UI loop.
    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    static func install() {
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            signal(sig) { _ in TerminalGuard.stopRequested = 1 }
        }
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { number in
                // Not strictly async-signal-safe, but the process is dying anyway and a
                // terminal left in raw mode is worse.
                kiosk_curses_stop()
                let reset = "\u{1B}[0m\u{1B}[?25h\r\n"
                _ = reset.withCString { write(2, $0, strlen($0)) }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}
