import Foundation
import PostgresNIO
import Store

/// `kiosk db copy` on the server side: every row with its ids, read in one repeatable-read
/// transaction and written in one transaction.
extension PostgresVisitorStore {
    public func snapshot() throws(StoreError) -> DatabaseSnapshot {
        try connection.withSession { session in
            try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { try? session.execute("COMMIT") }
            var snapshot = DatabaseSnapshot()
            snapshot.people = try session.rows("""
                SELECT id, uuid, name, created_at, consent_at, consent_version, notes FROM person ORDER BY id
                """).map { row in
                let (id, uuid, name, createdAt, consentAt, consentVersion, notes) = try row.decode((Int64, UUID, String, Date, Date?, String?, String).self)
                return .init(id: id, uuid: uuid, name: name, createdAt: createdAt, consentAt: consentAt, consentVersion: consentVersion, notes: notes)
            }
            snapshot.preferences = try session.rows("SELECT person_id, position, key, value FROM preference ORDER BY person_id, position").map { row in
                let (personId, position, key, value) = try row.decode((Int64, Int32, String, String).self)
                return .init(personId: personId, position: Int(position), key: key, value: value)
            }
            snapshot.templates = try session.rows("""
                SELECT id, person_id, embedding, model, quality, created_at, source, visit_uuid FROM face_template ORDER BY id
                """).map { row in
                let (id, personId, embedding, model, quality, createdAt, source, visitUuid) =
                    try row.decode((Int64, Int64, ByteBuffer, String, Double, Date, String, UUID?).self)
                return .init(id: id, personId: personId, embedding: Array(embedding.readableBytesView), model: model, quality: quality,
                             createdAt: createdAt, source: source, visitUuid: visitUuid)
            }
            snapshot.thumbnails = try session.rows("SELECT person_id, jpeg, created_at FROM thumbnail ORDER BY person_id").map { row in
                let (personId, jpeg, createdAt) = try row.decode((Int64, ByteBuffer, Date).self)
                return .init(personId: personId, jpeg: Array(jpeg.readableBytesView), createdAt: createdAt)
            }
            snapshot.visits = try session.rows("""
                SELECT id, uuid, person_id, time, kiosk_id, distance, quality FROM visit ORDER BY id
                """).map { row in
                let (id, uuid, personId, time, kioskId, distance, quality) = try row.decode((Int64, UUID, Int64, Date, String, Double?, Double?).self)
                return .init(id: id, uuid: uuid, personId: personId, time: time, kioskId: kioskId, distance: distance, quality: quality)
            }
            snapshot.settings = try session.rows("SELECT key, value FROM setting ORDER BY key").map { row in
                let (key, value) = try row.decode((String, String).self)
                return .init(key: key, value: value)
            }
            snapshot.auditEvents = try session.rows("SELECT id, time, kiosk_id, kind, detail FROM audit_event ORDER BY id").map { row in
                let (id, time, kioskId, kind, detail) = try row.decode((Int64, Date, String, String, String).self)
                return AuditEvent(id: id, time: time, kioskId: kioskId, kind: kind, detail: detail)
            }
            return snapshot
        }
    }

    public func isEmpty() throws(StoreError) -> Bool {
        try connection.withSession { session in
            try session.value("""
                SELECT (SELECT COUNT(*) FROM person) + (SELECT COUNT(*) FROM visit) + (SELECT COUNT(*) FROM setting)
                     + (SELECT COUNT(*) FROM audit_event)
                """, as: Int64.self) == 0
        }
    }

    /// Writes `snapshot` with its ids after deleting every row, in one transaction; the id
    /// sequences then continue after the highest copied id, so new rows never collide.
    public func restore(_ snapshot: DatabaseSnapshot) throws(StoreError) {
        try connection.transaction { session in
            try session.execute("DELETE FROM visit")
            try session.execute("DELETE FROM thumbnail")
            try session.execute("DELETE FROM face_template")
            try session.execute("DELETE FROM preference")
            try session.execute("DELETE FROM person")
            try session.execute("DELETE FROM setting")
            try session.execute("DELETE FROM audit_event")
            for p in snapshot.people {
                try session.execute("""
                    INSERT INTO person (id, uuid, name, created_at, consent_at, consent_version, notes)
                    VALUES (\(p.id), \(p.uuid), \(p.name), \(p.createdAt), \(p.consentAt), \(p.consentVersion), \(p.notes))
                    """)
            }
            for p in snapshot.preferences {
                try session.execute("""
                    INSERT INTO preference (person_id, position, key, value) VALUES (\(p.personId), \(Int32(p.position)), \(p.key), \(p.value))
                    """)
            }
            for t in snapshot.templates {
                try session.execute("""
                    INSERT INTO face_template (id, person_id, embedding, model, quality, created_at, source, visit_uuid)
                    VALUES (\(t.id), \(t.personId), \(ByteBuffer(bytes: t.embedding)), \(t.model), \(t.quality), \(t.createdAt), \(t.source), \(t.visitUuid))
                    """)
            }
            for t in snapshot.thumbnails {
                try session.execute("""
                    INSERT INTO thumbnail (person_id, jpeg, created_at) VALUES (\(t.personId), \(ByteBuffer(bytes: t.jpeg)), \(t.createdAt))
                    """)
            }
            for v in snapshot.visits {
                try session.execute("""
                    INSERT INTO visit (id, uuid, person_id, time, kiosk_id, distance, quality)
                    VALUES (\(v.id), \(v.uuid), \(v.personId), \(v.time), \(v.kioskId), \(v.distance), \(v.quality))
                    """)
            }
            for s in snapshot.settings {
                try session.execute("INSERT INTO setting (key, value) VALUES (\(s.key), \(s.value))")
            }
            for a in snapshot.auditEvents {
                try session.execute("""
                    INSERT INTO audit_event (id, time, kiosk_id, kind, detail) VALUES (\(a.id), \(a.time), \(a.kioskId), \(a.kind), \(a.detail))
                    """)
            }
            for table in ["person", "face_template", "visit", "audit_event"] {
                try session.execute(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT MAX(id) FROM \(table)), 0) + 1, false)
                    """))
            }
            try Self.trimChangeLog(session)
        }
    }
}
