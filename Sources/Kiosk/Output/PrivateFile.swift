import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes exports (visitor lists are personal data) as new private files: readable by
/// the owner only (0600), written to a temporary file in the same directory and then
/// linked into place, so the file appears whole or not at all, an existing file is
/// never overwritten and a symlink planted at the path is never followed.
enum PrivateFile {
    enum Failure: Error, CustomStringConvertible {
        case exists(String)
        case cannotWrite(path: String, reason: String)

        var description: String {
            switch self {
            case .exists(let path): return "\(path) already exists: choose another name (nothing was overwritten)"
            case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
            }
        }
    }

    /// `~` and `~/...` expanded to the home directory (only the user's own `~`).
    static func expand(_ path: String, home: String = NSHomeDirectory()) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    /// Creates `path` with `contents`; returns the path written (after `~` expansion).
    @discardableResult
    static func createNew(at path: String, contents: Data) throws -> String {
        let target = expand(path)
        let directory = (target as NSString).deletingLastPathComponent.isEmpty ? "." : (target as NSString).deletingLastPathComponent
        let temporary = directory + "/.kiosk-export-\(UUID().uuidString).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure.cannotWrite(path: target, reason: String(cString: strerror(errno))) }
        defer { unlink(temporary) }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == contents.count, synced else {
            throw Failure.cannotWrite(path: target, reason: String(cString: strerror(errno)))
        }
        // link(2) fails with EEXIST if anything (a file, a symlink) is at the target.
        guard link(temporary, target) == 0 else {
            if errno == EEXIST { throw Failure.exists(target) }
            throw Failure.cannotWrite(path: target, reason: String(cString: strerror(errno)))
        }
        return target
    }
}
