import Foundation
import GRDB
import Vision

/// A person with their visit statistics, as staff lists show them.
public struct PersonSummary: Sendable, Equatable, Codable {
    public let id: Int64
    public let name: String
    public let createdAt: Date
    public let visitCount: Int
    public let lastVisit: Date?
    public let preferences: [String: String]
    public let preferenceOrder: [String]
    public let consentVersion: String?

    public init(id: Int64, name: String, createdAt: Date, visitCount: Int, lastVisit: Date?, preferences: [String: String],
                preferenceOrder: [String], consentVersion: String?) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.visitCount = visitCount
        self.lastVisit = lastVisit
        self.preferences = preferences
        self.preferenceOrder = preferenceOrder
        self.consentVersion = consentVersion
    }
}

/// A visit joined with the visitor's name.
public struct VisitEntry: Sendable, Equatable, Codable {
    public let id: Int64
    public let personId: Int64
    public let name: String
    public let time: Date
    public let kioskId: String
    public let distance: Double?

    public init(id: Int64, personId: Int64, name: String, time: Date, kioskId: String, distance: Double?) {
        self.id = id
        self.personId = personId
        self.name = name
        self.time = time
        self.kioskId = kioskId
        self.distance = distance
    }
}

/// Filters for the visit log and the people list.
public struct ListFilter: Sendable {
    public var since: Date?
    public var until: Date?
    /// Case-insensitive substring of the name.
    public var name: String?
    /// One person only.
    public var personId: Int64?

    public init(since: Date? = nil, until: Date? = nil, name: String? = nil, personId: Int64? = nil) {
        self.since = since
        self.until = until
        self.name = name
        self.personId = personId
    }
}

extension AppDatabase {
    /// Finds one person by id ("12") or exact name. Several people with that name is an error.
    public func person(matching query: String) throws(StoreError) -> Person {
        try read { db in
            if let id = Int64(query), let person = try Person.fetchOne(db, id: id) { return person }
            let named = try Person.filter(Column("name") == query).fetchAll(db)
            if named.count == 1 { return named[0] }
            if named.count > 1 { throw StoreError.ambiguousName(query, ids: named.compactMap(\.id)) }
            throw StoreError.personNotFound(query)
        }
    }

    public func preferences(personId: Int64) throws(StoreError) -> [(key: String, value: String)] {
        try read { db in
            try Preference.filter(Column("personId") == personId).order(Column("position")).fetchAll(db)
                .map { (key: $0.key, value: $0.value) }
        }
    }

    public func thumbnail(personId: Int64) throws(StoreError) -> [UInt8]? {
        try read { db in try Thumbnail.fetchOne(db, key: personId).map { [UInt8]($0.jpeg) } }
    }

    public func personCount() throws(StoreError) -> Int {
        try read { db in try Person.fetchCount(db) }
    }

    /// Every template of `model`, as a searchable gallery. Templates of other models are
    /// counted in `otherModelTemplates` so the caller can ask for re-enrollment.
    public func loadGallery(model: String = ModelFiles.embeddingModelID) throws(StoreError) -> Gallery {
        try read { db in
            var gallery = Gallery()
            let names = try Row.fetchAll(db, sql: "SELECT id, name FROM person")
            for row in names { gallery.names[row["id"]] = row["name"] }
            let rows = try Row.fetchCursor(db, sql: "SELECT personId, embedding, model FROM faceTemplate")
            while let row = try rows.next() {
                guard (row["model"] as String) == model else { gallery.otherModelTemplates += 1; continue }
                let bytes: Data = row["embedding"]
                if let embedding = Embedding(bytes: [UInt8](bytes)) { gallery.add(embedding, personId: row["personId"]) }
            }
            return gallery
        }
    }

    /// One person's embeddings of `model`.
    public func embeddings(personId: Int64, model: String = ModelFiles.embeddingModelID) throws(StoreError) -> [Embedding] {
        try read { db in
            try FaceTemplate.filter(Column("personId") == personId && Column("model") == model).fetchAll(db).compactMap(\.vector)
        }
    }

    /// People by name with their visit count and last visit, `limit` rows from `offset`.
    /// Without a date filter only the page's people are counted (one indexed look-up
    /// each), so a staff page stays fast with tens of thousands of people.
    public func people(_ filter: ListFilter = ListFilter(), limit: Int? = nil, offset: Int = 0) throws(StoreError) -> [PersonSummary] {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let name = filter.name { conditions.append("instr(lower(person.name), lower(?)) > 0"); _ = arguments.append(contentsOf: [name]) }
            let sql: String
            if filter.since == nil && filter.until == nil {
                sql = """
                    SELECT person.id, person.name, person.createdAt, person.consentVersion,
                           (SELECT COUNT(*) FROM visit WHERE visit.personId = person.id) AS visitCount,
                           (SELECT MAX(time) FROM visit WHERE visit.personId = person.id) AS lastVisit
                    FROM person
                    \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                    ORDER BY person.name COLLATE NOCASE, person.id
                    """
            } else {
                var having: [String] = []
                if let since = filter.since { having.append("MAX(visit.time) >= ?"); _ = arguments.append(contentsOf: [since]) }
                if let until = filter.until { having.append("MAX(visit.time) < ?"); _ = arguments.append(contentsOf: [until]) }
                sql = """
                    SELECT person.id, person.name, person.createdAt, person.consentVersion,
                           COUNT(visit.id) AS visitCount, MAX(visit.time) AS lastVisit
                    FROM person LEFT JOIN visit ON visit.personId = person.id
                    \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                    GROUP BY person.id
                    HAVING \(having.joined(separator: " AND "))
                    ORDER BY person.name COLLATE NOCASE, person.id
                    """
            }
            let paged = sql + " LIMIT ? OFFSET ?"
            _ = arguments.append(contentsOf: [limit ?? -1, offset])
            return try Row.fetchAll(db, sql: paged, arguments: arguments).map { row in
                let id: Int64 = row["id"]
                let preferences = try Preference.filter(Column("personId") == id).order(Column("position")).fetchAll(db)
                return PersonSummary(
                    id: id, name: row["name"], createdAt: row["createdAt"], visitCount: row["visitCount"],
                    lastVisit: row["lastVisit"],
                    preferences: Dictionary(preferences.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                    preferenceOrder: preferences.map(\.key), consentVersion: row["consentVersion"])
            }
        }
    }

    /// Visits, newest first.
    public func visits(_ filter: ListFilter = ListFilter(), limit: Int? = nil, offset: Int = 0) throws(StoreError) -> [VisitEntry] {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let since = filter.since { conditions.append("visit.time >= ?"); _ = arguments.append(contentsOf: [since]) }
            if let until = filter.until { conditions.append("visit.time < ?"); _ = arguments.append(contentsOf: [until]) }
            if let name = filter.name { conditions.append("instr(lower(person.name), lower(?)) > 0"); _ = arguments.append(contentsOf: [name]) }
            if let personId = filter.personId { conditions.append("visit.personId = ?"); _ = arguments.append(contentsOf: [personId]) }
            var sql = """
                SELECT visit.id, visit.personId, person.name, visit.time, visit.kioskId, visit.distance
                FROM visit JOIN person ON person.id = visit.personId
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY visit.time DESC, visit.id DESC
                """
            sql += " LIMIT ? OFFSET ?"
            _ = arguments.append(contentsOf: [limit ?? -1, offset])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                VisitEntry(id: row["id"], personId: row["personId"], name: row["name"], time: row["time"],
                           kioskId: row["kioskId"], distance: row["distance"])
            }
        }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }
}
