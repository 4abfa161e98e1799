import Foundation
import GRDB
import Vision

/// What recording a check-in did.
public struct VisitRecording: Sendable, Equatable {
    /// False when the person checked in within the cooldown: no new visit was counted.
    public let counted: Bool
    /// The person's visit number after this check-in (1 for the first visit).
    public let visitNumber: Int
    /// The visit before this one, if any.
    public let previousVisit: Date?

    public init(counted: Bool, visitNumber: Int, previousVisit: Date?) {
        self.counted = counted
        self.visitNumber = visitNumber
        self.previousVisit = previousVisit
    }
}

extension AppDatabase {
    /// Stores a new person with everything they come with, atomically: after a crash at
    /// any point the database holds the whole person or nothing.
    @discardableResult
    public func enroll(_ enrollment: Enrollment, now: Date = Date()) throws(StoreError) -> Person {
        let enrollment = try enrollment.validated()  // normalised: NFC, trimmed, no control characters
        return try write { db in
            // Written before (a retry whose answer was lost): that person, once.
            if let existing = try Person.filter(Column("uuid") == enrollment.id.uuidString).fetchOne(db) { return existing }
            var person = Person(name: enrollment.name, createdAt: now,
                                consentAt: enrollment.consentVersion == nil ? nil : now,
                                consentVersion: enrollment.consentVersion, uuid: enrollment.id.uuidString)
            try person.insert(db)
            let id = person.id!
            for (position, preference) in enrollment.preferences.enumerated() {
                var row = Preference(personId: id, position: position, key: preference.key, value: preference.value)
                try row.insert(db)
            }
            for template in enrollment.templates {
                var row = FaceTemplate(personId: id, embedding: template.embedding, model: enrollment.model,
                                       quality: template.quality, createdAt: now, source: .enrollment)
                try row.insert(db)
            }
            if let jpeg = enrollment.thumbnailJPEG {
                try Thumbnail(personId: id, jpeg: Data(jpeg), createdAt: now).insert(db)
            }
            if let kiosk = enrollment.firstVisitKiosk {
                var visit = Visit(personId: id, time: now, kioskId: kiosk, distance: nil,
                                  quality: enrollment.templates.first?.quality)
                try visit.insert(db)
            }
            try Self.trimChangeLog(db)
            return person
        }
    }

    /// Logs a check-in unless the person has another visit within `cooldown` seconds
    /// (a visitor pressed twice, or walked back past the camera): `commitVisit` without
    /// an id of its own or anything to learn.
    public func recordVisit(personId: Int64, kioskId: String, distance: Double?, quality: Double?,
                            cooldown: TimeInterval, now: Date = Date()) throws(StoreError) -> VisitRecording {
        try commitVisit(VisitCommit(personId: personId, time: now, kioskId: kioskId, distance: distance, quality: quality,
                                    cooldown: cooldown)).recording
    }

    /// Replaces a person's preferences with `preferences`, in order.
    public func setPreferences(personId: Int64, _ preferences: [(key: String, value: String)]) throws(StoreError) {
        let preferences = try Enrollment.validated(preferences: preferences)
        try write { db in
            guard try Person.exists(db, id: personId) else { throw StoreError.personNotFound("id \(personId)") }
            try Preference.filter(Column("personId") == personId).deleteAll(db)
            defer { try? Self.trimChangeLog(db) }
            for (position, preference) in preferences.enumerated() {
                var row = Preference(personId: personId, position: position, key: preference.key, value: preference.value)
                try row.insert(db)
            }
        }
    }

    /// Erases a person completely: preferences, templates, thumbnail and visits go with
    /// them in one transaction, and the freed pages are overwritten (`secure_delete`).
    /// The WAL is then checkpointed and truncated so no copy of the old pages remains.
    public func forget(personId: Int64) throws(StoreError) {
        let deleted = try write { db in
            defer { try? Self.trimChangeLog(db) }
            return try Person.deleteOne(db, id: personId)
        }
        if !deleted { throw .personNotFound("id \(personId)") }
        checkpoint()
    }

    /// Erases everyone whose last visit (or enrollment, if never seen) is older than `cutoff`.
    /// Returns the names erased.
    public func purge(notSeenSince cutoff: Date) throws(StoreError) -> [String] {
        let erased = try write { db -> [String] in
            let stale = try Row.fetchAll(db, sql: """
                SELECT person.id, person.name FROM person
                LEFT JOIN visit ON visit.personId = person.id
                GROUP BY person.id
                HAVING COALESCE(MAX(visit.time), person.createdAt) < ?
                """, arguments: [cutoff])
            for row in stale { _ = try Person.deleteOne(db, id: row["id"] as Int64) }
            return stale.map { $0["name"] as String }
        }
        if !erased.isEmpty { checkpoint() }
        return erased
    }

    /// Moves WAL content into the main file and truncates the WAL to zero bytes.
    /// Best effort: if a reader holds the WAL, the next checkpoint finishes the job.
    func checkpoint() {
        _ = try? writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Runs `body` in one write transaction, mapping errors to `StoreError`.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch {
            // A full disk, a read-only file or an unopenable one is said as such.
            throw StoreError(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
