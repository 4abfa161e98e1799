import DeskCore
import Foundation
import Logging
import PostgresNIO
import Store
import Vision

/// The visitor store on a PostgreSQL server shared by several desks. The same behaviour
/// as the SQLite file (one behavioural test suite runs on both): each call is one
/// transaction; check-ins are decided inside theirs, under a lock on the person's row, so
/// two desks checking in one person at the same moment record one visit.
public final class PostgresVisitorStore: VisitorStore, @unchecked Sendable {
    // @unchecked: the connection serialises every use of itself; the rest is immutable.
    public let address: ServerAddress
    let connection: ServerConnection
    private let password: String?
    private let logger: Logger
    var passwordForChecks: String? { password }
    var loggerForChecks: Logger { logger }
    private let listener = ChangeListenerHandle()

    public var location: String { address.description }

    /// How many change-log entries are kept: a desk further behind reloads everything.
    static let changeLogLength: Int64 = 10_000

    /// Connects and checks that the schema is this kiosk's (unless `checkSchema` is false,
    /// for `db migrate` and `doctor`).
    public init(address: ServerAddress, password: String?, checkSchema: Bool = true,
                logger: Logger = Logger(label: "kiosk.postgres")) throws(StoreError) {
        self.address = address
        self.password = password
        self.logger = logger
        connection = ServerConnection(address: address, password: password, logger: logger)
        if checkSchema {
            try connection.withSession { session in try ServerSchema.check(session, address: address) }
        }
    }

    deinit {
        listener.stop()
        connection.close()
    }

    /// Applies the migrations the server lacks; returns their names.
    public func migrate() throws(StoreError) -> [String] {
        try connection.withSession { session in try ServerSchema.migrate(session, address: address) }
    }

