import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Why the visitor database could not be opened or changed. Each case names the file
/// when there is one, so the message tells the engineer what to look at.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The directory for the database cannot be created or written.
    case directoryUnusable(path: String, reason: String)
    /// The file exists but is not an SQLite database, or is damaged.
    case notADatabase(path: String, reason: String)
    /// An SQLite database, but not one of ours (tables we did not create).
    case foreignDatabase(path: String)
    /// Written by a newer kiosk version (it knows migrations we do not).
    case newerVersion(path: String, unknownMigrations: [String])
    /// A name, key or argument that cannot be stored.
    case invalidInput(String)
    /// No person matches the name or id given.
    case personNotFound(String)
    /// Several people share the name given; use the id.
    case ambiguousName(String, ids: [Int64])
    /// The filesystem holding the database has no room left (SQLITE_FULL, or an I/O error
    /// while the filesystem reports no free space).
    case diskFull(path: String)
    /// The database, its directory or its filesystem cannot be written (SQLITE_READONLY).
    case readOnly(path: String, reason: String)
    /// SQLite cannot open the file or the -wal/-shm files beside it (SQLITE_CANTOPEN).
    case cannotOpen(path: String, reason: String)
    /// Any other SQLite failure.
    case database(path: String, reason: String)
    /// The shared database server cannot be reached now (down, unreachable, refusing us).
    case serverUnreachable(address: String, reason: String)
    /// The server's schema is older than this kiosk's: `kiosk db migrate` brings it up.
    case schemaNotMigrated(address: String, missingMigrations: [String])

    public var description: String {
        switch self {
        case let .directoryUnusable(path, reason):
            return "cannot use the directory \(path) for the database: \(reason)"
        case let .notADatabase(path, reason):
            return "\(path) is not a kiosk database or is damaged (\(reason)); it was left untouched"
        case let .foreignDatabase(path):
            return "\(path) is an SQLite database of another program; it was left untouched (choose another path with --db)"
        case let .newerVersion(path, unknown):
            return "\(path) was written by a newer kiosk (unknown migrations: \(unknown.joined(separator: ", "))); upgrade kiosk to use it"
        case let .invalidInput(message):
            return message
        case let .personNotFound(who):
            return "no enrolled person matches '\(who)'"
        case let .ambiguousName(name, ids):
            return "several people are called '\(name)' (ids \(ids.map(String.init).joined(separator: ", "))); give the id instead"
        case let .diskFull(path):
            return "the disk holding \(path) is full: free space, the desk keeps visits waiting meanwhile"
        case let .readOnly(path, reason):
            return "\(path) cannot be written (\(reason)): check that the file and its directory belong to the user "
                + "running kiosk and that the filesystem is not mounted read-only"
        case let .cannotOpen(path, reason):
            return "cannot open \(path) or the -wal/-shm files beside it (\(reason)): check that the directory exists, "
                + "is writable by the user running kiosk, and that the disk is not full"
        case let .database(path, reason):
            return "database \(path): \(reason)"
        case let .serverUnreachable(address, reason):
            return "the database server \(address) cannot be reached: \(reason)"
        case let .schemaNotMigrated(address, missing):
            return "the database on \(address) needs migrating (\(missing.count) migration\(missing.count == 1 ? "" : "s") missing): "
                + "run `kiosk db migrate --db \(address)` with a role that may change the schema"
        }
    }

    /// Says what an SQLite failure on the database at `path` means for whoever has to fix
    /// it: a full disk, a read-only file or one that cannot be opened get their own case;
    /// anything else keeps SQLite's text in `.database`.
    public init(_ error: any Error, path: String) {
        if let error = error as? StoreError {
            self = error
            return
        }
        guard let error = error as? DatabaseError else {
            self = .database(path: path, reason: "\(error)")
            return
        }
        let reason = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_FULL:
            self = .diskFull(path: path)
        case .SQLITE_IOERR where Self.filesystemIsFull(holding: path):
            // SQLite reports ENOSPC as SQLITE_FULL only for plain writes; growing the -shm
            // file or syncing the journal on a full disk comes back as a "disk I/O error".
            // SQLite's errno is gone by now, so ask the filesystem instead.
            self = .diskFull(path: path)
        case .SQLITE_READONLY:
            self = .readOnly(path: path, reason: reason)
        case .SQLITE_CANTOPEN:
            self = Self.filesystemIsFull(holding: path) ? .diskFull(path: path) : .cannotOpen(path: path, reason: reason)
        default:
            self = .database(path: path, reason: "\(error)")
        }
    }

    /// Whether the filesystem holding `path` has (next to) no space left for SQLite: less
    /// than 64 pages of 4 KiB available to this user, or no free inodes.
    static func filesystemIsFull(holding path: String) -> Bool {
        var info = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        guard statvfs(FileManager.default.fileExists(atPath: path) ? path : (directory.isEmpty ? "." : directory), &info) == 0 else {
            return false
        }
        let available = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        return available < 64 * 4096 || (info.f_files > 0 && info.f_favail == 0)
    }
}
