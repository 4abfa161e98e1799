import Foundation
import GRDB
import Testing
@testable import Store
import Vision

@Suite("Database files: permissions, refusal, erasure, concurrency")
struct DatabaseFileTests {
    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func createdPrivateInAPrivateDirectory() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/data/kiosk/kiosk.sqlite"
        let database = try AppDatabase.open(path: path, createDirectory: true)
        var factory = EmbeddingFactory(state: 10)
        try database.enroll(enrollment("Private", [factory.embedding()]))
        #expect(try mode(path) == 0o600)
        #expect(try mode(root + "/data/kiosk") == 0o700)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            #expect(try mode(path + suffix) == 0o600, "\(suffix) is readable by others")
        }
    }

    @Test func reopeningKeepsDataAndDoesNotMigrateTwice() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite"
        var factory = EmbeddingFactory(state: 11)
        do {
            let database = try AppDatabase.open(path: path, createDirectory: false)
            try database.enroll(enrollment("Kept", [factory.embedding()]))
        }
        let again = try AppDatabase.open(path: path, createDirectory: false)
        #expect(try again.people().map(\.name) == ["Kept"])
        #expect(try again.integrityCheck() == "ok")
    }

    @Test func missingDirectoryIsNamedWhenNotAskedToCreateIt() {
        let path = "/nonexistent-kiosk-dir/sub/kiosk.sqlite"
        #expect(throws: StoreError.directoryUnusable(path: "/nonexistent-kiosk-dir/sub", reason: "no such directory")) {
            try AppDatabase.open(path: path, createDirectory: false)
        }
    }

    @Test func garbageFileIsRefusedAndLeftUntouched() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite"
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = thrownError { try AppDatabase.open(path: path, createDirectory: false) } as? StoreError
        guard case .notADatabase(let named, _)? = error else {
            Issue.record("expected notADatabase, got \(String(describing: error))")
            return
        }
        #expect(named == path)
        #expect(FileManager.default.contents(atPath: path) == garbage)
    }

    @Test func foreignDatabaseIsRefusedAndLeftUntouched() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/other.sqlite"
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)")
        }
        let before = FileManager.default.contents(atPath: path)
        #expect(throws: StoreError.foreignDatabase(path: path)) { try AppDatabase.open(path: path, createDirectory: false) }
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test func databaseFromANewerVersionIsRefused() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite"
        do {
            let database = try AppDatabase.open(path: path, createDirectory: false)
            try database.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
            }
        }
        #expect(throws: StoreError.newerVersion(path: path, unknownMigrations: ["v99: from the future"])) {
            try AppDatabase.open(path: path, createDirectory: false)
        }
    }

    @Test func erasedEmbeddingBytesAreGoneFromTheFile() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite"
        let database = try AppDatabase.open(path: path, createDirectory: false)
        var factory = EmbeddingFactory(state: 12)
        for i in 0..<5 { try database.enroll(enrollment("Stays \(i)", [factory.embedding()])) }
        let secret = factory.embedding()
        let person = try database.enroll(enrollment("Erase Me", [secret, factory.near(secret, distance: 0.1)],
                                                    preferences: [("secret-key", "secret-value-7431")]))
        for i in 5..<10 { try database.enroll(enrollment("Stays \(i)", [factory.embedding()])) }
        database.checkpoint()
        let needle = Data(secret.bytes)
        func fileContainsSecret() -> Bool {
            ["", "-wal"].contains { suffix in
                FileManager.default.contents(atPath: path + suffix).map { $0.range(of: needle) != nil } ?? false
            }
        }
        func fileContainsText(_ text: String) -> Bool {
            ["", "-wal"].contains { suffix in
                FileManager.default.contents(atPath: path + suffix).map { $0.range(of: Data(text.utf8)) != nil } ?? false
            }
        }
        #expect(fileContainsSecret(), "the test must see the embedding in the file before erasure")
        #expect(fileContainsText("secret-value-7431"))
        try database.forget(personId: person.id!)
        #expect(!fileContainsSecret(), "the erased embedding is still in the database file")
        #expect(!fileContainsText("secret-value-7431"))
        #expect(!fileContainsText("Erase Me"))
        #expect(try database.people().count == 10)
    }

    @Test func twoWritersAtOnceBothSucceed() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/kiosk.sqlite"
        // Two independent connections, as a TUI and a CLI command would have.
        let tui = try AppDatabase.open(path: path, createDirectory: false)
        let cli = try AppDatabase.open(path: path, createDirectory: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (offset, database) in [tui, cli].enumerated() {
                group.addTask {
                    var factory = EmbeddingFactory(state: UInt64(20 + offset))
                    for i in 0..<40 {
                        try database.enroll(enrollment("Writer \(offset) #\(i)", [factory.embedding()], firstVisitKiosk: "desk"))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try tui.personCount() == 80)
        #expect(try cli.visits().count == 80)
        #expect(try cli.integrityCheck() == "ok")
    }
}
