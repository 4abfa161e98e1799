import Foundation
import Logging

/// swift-log to a file (the TUI owns the screen, so logs never go there).
struct FileLogHandler: LogHandler {
    private let sink: Sink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    final class Sink: @unchecked Sendable {
        let handle: FileHandle?
        let lock = NSLock()
        init(path: String) {
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
        }
        func write(_ line: String) { lock.withLock { try? handle?.write(contentsOf: Data(line.utf8)) } }
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
