#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error. (Swift 6 rejects the global `stderr` as
/// non-Sendable shared state; file descriptor 2 is the same stream.) Messages carry
/// names, paths and error texts from stored or hostile data, so control characters in
/// them are shown escaped; line feeds stay.
func printError(_ message: String) {
    printErrorRaw(message.terminalSafeLines + "\n")
}

/// Writes to standard error without adding a newline.
func printErrorRaw(_ text: String) {
    _ = text.withCString { write(2, $0, strlen($0)) }
}
