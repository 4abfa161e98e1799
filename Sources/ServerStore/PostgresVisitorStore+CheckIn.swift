import DeskCore
import Foundation
import PostgresNIO
import Store
import Vision

extension PostgresVisitorStore {
    public func visitPreview(personId: Int64, cooldown: TimeInterval, now: Date) throws -> VisitRecording {
        try connection.withSession { session in try Self.visitOutcome(session, personId: personId, at: now, cooldown: cooldown) }
    }

    /// Writes a check-in in one transaction. The person's row is locked first, so check-ins
    /// of one person from several desks take turns: the second sees the first's visit and
    /// falls within the cooldown. A visit already written (same id) is reported, not
    /// written again.
    public func commitVisit(_ commit: VisitCommit) throws -> CommittedVisit {
        try connection.transaction { session in
            guard try session.value("SELECT id FROM person WHERE id = \(commit.personId) FOR UPDATE", as: Int64.self) != nil else {
                throw StoreError.personNotFound("id \(commit.personId)")
            }
            if try session.value("SELECT id FROM visit WHERE uuid = \(commit.id)", as: Int64.self) != nil {
                let row = try session.rows("""
                    SELECT COUNT(*), (SELECT time FROM visit WHERE person_id = \(commit.personId) ORDER BY time DESC LIMIT 1 OFFSET 1)
                    FROM visit WHERE person_id = \(commit.personId)
                    """)[0]
                let (count, previous) = try row.decode((Int64, Date?).self)
                return CommittedVisit(recording: VisitRecording(counted: true, visitNumber: Int(count), previousVisit: previous),
                                      wasAlreadyWritten: true, learned: false)
            }
            let recording = try Self.visitOutcome(session, personId: commit.personId, at: commit.time, cooldown: commit.cooldown)
            guard recording.counted else { return CommittedVisit(recording: recording, wasAlreadyWritten: false, learned: false) }
            try session.execute("""
                INSERT INTO visit (uuid, person_id, time, kiosk_id, distance, quality)
                VALUES (\(commit.id), \(commit.personId), \(commit.time), \(commit.kioskId), \(commit.distance), \(commit.quality))
                """)
            let learned = try commit.lesson.map { try Self.learn($0, personId: commit.personId, visit: commit.id, time: commit.time, session) } ?? false
            if learned { try Self.trimChangeLog(session) }
            return CommittedVisit(recording: recording, wasAlreadyWritten: false, learned: learned)
        }
    }

    /// The cooldown rule, as in the SQLite store: a check-in within `cooldown` seconds of
    /// another visit of the person, before or after it (a queued visit can arrive after
    /// later ones), is that same visit and not counted again.
    static func visitOutcome(_ session: ServerSession, personId: Int64, at time: Date, cooldown: TimeInterval) throws -> VisitRecording {
        let row = try session.rows("""
            SELECT COUNT(*),
                   COUNT(*) FILTER (WHERE time > \(time.addingTimeInterval(-cooldown)) AND time < \(time.addingTimeInterval(cooldown))),
                   MAX(time) FILTER (WHERE time <= \(time)),
                   (SELECT time FROM visit WHERE person_id = \(personId) ORDER BY time DESC LIMIT 1 OFFSET 1)
            FROM visit WHERE person_id = \(personId)
            """)[0]
        let (count, nearby, previousBefore, secondLatest) = try row.decode((Int64, Int64, Date?, Date?).self)
        if cooldown > 0, nearby > 0 {
            return VisitRecording(counted: false, visitNumber: Int(count), previousVisit: secondLatest)
        }
        return VisitRecording(counted: true, visitNumber: Int(count) + 1, previousVisit: previousBefore)
    }

    public func retractVisit(id: UUID) throws -> Bool {
        try connection.transaction { session in
            try session.execute("DELETE FROM face_template WHERE visit_uuid = \(id)")
            let deleted = try session.query("DELETE FROM visit WHERE uuid = \(id)")
            return (deleted.metadata.rows ?? 0) > 0
        }
    }

    /// Keeps `lesson` as a learned template when it is close to one of the person's
    /// enrollment templates; the oldest learned one goes beyond the limit.
    private static func learn(_ lesson: VisitCommit.Lesson, personId: Int64, visit: UUID, time: Date, _ session: ServerSession) throws -> Bool {
        guard lesson.embedding.count == Embedding.dimension, lesson.embedding.allSatisfy(\.isFinite) else { return false }
        let embedding = Embedding(lesson.embedding)
        let enrolled = try session.rows("SELECT embedding FROM face_template WHERE person_id = \(personId) AND source = 'enrollment'")
            .compactMap { Embedding(bytes: Array(try $0.decode(ByteBuffer.self).readableBytesView)) }
        guard let closest = enrolled.map({ embedding.distance(to: $0) }).min(), closest <= lesson.maxDistanceToEnrolled else { return false }
        let learned = try session.value("SELECT COUNT(*) FROM face_template WHERE person_id = \(personId) AND source = 'match'", as: Int64.self) ?? 0
        if learned >= Int64(AppDatabase.learnedTemplateLimit) {
            try session.execute("""
                DELETE FROM face_template WHERE id = (SELECT id FROM face_template WHERE person_id = \(personId) AND source = 'match'
                ORDER BY created_at, id LIMIT 1)
                """)
        }
        try session.execute("""
            INSERT INTO face_template (person_id, embedding, model, quality, created_at, source, visit_uuid)
            VALUES (\(personId), \(ByteBuffer(bytes: embedding.bytes)), \(ModelFiles.embeddingModelID), \(lesson.quality), \(time), 'match', \(visit))
            """)
        return true
    }
}
