import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// swift-log to a file (the TUI owns the screen, so logs never go there).
struct FileLogHandler: LogHandler {
    private let sink: Sink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    /// The desk's log for a database: `DB.log` beside it, so two desks on two databases
    /// never mix their logs, and the log sits in the same private directory as the data.
    static func path(forDatabase database: String) -> String { database + ".log" }

    /// The file the lines go to: created 0600 (the lines can hold visitors' names), and
    /// rotated by size so a desk left alone for months cannot fill its disk with log:
    /// past `limit` bytes, `PATH` becomes `PATH.1`, `PATH.1` becomes `PATH.2`, ... and the
    /// oldest beyond `keep` is deleted.
    final class Sink: @unchecked Sendable {
        let path: String
        let limit: Int
        let keep: Int
        private let lock = NSLock()
        private var descriptor: Int32 = -1

        init(path: String, limit: Int = 5 << 20, keep: Int = 3) {
            self.path = path
            self.limit = max(limit, 1)
            self.keep = max(keep, 0)
            descriptor = Self.open(path)
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        /// The rotated files that may exist, newest first: PATH.1 ... PATH.keep.
        var rotatedPaths: [String] { keep == 0 ? [] : (1...keep).map { "\(path).\($0)" } }

        func write(_ line: String) {
            let bytes = Array(line.utf8)
            lock.withLock {
                reopenIfMoved()
                guard descriptor >= 0 else { return }
                var status = stat()
                // fstat rather than a counter of our own: another process (a second desk on
                // the same database) may have appended meanwhile.
                if fstat(descriptor, &status) == 0, status.st_size > 0, Int(status.st_size) + bytes.count > limit {
                    rotate()
                    guard descriptor >= 0 else { return }
                }
                bytes.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                        if written < 0 && errno == EINTR { continue }
                        if written <= 0 { return }
                        offset += written
                    }
                }
            }
        }

        private func rotate() {
            close(descriptor)
            descriptor = -1
            if keep == 0 {
                unlink(path)
            } else {
                // rename(2) replaces the target, so the oldest file is dropped by the first move.
                for index in stride(from: keep - 1, through: 1, by: -1) {
                    rename("\(path).\(index)", "\(path).\(index + 1)")
                }
                rename(path, "\(path).1")
            }
            descriptor = Self.open(path)
        }

        /// When another process rotated the file, our descriptor points at `PATH.1`:
        /// follow the name, so lines keep going to `PATH`.
        private func reopenIfMoved() {
            var byName = stat(), current = stat()
            if descriptor >= 0, stat(path, &byName) == 0, fstat(descriptor, &current) == 0,
               byName.st_dev == current.st_dev, byName.st_ino == current.st_ino {
                return
            }
            if descriptor >= 0 { close(descriptor) }
            descriptor = Self.open(path)
        }

        /// Opens for appending, creating the file 0600; an existing file is tightened to
        /// 0600 too (older kiosks made it with the umask). A symlink is refused.
        private static func open(_ path: String) -> Int32 {
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd >= 0 { fchmod(fd, 0o600) }
            return fd
        }
    }

    init(label: String, sink: Sink) {
        self.label = label
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        let time = ISO8601DateFormatter().string(from: Date())
        // Messages carry error texts that can hold names or paths: a `cat` of the log must not run them.
        sink.write("\(time) \(level) \(label): \("\(message)".terminalSafe)\n")
    }
}
