import Foundation
import GRDB
import Vision

/// A check-in to write: everything the desk decided, with an id of its own so that
/// writing it twice (a retry after an error, a queued visit delivered again) records
/// one visit.
public struct VisitCommit: Codable, Sendable, Equatable {
    /// A face seen at this check-in that may become an extra template of the person.
    public struct Lesson: Codable, Sendable, Equatable {
        public var embedding: [Float]
        public var quality: Double
        /// The face is learned only if it is this close to one of the person's enrollment
        /// templates: learned faces never drift away from the enrolled ones.
        public var maxDistanceToEnrolled: Double

        public init(embedding: Embedding, quality: Double, maxDistanceToEnrolled: Double) {
            self.embedding = embedding.values
            self.quality = quality
            self.maxDistanceToEnrolled = maxDistanceToEnrolled
        }
    }

    public var id: UUID
    public var personId: Int64
    public var time: Date
    public var kioskId: String
    public var distance: Double?
    public var quality: Double?
    /// A check-in within this many seconds of the person's last visit is not a new visit.
    public var cooldown: TimeInterval
    public var lesson: Lesson?

    public init(id: UUID = UUID(), personId: Int64, time: Date, kioskId: String, distance: Double?, quality: Double?,
                cooldown: TimeInterval, lesson: Lesson? = nil) {
        self.id = id
        self.personId = personId
        self.time = time
        self.kioskId = kioskId
        self.distance = distance
        self.quality = quality
        self.cooldown = cooldown
        self.lesson = lesson
    }
}

/// What writing a check-in did.
public struct CommittedVisit: Sendable, Equatable {
    public var recording: VisitRecording
    /// True when this check-in had been written before (same id): nothing new was written.
    public var wasAlreadyWritten: Bool
    /// Whether the face was kept as an extra template.
    public var learned: Bool

    public init(recording: VisitRecording, wasAlreadyWritten: Bool, learned: Bool) {
        self.recording = recording
        self.wasAlreadyWritten = wasAlreadyWritten
        self.learned = learned
    }
}

extension AppDatabase {
    /// At most this many learned templates per person; the oldest is replaced.
    public static let learnedTemplateLimit = 5

