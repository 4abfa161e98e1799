import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Owns the visitor database: opens it safely, migrates it, and offers reads and
/// writes named for what the front desk means to do (see the extensions).
///
/// Files are private (0600 in a 0700 directory) because they hold biometric data;
/// `secure_delete` is on so erased rows are overwritten, not just unlinked.
public final class AppDatabase: Sendable {
    /// The GRDB writer: a `DatabasePool` (WAL, concurrent readers) for files, a
    /// `DatabaseQueue` for in-memory test databases.
    public let writer: any DatabaseWriter
    /// The file path, or ":memory:".
    public let path: String

    /// Opens (and migrates) a database through the same steps for files and memory,
    /// refusing databases that are foreign or from a newer kiosk.
    init(_ writer: any DatabaseWriter, path: String) throws(StoreError) {
        self.writer = writer
        self.path = path
        do {
            try writer.read { db in try Self.checkOwnership(db, path: path) }
            try Self.migrator.migrate(writer)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw .notADatabase(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// A fresh in-memory database, migrated by the real migrator (for tests).
    public static func inMemory() throws(StoreError) -> AppDatabase {
        do {
            return try AppDatabase(DatabaseQueue(configuration: configuration()), path: ":memory:")
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(path: ":memory:", reason: "\(error)")
        }
    }

    /// Opens the database file at `path`, creating it 0600 when absent. With
    /// `createDirectory`, missing parent directories are created 0700 (for the default
    /// location); otherwise the directory must exist, so a typo in `--db` is reported
    /// instead of silently creating a new empty database somewhere else.
    /// `busyTimeout`: how long a write waits for another process's lock before failing.
    public static func open(path: String, createDirectory: Bool, busyTimeout: TimeInterval = 10) throws(StoreError) -> AppDatabase {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard createDirectory else { throw .directoryUnusable(path: directory, reason: "no such directory") }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .directoryUnusable(path: directory, reason: "cannot create it (\(error.localizedDescription))")
            }
        } else if !isDirectory.boolValue {
            throw .directoryUnusable(path: directory, reason: "not a directory")
        }
        if !FileManager.default.fileExists(atPath: path) {
            // Create the file ourselves so it is born private; SQLite gives its -wal
            // and -shm files the same mode as the database.
            let fd = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw .directoryUnusable(path: directory, reason: String(cString: strerror(errno)))
            }
            close(fd)
        } else if access(path, R_OK | W_OK) != 0 {
            throw .database(path: path, reason: "no permission to read and write it")
        }
        if access(directory, W_OK) != 0 {
            // WAL mode needs to create -wal and -shm files beside the database.
            throw .directoryUnusable(path: directory, reason: "read-only (the database needs to write files beside it)")
        }
        let pool: DatabasePool
        do {
            // Inspect read-only first: opening a pool switches the file to WAL mode,
            // which would already modify a database that is not ours.
            var inspection = Configuration()
            inspection.readonly = true
            try DatabaseQueue(path: path, configuration: inspection).read { db in try checkOwnership(db, path: path) }
            pool = try DatabasePool(path: path, configuration: configuration(busyTimeout: busyTimeout))
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw .notADatabase(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            // A full disk shows up here first: opening needs room for the -wal and -shm files.
            throw StoreError(error, path: path)
        }
        return try AppDatabase(pool, path: path)
    }

    private static func configuration(busyTimeout: TimeInterval = 10) -> Configuration {
        var configuration = Configuration()
        // A TUI and CLI commands may write at the same time: wait for the lock
        // instead of failing with "database is locked".
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // Erased rows are overwritten with zeros, so deleted embeddings are gone from the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// Refuses an SQLite file that another program created, or that a newer kiosk migrated.
    private static func checkOwnership(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return }
        guard tables.contains("grdb_migrations") else { throw StoreError.foreignDatabase(path: path) }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let known = Set(Schema.migrationIdentifiers)
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty { throw StoreError.newerVersion(path: path, unknownMigrations: unknown) }
        if !applied.isEmpty, !tables.contains("person") { throw StoreError.foreignDatabase(path: path) }
    }

    private static var migrator: DatabaseMigrator { Schema.migrator }
}
