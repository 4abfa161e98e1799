import Foundation
import GRDB
import Testing
@testable import Store
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// SQLite failures that someone can act on are said in words (disk full, read-only,
/// cannot open) with the database's path; anything else keeps SQLite's text.
@Suite("Store errors say what to do")
struct StoreErrorMeaningTests {
    let path = "/var/lib/kiosk/kiosk.sqlite"

    @Test func aFullDiskIsSaidAsSuch() {
        let error = StoreError(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"), path: path)
        #expect(error == .diskFull(path: path))
        #expect(error.description == "the disk holding \(path) is full: free space, the desk keeps visits waiting meanwhile")
    }

    @Test func readOnlyAndCannotOpenNameThePathAndTheCause() {
        let readOnly = StoreError(DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database"), path: path)
        #expect(readOnly == .readOnly(path: path, reason: "attempt to write a readonly database"))
        #expect(readOnly.description.hasPrefix("\(path) cannot be written (attempt to write a readonly database)"))
        let cannotOpen = StoreError(DatabaseError(resultCode: .SQLITE_CANTOPEN, message: "unable to open database file"), path: path)
        #expect(cannotOpen == .cannotOpen(path: path, reason: "unable to open database file"))
        #expect(cannotOpen.description.contains("cannot open \(path)"))
    }

    @Test func otherFailuresKeepSQLitesText() {
        let busy = StoreError(DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked"), path: path)
        guard case let .database(at, reason) = busy else {
            Issue.record("SQLITE_BUSY became \(busy)")
            return
        }
        #expect(at == path)
        #expect(reason.contains("database is locked"))
        // An I/O error on a disk with room is not called a full disk.
        let ioError = StoreError(DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error"), path: NSTemporaryDirectory())
        #expect(ioError != .diskFull(path: NSTemporaryDirectory()))
        // Our own errors pass through unchanged.
        #expect(StoreError(StoreError.personNotFound("Ada"), path: path) == .personNotFound("Ada"))
    }

    /// A write on an open database when the disk fills up (the read/write helpers), on a
    /// 1 MiB tmpfs: needs root.
    @Test func aWriteOnAFullDiskIsSaidAsSuch() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        guard geteuid() == 0 else { try Test.cancel("skipped: not root (mounting a tmpfs needs root; CI runs the tests as root)") }
        guard mount("tmpfs", root, "tmpfs", 0, "size=1m") == 0 else {
            try Test.cancel("skipped: mount -t tmpfs failed (\(String(cString: strerror(errno))))")
        }
        defer { umount(root) }

        let database = try AppDatabase.open(path: root + "/kiosk.sqlite", createDirectory: false)
        var factory = EmbeddingFactory(state: 7)
        _ = try database.enroll(enrollment("Ada", [factory.embedding()]))
        let fd = open(root + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)

        // Big enough to need new pages: a name of 80 characters and many templates.
        let refused = thrownError {
            try database.enroll(enrollment(String(repeating: "B", count: 80), (0..<200).map { _ in factory.embedding() }))
        }
        #expect(refused as? StoreError == .diskFull(path: root + "/kiosk.sqlite"), "\(String(describing: refused))")
        unlink(root + "/filler")
        _ = try database.enroll(enrollment("Bea", [factory.embedding()]))
        #expect(try database.personCount() == 2)
    }
}
