import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// A full disk is said as such ("the disk holding PATH is full"), not as SQLite's
/// "disk I/O error ... SELECT sqlite_master", and the database works again once space
/// is freed. Runs on a 1 MiB tmpfs, which needs root.
@Suite("Disk full (tmpfs)", .serialized)
struct DiskFullCLITests {
    /// A tiny filesystem of its own, or nil (with why) when this is not root or mount fails.
    static func mountTinyFilesystem(at directory: String) -> String? {
        guard geteuid() == 0 else { return "not root: mounting a tmpfs needs root (CI runs the tests as root)" }
        let mount = Spawn.output(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", directory])
        return mount.status == 0 ? nil : "mount -t tmpfs failed (\(mount.err.trimmingCharacters(in: .whitespacesAndNewlines)))"
    }

    /// Writes zeros until the filesystem refuses.
    static func fill(_ directory: String) {
        let fd = open(directory + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test func enrollAndCheckinSayTheDiskIsFull() throws {
        let root = NSTemporaryDirectory() + "kiosk-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        if let reason = Self.mountTinyFilesystem(at: root) {
            try Test.cancel("skipped: \(reason)")
        }
        defer { Spawn.run(["umount", root]) }
        let db = root + "/kiosk.sqlite"
        let environment = ["XDG_DATA_HOME": root + "/data", "XDG_CONFIG_HOME": root + "/config",
                           "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory]
        func kiosk(_ arguments: [String]) throws -> KioskBinary.Run {
            try KioskBinary.run(arguments + ["--db", db], environment: environment)
        }
        let enrolled = try kiosk(["enroll", "--name", "Ada", "--consent", KioskBinary.sample("obama.jpg")])
        try #require(enrolled.status == 0, "\(enrolled.stderr)")

        Self.fill(root)
        let expected = "the disk holding \(db) is full: free space, the desk keeps visits waiting meanwhile"
        let checkin = try kiosk(["checkin", KioskBinary.sample("obama2.jpg")])
        #expect(checkin.status == 1)
        #expect(checkin.stderr.contains(expected), "checkin on a full disk said:\n\(checkin.stderr)")
        #expect(!checkin.stderr.contains("disk I/O error"), "\(checkin.stderr)")
        let enroll = try kiosk(["enroll", "--name", "Bea", "--consent", KioskBinary.sample("biden.jpg")])
        #expect(enroll.status == 1)
        #expect(enroll.stderr.contains(expected), "enroll on a full disk said:\n\(enroll.stderr)")

        // Space freed: the same database takes the visit, nothing was damaged.
        unlink(root + "/filler")
        let again = try kiosk(["checkin", KioskBinary.sample("obama2.jpg")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Welcome back, Ada!"), "\(again.stdout)")
    }
}
