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

    /// What `recordVisit` would report now, without writing: for the greeting shown
    /// before the visit is logged (a "Not me" then leaves no trace).
    public func visitPreview(personId: Int64, cooldown: TimeInterval, now: Date = Date()) throws(StoreError) -> VisitRecording {
        try read { db in
            let visits = Visit.filter(Column("personId") == personId)
            let count = try visits.fetchCount(db)
            let last = try Date.fetchOne(db, visits.select(max(Column("time"))))
            if VisitCounting.counts(now: now, lastVisit: last, cooldown: cooldown) {
                return VisitRecording(counted: true, visitNumber: count + 1, previousVisit: last)
            }
            let previous = try Date.fetchOne(db, visits.select(Column("time")).order(Column("time").desc).limit(1, offset: 1))
            return VisitRecording(counted: false, visitNumber: count, previousVisit: previous)
        }
    }
}
