import Foundation
import GRDB

/// The one place that defines the database schema. Migrations are ordered and never
/// edited once they have shipped: a change is a new migration appended at the end.
enum Schema {
    static let migrationIdentifiers = [
        "v1: people, preferences, templates, thumbnails, visits",
        "v2: kiosk settings (staff PIN hash)",
        "v3: change log for live desks, visit ids for exactly-once delivery",
        "v4: staff audit log",
        "v5: person ids made by the desk, for idempotent enrollment and copies between databases",
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationIdentifiers[0]) { db in
            try db.create(table: "person") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().check { length($0) > 0 }
                t.column("createdAt", .datetime).notNull()
                t.column("consentAt", .datetime)
                t.column("consentVersion", .text)
                t.column("notes", .text).notNull().defaults(to: "")
            }
            try db.create(index: "person_on_name", on: "person", columns: ["name"])

            try db.create(table: "preference") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("person", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull()
                t.column("key", .text).notNull().check { length($0) > 0 }
                t.column("value", .text).notNull()
                t.uniqueKey(["personId", "key"])
            }

            try db.create(table: "faceTemplate") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("person", onDelete: .cascade).notNull()
                t.column("embedding", .blob).notNull().check { length($0) == 512 }
                t.column("model", .text).notNull()
                t.column("quality", .double).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("source", .text).notNull().check { ["enrollment", "match"].contains($0) }
            }

            try db.create(table: "thumbnail") { t in
                t.primaryKey("personId", .integer).references("person", onDelete: .cascade)
                t.column("jpeg", .blob).notNull()
                t.column("createdAt", .datetime).notNull()
            }

            try db.create(table: "visit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("person", onDelete: .cascade).notNull()
                t.column("time", .datetime).notNull()
                t.column("kioskId", .text).notNull()
                t.column("distance", .double)
                t.column("quality", .double)
            }
            try db.create(index: "visit_on_time", on: "visit", columns: ["time"])
        }
        migrator.registerMigration(migrationIdentifiers[1]) { db in
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        migrator.registerMigration(migrationIdentifiers[2]) { db in
            // Every write to people, preferences, templates or settings leaves a numbered
            // entry, whichever process made it: a running desk reads the entries after the
            // last one it saw and reloads only what they name. Triggers, not application
            // code, so that no writer (an older CLI, a script) can forget to log. An entry
            // holds an id and a kind, never a person's data: it survives their erasure.
            try db.create(table: "change") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("personId", .integer)
                t.column("kind", .text).notNull()
            }
            for (table, personColumn, kind) in [("person", "id", "person"), ("preference", "personId", "person"),
                                                ("faceTemplate", "personId", "person"), ("setting", nil, "setting")] as [(String, String?, String)] {
                for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                    let person = personColumn.map { "\(row).\($0)" } ?? "NULL"
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_\(event.lowercased())_logs_change AFTER \(event) ON \(table)
                        BEGIN INSERT INTO change (personId, kind) VALUES (\(person), '\(kind)'); END
                        """)
                }
            }
            // A visit's own id makes delivery idempotent: a retried or queued check-in is
            // written once. Learned templates remember the visit that taught them, so a
            // "Not me" undoes both.
            try db.alter(table: "visit") { t in t.add(column: "uuid", .text) }
            try db.create(index: "visit_on_uuid", on: "visit", columns: ["uuid"], unique: true)
            try db.alter(table: "faceTemplate") { t in t.add(column: "visitUuid", .text) }
            try db.create(index: "faceTemplate_on_visitUuid", on: "faceTemplate", columns: ["visitUuid"])
            // Staff pages list people by name, case-insensitively.
            try db.execute(sql: "CREATE INDEX person_on_name_nocase ON person (name COLLATE NOCASE, id)")
        }
        migrator.registerMigration(migrationIdentifiers[3]) { db in
            // What staff did and what was tried at the staff PIN. Kept when a person is
            // erased (the event names an id, never the person's data).
            try db.create(table: "auditEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time", .datetime).notNull()
                t.column("kioskId", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("detail", .text).notNull().defaults(to: "")
            }
            try db.create(index: "auditEvent_on_time", on: "auditEvent", columns: ["time"])
        }
        migrator.registerMigration(migrationIdentifiers[4]) { db in
            // The id a desk gives a person when enrolling: writing the enrollment twice
            // (a retry after the answer was lost) makes one person, and a copy between
            // SQLite and a server keeps who is who.
            try db.alter(table: "person") { t in t.add(column: "uuid", .text) }
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM person") {
                try db.execute(sql: "UPDATE person SET uuid = ? WHERE id = ?", arguments: [UUID().uuidString, id])
            }
            try db.create(index: "person_on_uuid", on: "person", columns: ["uuid"], unique: true)
            try db.execute(sql: "DELETE FROM change WHERE seq <= (SELECT MAX(seq) FROM change) - 10000")
        }
        return migrator
    }
}
