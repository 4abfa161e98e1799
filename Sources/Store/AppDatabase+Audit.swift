import Foundation
import GRDB

/// One entry of the staff audit log.
public struct AuditEvent: Sendable, Equatable, Codable {
    public var id: Int64
    public var time: Date
    public var kioskId: String
    /// What happened: "staff view opened", "wrong staff PIN", "person erased", ...
    public var kind: String
    /// The particulars: a person's id, an export's path, how long a lockout lasts.
    public var detail: String

    public init(id: Int64, time: Date, kioskId: String, kind: String, detail: String) {
        self.id = id
        self.time = time
        self.kioskId = kioskId
        self.kind = kind
        self.detail = detail
    }
}

/// Where the staff PIN's lockout stands, shared by every desk on the database and kept
/// across restarts.
public struct PINLockState: Sendable, Equatable {
    /// Wrong PINs since the last correct one or the last lockout.
    public var failures = 0
    /// Lockouts in a row without a correct PIN between them (each lasts longer).
    public var lockouts = 0
    public var lockedUntil: Date?

    public init(failures: Int = 0, lockouts: Int = 0, lockedUntil: Date? = nil) {
        self.failures = failures
        self.lockouts = lockouts
        self.lockedUntil = lockedUntil
    }
}

extension AppDatabase {
    public func recordAudit(kind: String, detail: String, kioskId: String, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(sql: "INSERT INTO auditEvent (time, kioskId, kind, detail) VALUES (?, ?, ?, ?)",
                           arguments: [now, kioskId, kind, detail])
        }
    }

    /// Audit events, newest first, `limit` rows from `offset` (all when `limit` is nil).
    public func auditEvents(limit: Int? = nil, offset: Int = 0) throws(StoreError) -> [AuditEvent] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM auditEvent ORDER BY time DESC, id DESC LIMIT ? OFFSET ?",
                             arguments: [limit ?? -1, offset]).map {
                AuditEvent(id: $0["id"], time: $0["time"], kioskId: $0["kioskId"], kind: $0["kind"], detail: $0["detail"])
            }
        }
    }

    public func pinLockState() throws(StoreError) -> PINLockState {
        try read { db in try Self.pinLockState(db) }
    }

    /// Changes the lockout state in one transaction (two desks failing at once both count).
    public func updatePINLockState(_ change: @Sendable (inout PINLockState) -> Void) throws(StoreError) -> PINLockState {
        try write { db in
            var state = try Self.pinLockState(db)
            change(&state)
            defer { try? Self.trimChangeLog(db) }
            let values: [(String, String?)] = [
                ("staff_pin_failures", String(state.failures)), ("staff_pin_lockouts", String(state.lockouts)),
                ("staff_pin_locked_until", state.lockedUntil.map { String($0.timeIntervalSince1970) }),
            ]
            for (key, value) in values {
                if let value {
                    try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                   arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
                }
            }
            return state
        }
    }

    private static func pinLockState(_ db: Database) throws -> PINLockState {
        let rows = try Row.fetchAll(db, sql: """
            SELECT key, value FROM setting WHERE key IN ('staff_pin_failures', 'staff_pin_lockouts', 'staff_pin_locked_until')
            """)
        var values: [String: String] = [:]
        for row in rows { values[row["key"]] = row["value"] }
        return PINLockState(failures: values["staff_pin_failures"].flatMap { Int($0) } ?? 0,
                            lockouts: values["staff_pin_lockouts"].flatMap { Int($0) } ?? 0,
                            lockedUntil: values["staff_pin_locked_until"].flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) })
    }
}
