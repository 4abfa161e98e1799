import Foundation
import Testing
@testable import Kiosk
#if canImport(Glibc)
import Glibc
#endif

/// The staff export writes visitor lists: a new private file, never over another.
@Suite("Export files")
struct PrivateFileTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "kiosk-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test func aNewFileIsPrivateAndWhole() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/visits.csv"
        try PrivateFile.createNew(at: path, contents: Data("a,b\r\n".utf8))
        #expect(FileManager.default.contents(atPath: path) == Data("a,b\r\n".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".kiosk-export") }
        #expect(leftovers.isEmpty, "the temporary file was left behind")
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/report.csv"
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PrivateFile.Failure.self) { try PrivateFile.createNew(at: path, contents: Data("x".utf8)) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func aSymlinkPlantedAtThePathIsNotFollowed() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Attack: a link from the export name to a file the staff account can write.
        let target = directory + "/victim"
        try "precious".write(toFile: target, atomically: true, encoding: .utf8)
        let link = directory + "/export.csv"
        #expect(symlink(target, link) == 0)
        #expect(throws: PrivateFile.Failure.self) { try PrivateFile.createNew(at: link, contents: Data("x".utf8)) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
        // A dangling link too: creating through it would make a file wherever it points.
        let dangling = directory + "/dangling.csv"
        #expect(symlink(directory + "/nowhere", dangling) == 0)
        #expect(throws: PrivateFile.Failure.self) { try PrivateFile.createNew(at: dangling, contents: Data("x".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: directory + "/nowhere"))
    }

    @Test func tildeMeansTheHomeDirectoryOnly() {
        #expect(PrivateFile.expand("~/visits.csv", home: "/home/desk") == "/home/desk/visits.csv")
        #expect(PrivateFile.expand("~", home: "/home/desk") == "/home/desk")
        #expect(PrivateFile.expand("~other/x", home: "/home/desk") == "~other/x")
        #expect(PrivateFile.expand("/tmp/~/x", home: "/home/desk") == "/tmp/~/x")
    }

    @Test func aMissingDirectoryIsNamed() {
        let failure = #expect(throws: PrivateFile.Failure.self) {
            try PrivateFile.createNew(at: "/nonexistent-dir-kiosk/x.csv", contents: Data())
        }
        #expect(failure.map { "\($0)" }?.contains("/nonexistent-dir-kiosk/x.csv") == true)
    }
}
