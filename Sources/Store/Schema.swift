import GRDB

/// The one place that defines the database schema. Migrations are ordered and never
/// edited once they have shipped: a change is a new migration appended at the end.
enum Schema {
    static let migrationIdentifiers = [
        "v1: people, preferences, templates, thumbnails, visits",
        "v2: kiosk settings (staff PIN hash)",
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
        return migrator
    }
}
