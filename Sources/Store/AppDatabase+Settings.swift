import Foundation
import GRDB

extension AppDatabase {
    /// The staff PIN's salted slow hash (see PINHash), or nil when no PIN is set.
    public func staffPINHash() throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'staff_pin'") }
    }

    public func setStaffPINHash(_ hash: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "INSERT INTO setting (key, value) VALUES ('staff_pin', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [hash])
        }
    }

    /// What committing a visit now would report, without writing: for the greeting
    /// shown while the visit is written.
    public func visitPreview(personId: Int64, cooldown: TimeInterval, now: Date = Date()) throws(StoreError) -> VisitRecording {
        try read { db in try Self.visitOutcome(db, personId: personId, at: now, cooldown: cooldown) }
    }
}
