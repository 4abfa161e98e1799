import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Check-ins that were shown but could not be written (disk full, database locked or
/// read-only), kept in a file beside the database until it accepts them again. One JSON
/// line per visit, appended and fsync'ed before the desk moves on; each visit carries
/// its own id, so delivering one twice still records it once.
public final class PendingVisits: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The queue file that belongs to a database file.
    public static func beside(database path: String) -> PendingVisits {
        PendingVisits(path: path + ".pending-visits")
    }

    public enum QueueError: Error, CustomStringConvertible {
        case cannotWrite(path: String, reason: String)
        public var description: String {
            switch self {
            case let .cannotWrite(path, reason): return "cannot keep the visit in \(path): \(reason)"
            }
        }
    }

    /// Runs `body` holding the queue's lock (`PATH.lock`, flock(2)): every process on
    /// the database (other desks, the CLI) shares the file, and a read-then-rewrite must
    /// not lose another's append. Without `wait`, returns nil when someone else holds it.
    public func withLock<T>(wait: Bool = true, _ body: () throws -> T) throws -> T? {
        let fd = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw QueueError.cannotWrite(path: path + ".lock", reason: String(cString: strerror(errno))) }
        defer { close(fd) }  // closing releases the lock
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK && !wait { return nil }
            throw QueueError.cannotWrite(path: path + ".lock", reason: String(cString: strerror(errno)))
        }
        return try body()
    }

    /// Appends `visit` durably (created 0600: it holds a face embedding).
    public func append(_ visit: VisitCommit) throws {
        _ = try withLock { try appendLocked(visit) }
    }

    private func appendLocked(_ visit: VisitCommit) throws {
        let line = try Self.encoder.encode(visit) + Data("\n".utf8)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw QueueError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            // A torn line would be skipped on reading; cut it off so the next append starts clean.
            if written > 0 { _ = ftruncate(fd, lseek(fd, 0, SEEK_END) - off_t(written)) }
            throw QueueError.cannotWrite(path: path, reason: reason)
        }
    }

    /// The queued visits, oldest first. Lines that cannot be read (a torn write) are skipped.
    public func load() -> [VisitCommit] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? Self.decoder.decode(VisitCommit.self, from: Data($0)) }
    }

    public var count: Int { load().count }

    /// Drops the queued visits `drop` chooses, under the lock (a "Not me", an erasure).
    /// Returns how many were dropped.
    @discardableResult
    public func remove(where drop: (VisitCommit) -> Bool) throws -> Int {
        try withLock { () throws -> Int in
            let queued = load()
            let kept = queued.filter { !drop($0) }
            if kept.count != queued.count { try replace(with: kept) }
            return queued.count - kept.count
        } ?? 0
    }

    /// Keeps only `remaining` (atomically: a new file renamed over the old one). Call
    /// it with the lock held (`withLock`).
    public func replace(with remaining: [VisitCommit]) throws {
        if remaining.isEmpty {
            if unlink(path) != 0 && errno != ENOENT {
                throw QueueError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            return
        }
        var text = Data()
        for visit in remaining { text += try Self.encoder.encode(visit) + Data("\n".utf8) }
        let temporary = path + ".new"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError.cannotWrite(path: temporary, reason: String(cString: strerror(errno))) }
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == text.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw QueueError.cannotWrite(path: path, reason: reason)
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}
