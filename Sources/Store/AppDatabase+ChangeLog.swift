import Foundation
import GRDB
import Vision

/// What changed in the database since a desk last looked, from the `change` table that
/// triggers fill on every write to people, preferences, templates and settings — by
/// any process: another desk, the CLI, a second terminal.
public struct ChangeSet: Sendable, Equatable {
    /// The newest change seen; pass it to the next `changes(since:)`.
    public var latest: Int64
    /// People whose row, templates or preferences changed (or who were erased).
    public var people: Set<Int64> = []
    /// Whether any setting (the staff PIN among them) changed.
    public var settings = false
    /// False when the log no longer reaches back to `since` (it is trimmed): reload everything.
    public var complete = true

    public init(latest: Int64, people: Set<Int64> = [], settings: Bool = false, complete: Bool = true) {
        self.latest = latest
        self.people = people
        self.settings = settings
        self.complete = complete
    }

    public var isEmpty: Bool { people.isEmpty && !settings && complete }
}

extension AppDatabase {
    /// How many changes the log keeps: a desk that fell further behind reloads everything.
    static let changeLogLength: Int64 = 10_000

    /// The newest change number: one indexed lookup, cheap enough for every capture.
    public func latestChange() throws(StoreError) -> Int64 {
        try read { db in try Self.latestChange(db) }
    }

    static func latestChange(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM change ORDER BY seq DESC LIMIT 1") ?? 0
    }

    /// Everything that changed after change number `since`.
    public func changes(since: Int64) throws(StoreError) -> ChangeSet {
        try read { db in
            let latest = try Self.latestChange(db)
            if latest == since { return ChangeSet(latest: since) }
            // Behind the desk: the file was restored from a backup or replaced by a copy.
            // Only a full reload is right.
            if latest < since { return ChangeSet(latest: latest, complete: false) }
            let oldest = try Int64.fetchOne(db, sql: "SELECT seq FROM change ORDER BY seq LIMIT 1") ?? latest
            if oldest > since + 1 { return ChangeSet(latest: latest, complete: false) }
            var set = ChangeSet(latest: latest)
            let rows = try Row.fetchCursor(db, sql: "SELECT personId, kind FROM change WHERE seq > ?", arguments: [since])
            while let row = try rows.next() {
                if let personId: Int64 = row["personId"] { set.people.insert(personId) }
                if (row["kind"] as String) == "setting" { set.settings = true }
            }
            return set
        }
    }

    /// One person's gallery entry as stored now: the name and the embeddings of `model`,
    /// or nil when the person no longer exists.
    public func galleryEntry(personId: Int64, model: String = ModelFiles.embeddingModelID) throws(StoreError) -> (name: String, embeddings: [Embedding])? {
        try read { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM person WHERE id = ?", arguments: [personId]) else { return nil }
            let embeddings = try FaceTemplate.filter(Column("personId") == personId && Column("model") == model)
                .fetchAll(db).compactMap(\.vector)
            return (name, embeddings)
        }
    }

    /// Drops log entries beyond `changeLogLength`; desks further behind reload everything.
    static func trimChangeLog(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM change WHERE seq <= (SELECT MAX(seq) FROM change) - ?",
                       arguments: [changeLogLength])
    }
}
