import Foundation
import Store
import Vision

/// Everything the front desk asks of its database. The core, the CLI and the TUI reach
/// visitor data only through this protocol, so a second backend (a server shared by
/// several desks) plugs in without touching them. SQLite's `AppDatabase` is the first.
///
/// Calls block (file or network I/O): the front desk makes them from its own thread,
/// never from the screen's or the cooperative pool's.
public protocol VisitorStore: AnyObject, Sendable {
    /// Where the data lives, for messages: a file path, or a server address without secrets.
    var location: String { get }

    // MARK: live state
    /// The newest change number; cheap, asked before every decision.
    func latestChange() throws -> Int64
    /// What changed after change number `since`, by any process.
    func changes(since: Int64) throws -> ChangeSet
    func loadGallery(model: String) throws -> Gallery
    /// One person's name and templates as stored now; nil once they are erased.
    func galleryEntry(personId: Int64, model: String) throws -> (name: String, embeddings: [Embedding])?
    /// Calls `handler` soon after another process changes the data, where the backend can
    /// tell (a server's notifications). An SQLite file cannot: desks on it poll `latestChange`.
    func observeChanges(_ handler: @escaping @Sendable () -> Void)

    // MARK: check-in
    /// What committing a visit now would report, without writing.
    func visitPreview(personId: Int64, cooldown: TimeInterval, now: Date) throws -> VisitRecording
    /// Writes a check-in in one transaction (idempotent by `VisitCommit.id`).
    func commitVisit(_ commit: VisitCommit) throws -> CommittedVisit
    /// Deletes a check-in and what was learned from it; false when there was none.
    func retractVisit(id: UUID) throws -> Bool

    // MARK: people
    func enroll(_ enrollment: Enrollment, now: Date) throws -> Person
    func forget(personId: Int64) throws
    func purge(notSeenSince cutoff: Date) throws -> [String]
    func person(matching query: String) throws -> Person
    func preferences(personId: Int64) throws -> [(key: String, value: String)]
    func setPreferences(personId: Int64, _ preferences: [(key: String, value: String)]) throws
    func thumbnail(personId: Int64) throws -> [UInt8]?
    func templateCounts(personId: Int64) throws -> TemplateCounts
    /// Deletes the templates learned from visits; returns how many.
    func removeLearnedTemplates(personId: Int64) throws -> Int
    func personCount() throws -> Int
    /// People by name, `limit` rows from `offset` (all when `limit` is nil).
    func people(_ filter: ListFilter, limit: Int?, offset: Int) throws -> [PersonSummary]
    /// Visits, newest first, `limit` rows from `offset` (all when `limit` is nil).
    func visits(_ filter: ListFilter, limit: Int?, offset: Int) throws -> [VisitEntry]

    // MARK: settings and staff
    func staffPINHash() throws -> String?
    func setStaffPINHash(_ hash: String) throws
    func pinLockState() throws -> PINLockState
    /// Changes the PIN lockout state in one transaction.
    func updatePINLockState(_ change: @Sendable (inout PINLockState) -> Void) throws -> PINLockState
    func recordAudit(kind: String, detail: String, kioskId: String, now: Date) throws
    /// Audit events, newest first.
    func auditEvents(limit: Int?, offset: Int) throws -> [AuditEvent]
}

extension AppDatabase: VisitorStore {
    public var location: String { path }
    public func observeChanges(_ handler: @escaping @Sendable () -> Void) {}
}

