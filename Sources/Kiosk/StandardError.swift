#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error. (Swift 6 rejects the global `stderr` as
/// non-Sendable shared state; file descriptor 2 is the same stream.)
func printError(_ message: String) {
    printErrorRaw(message + "\n")
}

/// Writes to standard error without adding a newline.
func printErrorRaw(_ text: String) {
    _ = text.withCString { write(2, $0, strlen($0)) }
}
