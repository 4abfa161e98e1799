import Foundation
import GRDB
import Store
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` during `kiosk import` at random moments: every time, the database must pass
/// `PRAGMA integrity_check` and hold each person whole (all their templates) or not at all.
@Suite("import interrupted by kill -9", .serialized)
struct ImportKillTests {
    /// The people to import: ../shared/faces/dev when present, else folders of the
    /// face_recognition sample photos (linked, not copied).
    static func importDirectory(in root: String) throws -> String {
        if let dev = StoreCLITests.sharedDev { return dev }
        let dir = root + "/people"
        let groups = ["Obama": ["obama.jpg", "obama2.jpg", "obama3.jpg", "obama_partial_face2.jpg"],
                      "Biden": ["biden.jpg"], "Portrait": ["32bit.png"]]
        for (person, photos) in groups {
            try FileManager.default.createDirectory(atPath: dir + "/" + person, withIntermediateDirectories: true)
            for photo in photos {
                try FileManager.default.createSymbolicLink(atPath: dir + "/" + person + "/" + photo,
                                                           withDestinationPath: KioskBinary.sample(photo))
            }
        }
        return dir
    }

    /// Template count per person name.
    static func templateCounts(_ path: String) throws -> [String: Int] {
        let database = try AppDatabase.open(path: path, createDirectory: false)
        #expect(try database.integrityCheck() == "ok")
        var counts: [String: Int] = [:]
        try database.writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT person.name AS name, COUNT(faceTemplate.id) AS n FROM person
                LEFT JOIN faceTemplate ON faceTemplate.personId = person.id GROUP BY person.id
                """)
            for row in rows { counts[row["name"]] = row["n"] }
        }
        return counts
    }

    @Test func wholePersonOrNothing() throws {
        let root = NSTemporaryDirectory() + "kiosk-kill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let people = try Self.importDirectory(in: root)

        // A complete import tells how long it takes and what "whole" means per person.
        let start = Date()
        let complete = try KioskBinary.run(["import", people, "--largest", "--db", root + "/complete.sqlite"])
        #expect(complete.status == 0, "\(complete.stderr)")
        let duration = Date().timeIntervalSince(start)
        let expected = try Self.templateCounts(root + "/complete.sqlite")
        #expect(!expected.isEmpty)

        var generator = SystemRandomNumberGenerator()
        var partialRuns = 0
        for attempt in 0..<10 {
            let db = root + "/killed-\(attempt).sqlite"
            let delay = Double.random(in: 0.05...max(0.1, duration), using: &generator)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: KioskBinary.path)
            process.arguments = ["import", people, "--largest", "--db", db]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            guard FileManager.default.fileExists(atPath: db) else { continue }  // killed before the database existed
            let found = try Self.templateCounts(db)
            if found.count < expected.count { partialRuns += 1 }
            for (name, templates) in found {
                #expect(templates == expected[name], "after kill at \(String(format: "%.2f", delay)) s, \(name) has \(templates) templates, expected \(expected[name] ?? -1)")
            }
        }
        // The kills must really land mid-import for the test to mean something.
        #expect(partialRuns > 0, "no kill interrupted the import")
    }
}
