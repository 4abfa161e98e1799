import Foundation
import Testing
@testable import Kiosk
#if canImport(Glibc)
import Glibc
#endif

/// The desk's log: beside its database, private, and bounded in size however long the
/// desk runs (rotated at the limit, a fixed number of old files kept).
@Suite("Log file rotation")
struct FileLogRotationTests {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "kiosk-logrot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func mode(_ path: String) -> mode_t? {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o7777 : nil
    }

    /// A 10-byte line: "line NNNN\n".
    func line(_ number: Int) -> String { "line " + String(format: "%04d", number) + "\n" }

    @Test func theLogOfADatabaseSitsBesideIt() {
        #expect(FileLogHandler.path(forDatabase: "/var/lib/kiosk/kiosk.sqlite") == "/var/lib/kiosk/kiosk.sqlite.log")
        #expect(FileLogHandler.path(forDatabase: "/srv/desk2.sqlite") != FileLogHandler.path(forDatabase: "/srv/desk1.sqlite"))
    }

    @Test func rotatesWhenTheNextLineWouldPassTheLimit() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite.log"
        let sink = FileLogHandler.Sink(path: path, limit: 50, keep: 3)
        for number in 1...5 { sink.write(line(number)) }  // exactly 50 bytes: at the limit, not past it
        #expect(contents(path) == (1...5).map(line).joined())
        #expect(!FileManager.default.fileExists(atPath: path + ".1"), "rotated before the limit was passed")

        sink.write(line(6))  // 60 bytes would pass it
        #expect(contents(path + ".1") == (1...5).map(line).joined())
        #expect(contents(path) == line(6))
    }

    @Test func keepsOnlyTheNewestFilesAndLosesNoLineInBetween() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite.log"
        let sink = FileLogHandler.Sink(path: path, limit: 50, keep: 3)
        for number in 1...100 { sink.write(line(number)) }  // 20 files' worth

        #expect(sink.rotatedPaths == [path + ".1", path + ".2", path + ".3"])
        let files = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        #expect(files == ["kiosk.sqlite.log", "kiosk.sqlite.log.1", "kiosk.sqlite.log.2", "kiosk.sqlite.log.3"])
        // Oldest first: .3, .2, .1, then the current file hold the last 20 lines in order.
        let kept = [path + ".3", path + ".2", path + ".1", path].compactMap(contents).joined()
        #expect(kept == (81...100).map(line).joined())
        for file in [path] + sink.rotatedPaths {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
            #expect((size ?? .max) <= 50, "\(file) grew past the limit")
        }
    }

    @Test func everyFileIsPrivate() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite.log"
        let sink = FileLogHandler.Sink(path: path, limit: 30, keep: 2)
        for number in 1...10 { sink.write(line(number)) }
        for file in [path, path + ".1", path + ".2"] {
            #expect(mode(file) == 0o600, "\(file) is \(String(mode(file) ?? 0, radix: 8))")
        }
    }

    @Test func anExistingLogMadeByAnOlderKioskIsTightened() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite.log"
        FileManager.default.createFile(atPath: path, contents: Data(line(1).utf8), attributes: [.posixPermissions: 0o644])
        let sink = FileLogHandler.Sink(path: path)
        sink.write(line(2))
        #expect(mode(path) == 0o600)
        #expect(contents(path) == line(1) + line(2), "the old lines must be kept, the new appended")
    }

    @Test func aSecondWriterOnTheSameLogFollowsTheRotation() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite.log"
        // Two desks on one database: two sinks on one file.
        let first = FileLogHandler.Sink(path: path, limit: 50, keep: 3)
        let second = FileLogHandler.Sink(path: path, limit: 50, keep: 3)
        for number in 1...5 { first.write(line(number)) }
        first.write(line(6))  // rotates: the file the second sink opened is now .1
        second.write(line(7))
        #expect(contents(path) == line(6) + line(7), "the second writer kept writing to the rotated file")
        #expect(contents(path + ".1") == (1...5).map(line).joined())
    }

    @Test func aSymlinkInPlaceOfTheLogIsNotFollowed() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite.log"
        let target = root + "/elsewhere"
        FileManager.default.createFile(atPath: target, contents: Data())
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        FileLogHandler.Sink(path: path).write(line(1))
        #expect(contents(target) == "", "the log was written through a symlink")
    }
}
