#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr, redrawn in place on a terminal; on a pipe or
/// a log file it prints nothing until `finish`, so logs stay clean.
struct ProgressBar {
    let total: Int
    let label: String
    private(set) var done = 0
    private let interactive = isatty(2) != 0

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
        draw()
    }

    mutating func advance(by count: Int = 1) {
        done = min(total, done + count)
        draw()
    }

    func finish() {
        if interactive { printErrorRaw("\r\u{1B}[K") }
    }

    private func draw() {
        guard interactive else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        printErrorRaw("\r\(label) \(bar) \(done)/\(total)")
    }
}
