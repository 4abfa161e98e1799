import Foundation
import GRDB

extension AppDatabase {
    /// Every row, read in one transaction (a consistent picture while desks keep writing).
    public func snapshot() throws(StoreError) -> DatabaseSnapshot {
        try read { db in
            var snapshot = DatabaseSnapshot()
            snapshot.people = try Row.fetchAll(db, sql: "SELECT * FROM person ORDER BY id").map { row in
                DatabaseSnapshot.PersonRow(id: row["id"], uuid: (row["uuid"] as String?).flatMap(UUID.init(uuidString:)) ?? UUID(),
                                           name: row["name"], createdAt: row["createdAt"], consentAt: row["consentAt"],
                                           consentVersion: row["consentVersion"], notes: row["notes"])
            }
            snapshot.preferences = try Row.fetchAll(db, sql: "SELECT * FROM preference ORDER BY personId, position").map { row in
                DatabaseSnapshot.PreferenceRow(personId: row["personId"], position: row["position"], key: row["key"], value: row["value"])
            }
            snapshot.templates = try Row.fetchAll(db, sql: "SELECT * FROM faceTemplate ORDER BY id").map { row in
                DatabaseSnapshot.TemplateRow(id: row["id"], personId: row["personId"], embedding: [UInt8](row["embedding"] as Data),
                                             model: row["model"], quality: row["quality"], createdAt: row["createdAt"],
                                             source: row["source"], visitUuid: (row["visitUuid"] as String?).flatMap(UUID.init(uuidString:)))
            }
            snapshot.thumbnails = try Row.fetchAll(db, sql: "SELECT * FROM thumbnail ORDER BY personId").map { row in
                DatabaseSnapshot.ThumbnailRow(personId: row["personId"], jpeg: [UInt8](row["jpeg"] as Data), createdAt: row["createdAt"])
            }
            snapshot.visits = try Row.fetchAll(db, sql: "SELECT * FROM visit ORDER BY id").map { row in
                // Visits from before visit ids existed get one now, so they copy like the rest.
                DatabaseSnapshot.VisitRow(id: row["id"], uuid: (row["uuid"] as String?).flatMap(UUID.init(uuidString:)) ?? UUID(),
                                          personId: row["personId"], time: row["time"], kioskId: row["kioskId"],
                                          distance: row["distance"], quality: row["quality"])
            }
            snapshot.settings = try Row.fetchAll(db, sql: "SELECT key, value FROM setting ORDER BY key").map {
                DatabaseSnapshot.SettingRow(key: $0["key"], value: $0["value"])
            }
            snapshot.auditEvents = try Row.fetchAll(db, sql: "SELECT * FROM auditEvent ORDER BY id").map {
                AuditEvent(id: $0["id"], time: $0["time"], kioskId: $0["kioskId"], kind: $0["kind"], detail: $0["detail"])
            }
            return snapshot
        }
    }

    /// Whether the database holds no people, visits, settings or audit events.
    public func isEmpty() throws(StoreError) -> Bool {
        try read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM person) + (SELECT COUNT(*) FROM visit) + (SELECT COUNT(*) FROM setting)
                     + (SELECT COUNT(*) FROM auditEvent)
                """) == 0
        }
    }

    /// Writes `snapshot` with its ids, in one transaction, after deleting every row there
    /// was (the caller has checked the target is empty or was told to overwrite it).
    public func restore(_ snapshot: DatabaseSnapshot) throws(StoreError) {
        try write { db in
            for table in ["visit", "thumbnail", "faceTemplate", "preference", "person", "setting", "auditEvent"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            for p in snapshot.people {
                try db.execute(sql: """
                    INSERT INTO person (id, uuid, name, createdAt, consentAt, consentVersion, notes) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [p.id, p.uuid.uuidString, p.name, p.createdAt, p.consentAt, p.consentVersion, p.notes])
            }
            for p in snapshot.preferences {
                try db.execute(sql: "INSERT INTO preference (personId, position, key, value) VALUES (?, ?, ?, ?)",
                               arguments: [p.personId, p.position, p.key, p.value])
            }
            for t in snapshot.templates {
                try db.execute(sql: """
                    INSERT INTO faceTemplate (id, personId, embedding, model, quality, createdAt, source, visitUuid)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [t.id, t.personId, Data(t.embedding), t.model, t.quality, t.createdAt, t.source, t.visitUuid?.uuidString])
            }
            for t in snapshot.thumbnails {
                try db.execute(sql: "INSERT INTO thumbnail (personId, jpeg, createdAt) VALUES (?, ?, ?)",
                               arguments: [t.personId, Data(t.jpeg), t.createdAt])
            }
            for v in snapshot.visits {
                try db.execute(sql: """
                    INSERT INTO visit (id, uuid, personId, time, kioskId, distance, quality) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [v.id, v.uuid.uuidString, v.personId, v.time, v.kioskId, v.distance, v.quality])
            }
            for s in snapshot.settings {
                try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?)", arguments: [s.key, s.value])
            }
            for a in snapshot.auditEvents {
                try db.execute(sql: "INSERT INTO auditEvent (id, time, kioskId, kind, detail) VALUES (?, ?, ?, ?, ?)",
                               arguments: [a.id, a.time, a.kioskId, a.kind, a.detail])
            }
            try Self.trimChangeLog(db)
        }
        checkpoint()
    }
}