    /// The migrations applied on the server, oldest first.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try connection.withSession { session in try ServerSchema.applied(session) }
    }

    public static var knownMigrations: [String] { ServerSchema.migrations.map(\.id) }

    // MARK: live state

    public func latestChange() throws -> Int64 {
        try connection.withSession { session in try Self.latestChange(session) }
    }

    static func latestChange(_ session: ServerSession) throws -> Int64 {
        try session.value("SELECT COALESCE(MAX(seq), 0)::int8 FROM change", as: Int64.self) ?? 0
    }

    public func changes(since: Int64) throws -> ChangeSet {
        try connection.withSession { session in
            let row = try session.rows("SELECT COALESCE(MIN(seq), 0)::int8, COALESCE(MAX(seq), 0)::int8 FROM change")[0]
            let (oldest, latest) = try row.decode((Int64, Int64).self)
            if latest == since { return ChangeSet(latest: since) }
            // Behind the trimmed log, or ahead of the server (it was restored from a
            // backup, or this is another database): only a full reload is right.
            if latest < since || oldest > since + 1 { return ChangeSet(latest: latest, complete: false) }
            var set = ChangeSet(latest: latest)
            for row in try session.rows("SELECT person_id, kind FROM change WHERE seq > \(since) AND seq <= \(latest)") {
                let (personId, kind) = try row.decode((Int64?, String).self)
                if let personId { set.people.insert(personId) }
                if kind == "setting" { set.settings = true }
            }
            return set
        }
    }

    public func loadGallery(model: String) throws -> Gallery {
        try connection.withSession { session in
            var gallery = Gallery()
            for row in try session.rows("SELECT id, name FROM person") {
                let (id, name) = try row.decode((Int64, String).self)
                gallery.setName(name, personId: id)
            }
            // Only this model's templates travel, packed by the server into one row per
            // 10,000 (the ids as an array, the 512-byte embeddings end to end, both
            // aggregates reading the rows in the same order): decoding a row per template
            // cost more than the data itself at 100k.
            for row in try session.rows("""
                SELECT array_agg(person_id), string_agg(embedding, ''::bytea)
                FROM face_template WHERE model = \(model) GROUP BY id / 10000
                """) {
                let (personIds, packed) = try row.decode(([Int64], ByteBuffer).self)
                let size = Embedding.dimension * MemoryLayout<Float>.size
                guard packed.readableBytes == personIds.count * size else { throw StoreError.invalidInput("damaged templates on the server") }
                packed.withUnsafeReadableBytes { bytes in
                    for (index, personId) in personIds.enumerated() {
                        if let embedding = Embedding(bytes: Array(bytes[index * size ..< (index + 1) * size])) {
                            gallery.add(embedding, personId: personId)
                        }
                    }
                }
            }
            gallery.otherModelTemplates = Int(try session.value("SELECT COUNT(*) FROM face_template WHERE model <> \(model)", as: Int64.self) ?? 0)
            return gallery
        }
    }

    public func galleryEntry(personId: Int64, model: String) throws -> (name: String, embeddings: [Embedding])? {
        try connection.withSession { session in
            guard let name = try session.value("SELECT name FROM person WHERE id = \(personId)", as: String.self) else { return nil }
            let embeddings = try session.rows("SELECT embedding FROM face_template WHERE person_id = \(personId) AND model = \(model)")
                .compactMap { row in Embedding(bytes: Array(try row.decode(ByteBuffer.self).readableBytesView)) }
            return (name, embeddings)
        }
    }

    /// Calls `handler` whenever another process commits a change (NOTIFY), and once after
    /// each reconnection (notifications sent meanwhile were lost; the log has them).
    public func observeChanges(_ handler: @escaping @Sendable () -> Void) {
        listener.start(address: address, password: password, logger: logger, handler: handler)
    }

    // MARK: people

    public func enroll(_ enrollment: Enrollment, now: Date) throws -> Person {
        let enrollment = try enrollment.validated()
        return try connection.transaction { session in
            // Written before (a retry whose answer was lost): that person, once.
            if let row = try session.rows("SELECT id, created_at FROM person WHERE uuid = \(enrollment.id)").first {
                let (id, createdAt) = try row.decode((Int64, Date).self)
                return Person(id: id, name: enrollment.name, createdAt: createdAt,
                              consentAt: enrollment.consentVersion == nil ? nil : createdAt, consentVersion: enrollment.consentVersion)
            }
            let consentAt: Date? = enrollment.consentVersion == nil ? nil : now
            guard let id = try session.value("""
                INSERT INTO person (uuid, name, created_at, consent_at, consent_version)
                VALUES (\(enrollment.id), \(enrollment.name), \(now), \(consentAt), \(enrollment.consentVersion)) RETURNING id
                """, as: Int64.self) else { throw StoreError.invalidInput("the server did not return the new person's id") }
            for (position, preference) in enrollment.preferences.enumerated() {
                try session.execute("""
                    INSERT INTO preference (person_id, position, key, value) VALUES (\(id), \(position), \(preference.key), \(preference.value))
                    """)
            }
            for template in enrollment.templates {
                try session.execute("""
                    INSERT INTO face_template (person_id, embedding, model, quality, created_at, source)
                    VALUES (\(id), \(ByteBuffer(bytes: template.embedding.bytes)), \(enrollment.model), \(template.quality), \(now), 'enrollment')
                    """)
            }
            if let jpeg = enrollment.thumbnailJPEG {
                try session.execute("INSERT INTO thumbnail (person_id, jpeg, created_at) VALUES (\(id), \(ByteBuffer(bytes: jpeg)), \(now))")
            }
            if let kiosk = enrollment.firstVisitKiosk {
                try session.execute("""
                    INSERT INTO visit (uuid, person_id, time, kiosk_id, distance, quality)
                    VALUES (\(UUID()), \(id), \(now), \(kiosk), NULL, \(enrollment.templates.first?.quality))
                    """)
            }
            try Self.trimChangeLog(session)
            return Person(id: id, name: enrollment.name, createdAt: now, consentAt: consentAt, consentVersion: enrollment.consentVersion)
        }
    }

    /// Erases a person with everything of theirs (the rows cascade). The change log keeps
    /// the id and the fact, so every desk drops them from its gallery.
    public func forget(personId: Int64) throws {
        let deleted = try connection.transaction { session in
            let result = try session.query("DELETE FROM person WHERE id = \(personId)")
            try Self.trimChangeLog(session)
            return (result.metadata.rows ?? 0) > 0
        }
        if !deleted { throw StoreError.personNotFound("id \(personId)") }
    }

    public func purge(notSeenSince cutoff: Date) throws -> [String] {
        try connection.transaction { session in
            let names = try session.rows("""
                DELETE FROM person WHERE COALESCE((SELECT MAX(time) FROM visit WHERE visit.person_id = person.id), person.created_at) < \(cutoff)
                RETURNING name
                """).map { try $0.decode(String.self) }
            try Self.trimChangeLog(session)
            return names
        }
    }

    public func person(matching query: String) throws -> Person {
        try connection.withSession { session in
            let columns = "id, name, created_at, consent_at, consent_version, notes"
            if let id = Int64(query),
               let row = try session.rows(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM person WHERE id = $1", binds: Self.binds(id))).first {
                return try Self.person(row)
            }
            let named = try session.rows(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM person WHERE name = $1 ORDER BY id",
                                                       binds: Self.binds(query))).map(Self.person)
            if named.count == 1 { return named[0] }
            if named.count > 1 { throw StoreError.ambiguousName(query, ids: named.compactMap(\.id)) }
            throw StoreError.personNotFound(query)
        }
    }

    private static func person(_ row: PostgresRow) throws -> Person {
        let (id, name, createdAt, consentAt, consentVersion, notes) = try row.decode((Int64, String, Date, Date?, String?, String).self)
        return Person(id: id, name: name, createdAt: createdAt, consentAt: consentAt, consentVersion: consentVersion, notes: notes)
    }

    public func preferences(personId: Int64) throws -> [(key: String, value: String)] {
        try connection.withSession { session in
            try session.rows("SELECT key, value FROM preference WHERE person_id = \(personId) ORDER BY position")
                .map { row in let (key, value) = try row.decode((String, String).self); return (key: key, value: value) }
        }
    }

    public func setPreferences(personId: Int64, _ preferences: [(key: String, value: String)]) throws {
        let preferences = try Enrollment.validated(preferences: preferences)
        try connection.transaction { session in
            guard try session.value("SELECT id FROM person WHERE id = \(personId) FOR UPDATE", as: Int64.self) != nil else {
                throw StoreError.personNotFound("id \(personId)")
            }
            try session.execute("DELETE FROM preference WHERE person_id = \(personId)")
            for (position, preference) in preferences.enumerated() {
                try session.execute("""
                    INSERT INTO preference (person_id, position, key, value) VALUES (\(personId), \(position), \(preference.key), \(preference.value))
                    """)
            }
            try Self.trimChangeLog(session)
        }
    }

    public func thumbnail(personId: Int64) throws -> [UInt8]? {
        try connection.withSession { session in
            try session.value("SELECT jpeg FROM thumbnail WHERE person_id = \(personId)", as: ByteBuffer.self).map { Array($0.readableBytesView) }
        }
    }

    public func templateCounts(personId: Int64) throws -> TemplateCounts {
        try connection.withSession { session in
            let row = try session.rows("""
                SELECT COUNT(*) FILTER (WHERE source = 'enrollment'), COUNT(*) FILTER (WHERE source = 'match')
                FROM face_template WHERE person_id = \(personId)
                """)[0]
            let (enrolled, learned) = try row.decode((Int64, Int64).self)
            return TemplateCounts(enrolled: Int(enrolled), learned: Int(learned))
        }
    }

    public func removeLearnedTemplates(personId: Int64) throws -> Int {
        try connection.transaction { session in
            let result = try session.query("DELETE FROM face_template WHERE person_id = \(personId) AND source = 'match'")
            try Self.trimChangeLog(session)
            return result.metadata.rows ?? 0
        }
    }

    public func personCount() throws -> Int {
        try connection.withSession { session in Int(try session.value("SELECT COUNT(*) FROM person", as: Int64.self) ?? 0) }
    }

    // MARK: settings and staff

    public func staffPINHash() throws -> String? {
        try connection.withSession { session in try session.value("SELECT value FROM setting WHERE key = 'staff_pin'", as: String.self) }
    }

    public func setStaffPINHash(_ hash: String) throws {
        try connection.transaction { session in
            try session.execute("""
                INSERT INTO setting (key, value) VALUES ('staff_pin', \(hash)) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """)
        }
    }

    public func pinLockState() throws -> PINLockState {
        try connection.withSession { session in try Self.pinLockState(session) }
    }

    public func updatePINLockState(_ change: @Sendable (inout PINLockState) -> Void) throws -> PINLockState {
        try connection.transaction { session in
            // Two desks failing at the same moment both count.
            try session.execute("SELECT pg_advisory_xact_lock(75120012)")
            var state = try Self.pinLockState(session)
            change(&state)
            let values: [(String, String?)] = [
                ("staff_pin_failures", String(state.failures)), ("staff_pin_lockouts", String(state.lockouts)),
                ("staff_pin_locked_until", state.lockedUntil.map { String($0.timeIntervalSince1970) }),
            ]
            for (key, value) in values {
                if let value {
                    try session.execute("""
                        INSERT INTO setting (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        WHERE setting.value IS DISTINCT FROM excluded.value
                        """)
                } else {
                    try session.execute("DELETE FROM setting WHERE key = \(key)")
                }
            }
            try Self.trimChangeLog(session)
            return state
        }
    }

    private static func pinLockState(_ session: ServerSession) throws -> PINLockState {
        var values: [String: String] = [:]
        for row in try session.rows("""
            SELECT key, value FROM setting WHERE key IN ('staff_pin_failures', 'staff_pin_lockouts', 'staff_pin_locked_until')
            """) {
            let (key, value) = try row.decode((String, String).self)
            values[key] = value
        }
        return PINLockState(failures: values["staff_pin_failures"].flatMap { Int($0) } ?? 0,
                            lockouts: values["staff_pin_lockouts"].flatMap { Int($0) } ?? 0,
                            lockedUntil: values["staff_pin_locked_until"].flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) })
    }

    public func recordAudit(kind: String, detail: String, kioskId: String, now: Date) throws {
        try connection.withSession { session in
            try session.execute("INSERT INTO audit_event (time, kiosk_id, kind, detail) VALUES (\(now), \(kioskId), \(kind), \(detail))")
        }
    }

    public func auditEvents(limit: Int?, offset: Int) throws -> [AuditEvent] {
        try connection.withSession { session in
            try session.rows("""
                SELECT id, time, kiosk_id, kind, detail FROM audit_event ORDER BY time DESC, id DESC
                LIMIT \(limit.map(Int64.init)) OFFSET \(Int64(offset))
                """).map { row in
                let (id, time, kioskId, kind, detail) = try row.decode((Int64, Date, String, String, String).self)
                return AuditEvent(id: id, time: time, kioskId: kioskId, kind: kind, detail: detail)
            }
        }
    }

    // MARK: helpers

    static func trimChangeLog(_ session: ServerSession) throws {
        try session.execute("DELETE FROM change WHERE seq <= (SELECT MAX(seq) FROM change) - \(changeLogLength)")
    }

    static func binds(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }
}