    /// Writes a check-in in one transaction: the cooldown, the visit number and what the
    /// face teaches are all decided inside it, so two desks (or two processes) checking
    /// in the same person at the same moment record one visit, with the right number.
    public func commitVisit(_ commit: VisitCommit) throws(StoreError) -> CommittedVisit {
        try write { db in
            guard try Person.exists(db, id: commit.personId) else { throw StoreError.personNotFound("id \(commit.personId)") }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM visit WHERE uuid = ?", arguments: [commit.id.uuidString]) == true {
                let visits = Visit.filter(Column("personId") == commit.personId)
                let previous = try Date.fetchOne(db, visits.select(Column("time")).order(Column("time").desc).limit(1, offset: 1))
                return CommittedVisit(recording: VisitRecording(counted: true, visitNumber: try visits.fetchCount(db), previousVisit: previous),
                                      wasAlreadyWritten: true, learned: false)
            }
            let recording = try Self.visitOutcome(db, personId: commit.personId, at: commit.time, cooldown: commit.cooldown)
            guard recording.counted else { return CommittedVisit(recording: recording, wasAlreadyWritten: false, learned: false) }
            try db.execute(sql: """
                INSERT INTO visit (personId, time, kioskId, distance, quality, uuid) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [commit.personId, commit.time, commit.kioskId, commit.distance, commit.quality, commit.id.uuidString])
            let learned = try commit.lesson.map { try Self.learn($0, personId: commit.personId, visit: commit.id, time: commit.time, db) } ?? false
            if learned { try Self.trimChangeLog(db) }
            return CommittedVisit(recording: recording, wasAlreadyWritten: false, learned: learned)
        }
    }

    /// The cooldown rule, in one place for the preview and the write: a check-in within
    /// `cooldown` seconds of another visit of the person, before or after it (a queued
    /// visit can arrive after later ones), is that same visit and not counted again.
    static func visitOutcome(_ db: Database, personId: Int64, at time: Date, cooldown: TimeInterval) throws -> VisitRecording {
        let visits = Visit.filter(Column("personId") == personId)
        let count = try visits.fetchCount(db)
        if cooldown > 0, try visits.filter(Column("time") > time.addingTimeInterval(-cooldown)
                                               && Column("time") < time.addingTimeInterval(cooldown)).fetchCount(db) > 0 {
            let previous = try Date.fetchOne(db, visits.select(Column("time")).order(Column("time").desc).limit(1, offset: 1))
            return VisitRecording(counted: false, visitNumber: count, previousVisit: previous)
        }
        let previous = try Date.fetchOne(db, visits.filter(Column("time") <= time).select(max(Column("time"))))
        return VisitRecording(counted: true, visitNumber: count + 1, previousVisit: previous)
    }

    /// Undoes a check-in the visitor disowned ("Not me"): the visit and any template
    /// learned from it are deleted. Returns false when there was nothing to undo.
    @discardableResult
    public func retractVisit(id: UUID) throws(StoreError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM faceTemplate WHERE visitUuid = ?", arguments: [id.uuidString])
            try db.execute(sql: "DELETE FROM visit WHERE uuid = ?", arguments: [id.uuidString])
            return db.changesCount > 0
        }
    }

    /// Keeps `lesson` as a learned template when it is close to an enrollment template
    /// of the person (so a chain of learned faces cannot walk towards someone else).
    private static func learn(_ lesson: VisitCommit.Lesson, personId: Int64, visit: UUID, time: Date, _ db: Database) throws -> Bool {
        // A queued visit read back from disk could carry anything: check before trusting it.
        guard lesson.embedding.count == Embedding.dimension, lesson.embedding.allSatisfy(\.isFinite) else { return false }
        let embedding = Embedding(lesson.embedding)
        let enrolled = try FaceTemplate.filter(Column("personId") == personId && Column("source") == FaceTemplate.Source.enrollment.rawValue)
            .fetchAll(db).compactMap(\.vector)
        guard let closest = enrolled.map({ embedding.distance(to: $0) }).min(), closest <= lesson.maxDistanceToEnrolled else { return false }
        let learned = FaceTemplate.filter(Column("personId") == personId && Column("source") == FaceTemplate.Source.match.rawValue)
        if try learned.fetchCount(db) >= learnedTemplateLimit, let oldest = try learned.order(Column("createdAt")).fetchOne(db) {
            _ = try oldest.delete(db)
        }
        try db.execute(sql: """
            INSERT INTO faceTemplate (personId, embedding, model, quality, createdAt, source, visitUuid)
            VALUES (?, ?, ?, ?, ?, 'match', ?)
            """, arguments: [personId, Data(embedding.bytes), ModelFiles.embeddingModelID, lesson.quality, time, visit.uuidString])
        return true
    }
}

/// How many face templates a person has: captured at enrollment, and learned from visits.
public struct TemplateCounts: Sendable, Equatable {
    public var enrolled: Int
    public var learned: Int

    public init(enrolled: Int, learned: Int) {
        self.enrolled = enrolled
        self.learned = learned
    }
}

extension AppDatabase {
    public func templateCounts(personId: Int64) throws(StoreError) -> TemplateCounts {
        try read { db in
            let templates = FaceTemplate.filter(Column("personId") == personId)
            return TemplateCounts(enrolled: try templates.filter(Column("source") == FaceTemplate.Source.enrollment.rawValue).fetchCount(db),
                                  learned: try templates.filter(Column("source") == FaceTemplate.Source.match.rawValue).fetchCount(db))
        }
    }

    /// Deletes the templates learned from a person's visits (staff found one wrong, or
    /// want recognition to rest on the enrollment captures only). Returns how many.
    @discardableResult
    public func removeLearnedTemplates(personId: Int64) throws(StoreError) -> Int {
        try write { db in
            defer { try? Self.trimChangeLog(db) }
            return try FaceTemplate.filter(Column("personId") == personId && Column("source") == FaceTemplate.Source.match.rawValue)
                .deleteAll(db)
        }
    }
}
