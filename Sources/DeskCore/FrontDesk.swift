import Foundation
import Store
import Vision

/// Why the desk would not enroll a face.
public enum EnrollmentRefusal: Error, Equatable, CustomStringConvertible {
    case alreadyEnrolled(name: String, personId: Int64, distance: Double)

    public var description: String {
        switch self {
        case let .alreadyEnrolled(name, personId, distance):
            return "this face already matches \(name) (id \(personId), distance \(String(format: "%.3f", distance))); nothing was stored"
        }
    }
}

/// What a running desk shows about itself, current as of the last `refresh()`.
public struct DeskStatus: Sendable, Equatable {
    public var people: Int
    public var templates: Int
    public var pinIsSet: Bool
    /// Visits shown but not yet written (waiting in the pending queue).
    public var pendingVisits: Int
    /// Why the database could not be read at the last refresh, if it could not.
    public var problem: String?
}

/// The front desk's work on the face engine, the gallery and the visitor store, shared
/// by the CLI and the TUI: the same picture gets the same answer from both.
///
/// Every decision starts from a gallery brought up to date with what any process wrote
/// (`refresh`), decides without writing (`decide`), then writes the decision in one
/// transaction (`commit`). An actor on its own thread: the gallery changes, and the
/// store's calls block.
public actor FrontDesk {
    public nonisolated let engine: FaceEngine
    public nonisolated let store: any VisitorStore
    public nonisolated let config: KioskConfig
    public nonisolated let pending: PendingVisits?
    private var gallery: Gallery
    /// The newest store change applied to `gallery` and `status`.
    private var appliedChange: Int64
    public private(set) var status: DeskStatus
    /// The PIN lockout kept here when the database cannot record it (locked, read-only,
    /// full): guessing must not become free because the disk is.
    private var lockWithoutDatabase = PINLockState()
    /// The preferences last read for each greeted person: shown while the database
    /// cannot be reached, so an offline desk still greets with them.
    private var knownPreferences: [Int64: [(key: String, value: String)]] = [:]
    /// Set while a refresh asked for by a change notification is waiting to run: a burst
    /// of notifications (an import) costs one refresh, not one each.
    private nonisolated let refreshScheduled = ScheduledFlag()

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        DedicatedThreadExecutor.store.asUnownedSerialExecutor()
    }

    /// A match closer than this, on a good picture, may become an extra template of the
    /// person (so recognition follows a face that changes); closer than `alreadyKnownBelow`
    /// it adds nothing new. Far from the threshold on purpose: only clear matches teach.
    public static let learnBelow = 0.4
    public static let alreadyKnownBelow = 0.15

    public init(engine: FaceEngine, store: any VisitorStore, config: KioskConfig, pending: PendingVisits?) throws {
        self.engine = engine
        self.store = store
        self.config = config
        self.pending = pending
        // The change number first: anything written while the gallery loads is applied
        // again at the next refresh (applying a change twice is harmless).
        appliedChange = try store.latestChange()
        gallery = try store.loadGallery(model: ModelFiles.embeddingModelID)
        let pinIsSet = try store.staffPINHash() != nil
        status = DeskStatus(people: gallery.personCount, templates: gallery.templateCount, pinIsSet: pinIsSet,
                            pendingVisits: pending?.count ?? 0, problem: nil)
    }

    public var policy: CheckInPolicy { config.checkInPolicy }

    // MARK: live state

    /// Applies every change made since the last refresh, by this or any other process:
    /// one person's templates are reloaded, not the whole gallery. When nothing changed
    /// this costs one indexed read.
    @discardableResult
    public func refresh() -> DeskStatus {
        do {
            let latest = try store.latestChange()
            if latest != appliedChange { try apply(store.changes(since: appliedChange)) }
            status.problem = nil
        } catch {
            status.problem = "\(error)"
        }
        return status
    }

    /// Applies other processes' changes as soon as the store says there are some (a
    /// shared server's notifications), rather than at the next poll or capture.
    public nonisolated func followChanges() {
        store.observeChanges { [weak self] in
            guard let self, self.refreshScheduled.set() else { return }
            Task {
                self.refreshScheduled.clear()
                await self.refresh()
            }
        }
    }

    private func apply(_ changes: ChangeSet) throws {
        if !changes.complete {
            gallery = try store.loadGallery(model: ModelFiles.embeddingModelID)
            status.pinIsSet = try store.staffPINHash() != nil
        } else {
            for personId in changes.people {
                gallery.remove(personId: personId)
                if let entry = try store.galleryEntry(personId: personId, model: ModelFiles.embeddingModelID) {
                    gallery.add(person: Person(id: personId, name: entry.name, createdAt: Date(), consentAt: nil, consentVersion: nil),
                                embeddings: entry.embeddings)
                }
            }
            if changes.settings { status.pinIsSet = try store.staffPINHash() != nil }
        }
        appliedChange = changes.latest
        status.people = gallery.personCount
        status.templates = gallery.templateCount
    }

    // MARK: deciding

    /// The largest face of a picture, with its quality and the number of faces.
    public func analyze(_ image: Image) async throws -> (face: Face?, quality: FaceQuality?, faceCount: Int) {
        let faces = try await engine.faces(in: image, plan: config.cameraDetectionPlan)
        guard let largest = faces.first else { return (nil, nil, 0) }
        return (largest, FaceQuality(image: image, box: largest.box), faces.count)
    }

    /// The gallery's answer for a face, after applying every change made meanwhile.
    public func identify(_ embedding: Embedding) -> Identification? {
        refresh()
        return gallery.identify(embedding)
    }

    /// The front-desk decision for a picture, nothing written: the CLI's check-in and
    /// the TUI's capture both start here.
    public func decide(_ image: Image, now: Date = Date()) async throws -> CheckInDecision {
        try await decide(burst: [image], now: now)
    }

    /// The decision for a capture of several frames (`CaptureBurst`): the frames' faces
    /// are fused into one before the gallery is asked, and a burst whose frames disagree
    /// is asked about, never greeted outright. `decision.frame` says which frame the
    /// decision's face box belongs to.
    public func decide(burst images: [Image], now: Date = Date()) async throws -> CheckInDecision {
        var shots: [CaptureBurst.Shot] = []
        for image in images {
            let analysis = try await analyze(image)
            shots.append(.init(face: analysis.face, quality: analysis.quality, faceCount: analysis.faceCount))
        }
        let burst = CaptureBurst(shots)
        refresh()  // after the face work: erasures made while it ran count too
        let identification = burst.embedding.flatMap { gallery.identify($0) }
        var verdict = policy.decide(quality: burst.quality, identification: identification)
        if burst.disagreed, case .returning(let match) = verdict { verdict = .ambiguous(match) }
        let face = burst.face, quality = burst.quality
        var decision = CheckInDecision(verdict: verdict, faceCount: burst.faceCount, face: face, quality: quality)
        decision.frame = burst.representative ?? 0
        switch verdict {
        case .returning(let match), .ambiguous(let match):
            let cooldown = TimeInterval(config.cooldownMinutes * 60)
            var card: VisitorCard
            do {
                let preferences = try store.preferences(personId: match.personId)
                knownPreferences[match.personId] = preferences
                card = VisitorCard(personId: match.personId, name: match.name, preferences: preferences,
                                   preview: try store.visitPreview(personId: match.personId, cooldown: cooldown, now: now),
                                   thumbnailJPEG: try? store.thumbnail(personId: match.personId))
            } catch {
                // The database is out of reach: greet from what this desk knows. The
                // visit number is unknown (0) until the queued visit is written.
                status.problem = "\(error)"
                card = VisitorCard(personId: match.personId, name: match.name,
                                   preferences: knownPreferences[match.personId] ?? [],
                                   preview: VisitRecording(counted: true, visitNumber: 0, previousVisit: nil), thumbnailJPEG: nil)
            }
            var lesson: VisitCommit.Lesson?
            if case .ambiguous = verdict {
                card.runnerUpName = match.runnerUp.flatMap { gallery.names[$0.personId] } ?? "someone else"
            } else if let face, let quality, quality.problem == nil,
                      match.distance < Self.learnBelow, match.distance > Self.alreadyKnownBelow {
                lesson = VisitCommit.Lesson(embedding: face.embedding, quality: quality.score, maxDistanceToEnrolled: Self.learnBelow)
            }
            decision.visitor = card
            decision.visit = VisitCommit(personId: match.personId, time: now, kioskId: config.kioskId, distance: match.distance,
                                         quality: quality?.score, cooldown: cooldown, lesson: lesson)
        default:
            break
        }
        return decision
    }

    // MARK: writing

    /// Writes a decided visit in one transaction (cooldown, visit number and learning
    /// are settled inside it). When the database refuses it, the visit is queued
    /// durably and written by `deliverPending()` later: a greeting that was shown is a
    /// visit. A learned template joins the gallery at once.
    ///
    /// The visit is in the queue file before the database is asked, and leaves it once
    /// written: a desk killed in the middle of the write (power cut, kill -9) delivers it
    /// at its next start, and the visit's id keeps that from counting it twice.
    public func commit(_ visit: VisitCommit) -> CommitOutcome {
        // Older visits waiting in the queue go first, so visits are written in order.
        if status.pendingVisits > 0 { deliverPending() }
        var journalProblem: String?
        if let pending {
            do { try pending.append(visit) } catch { journalProblem = "\(error)" }
        }
        let journaled = pending != nil && journalProblem == nil
        do {
            let committed = try store.commitVisit(visit)
            if journaled { _ = try? pending?.remove { $0.id == visit.id } }
            if committed.learned { refresh() }
            return .written(committed)
        } catch StoreError.personNotFound {
            if journaled { _ = try? pending?.remove { $0.id == visit.id } }
            return .personGone
        } catch {
            let reason = "\(error)"
            guard journaled else { return .lost(reason: journalProblem.map { "\(reason); \($0)" } ?? reason) }
            status.pendingVisits = pending?.count ?? status.pendingVisits + 1
            return .queued(reason: reason)
        }
    }

    /// Undoes a visit the visitor disowned ("Not me"), wherever it is: written or queued.
    public func retract(_ visitId: UUID) throws {
        if let pending, try pending.remove(where: { $0.id == visitId }) > 0 {
            status.pendingVisits = pending.count
        }
        if try store.retractVisit(id: visitId) { refresh() }
    }

    /// Writes queued visits, oldest first, each once; a visit of a person erased
    /// meanwhile is dropped. Stops at the first the database still refuses. Returns
    /// how many are still waiting.
    @discardableResult
    public func deliverPending() -> Int {
        guard let pending else { return 0 }
        // Another process delivering right now: leave it to them this time.
        let left = try? pending.withLock(wait: false) { () -> Int in
            var queued = pending.load()
            let total = queued.count
            while let visit = queued.first {
                do {
                    _ = try store.commitVisit(visit)
                } catch StoreError.personNotFound {
                    // Erased meanwhile: the visit goes with them.
                } catch {
                    break
                }
                queued.removeFirst()
            }
            if queued.count != total { try? pending.replace(with: queued) }
            return queued.count
        }
        status.pendingVisits = (left ?? nil) ?? pending.count
        return status.pendingVisits
    }

    /// Decides, and for a returning visitor writes the visit: the CLI's check-in.
    public func checkIn(_ image: Image, now: Date = Date()) async throws -> (decision: CheckInDecision, outcome: CommitOutcome?) {
        let decision = try await decide(image, now: now)
        guard case .returning = decision.verdict, let visit = decision.visit else { return (decision, nil) }
        return (decision, commit(visit))
    }

    // MARK: enrolling and erasing

    /// The enrolled person a new face already matches, if any: enrolling it again would
    /// make two people of one. The CLI's `enroll`, `import` and the TUI all ask this.
    public func existingMatch(for embeddings: [Embedding]) -> Identification? {
        refresh()
        return embeddings.compactMap { gallery.identify($0) }.filter { $0.distance <= config.threshold }.min { $0.distance < $1.distance }
    }

    /// Stores a person and adds them to the gallery at once. Refuses a face that
    /// already matches an enrolled person unless `evenIfAlreadyEnrolled` (the CLI's
    /// `--force`): the same rule for `enroll`, `import` and the TUI.
    public func enroll(_ enrollment: Enrollment, evenIfAlreadyEnrolled: Bool = false, now: Date = Date()) throws -> Person {
        if !evenIfAlreadyEnrolled, let match = existingMatch(for: enrollment.templates.map(\.embedding)) {
            throw EnrollmentRefusal.alreadyEnrolled(name: match.name, personId: match.personId, distance: match.distance)
        }
        let person = try store.enroll(enrollment, now: now)
        refresh()
        return person
    }

    /// Erases a person everywhere; the audit log keeps that it happened (the id only).
    public func forget(personId: Int64) throws {
        try store.forget(personId: personId)
        // Visits of theirs still queued hold their face: they go too.
        if let pending { _ = try? pending.remove { $0.personId == personId } }
        audit("person erased", detail: "id \(personId)")
        refresh()
    }

    /// Runs `body` with the store on the desk's thread: for the staff view's queries and
    /// edits, which block and must stay off the screen's thread and the cooperative pool.
    public func withStore<T: Sendable>(_ body: @Sendable (any VisitorStore) throws -> T) throws -> T {
        try body(store)
    }

    /// Checks a PIN typed at the desk against the staff PIN, under the lockout rule kept
    /// in the database (so neither a restart nor another desk resets it). Every attempt
    /// is audited. Deliberately slow (a salted key-derivation hash), so it runs here, on
    /// the desk's thread. A correct PIN stored with weaker parameters is stored again.
    public func checkStaffPIN(_ pin: String, now: Date = Date()) -> PINCheck {
        do {
            let state = try store.pinLockState()
            for lock in [state, lockWithoutDatabase] where PINPolicy.isLocked(lock, now: now) {
                return .locked(secondsLeft: PINPolicy.secondsLeft(lock, now: now))
            }
            guard let stored = try store.staffPINHash() else { return .wrong(triesLeft: 0) }
            switch PINHash.check(pin: pin, against: stored) {
            case .correct(let needsUpgrade):
                // Staff get in even when the database cannot take these writes now.
                if needsUpgrade { try? store.setStaffPINHash(PINHash.make(pin: pin)) }
                _ = try? store.updatePINLockState { PINPolicy.recordSuccess(&$0) }
                PINPolicy.recordSuccess(&lockWithoutDatabase)
                return .correct
            case .wrong:
                let after: PINLockState
                do {
                    after = try store.updatePINLockState { PINPolicy.recordFailure(&$0, now: now) }
                } catch {
                    PINPolicy.recordFailure(&lockWithoutDatabase, now: now)
                    after = lockWithoutDatabase
                }
                if PINPolicy.isLocked(after, now: now) {
                    let seconds = PINPolicy.secondsLeft(after, now: now)
                    audit("staff PIN locked", detail: "after \(PINPolicy.maximumFailures) wrong PINs, for \(seconds) s", now: now)
                    return .locked(secondsLeft: seconds)
                }
                audit("wrong staff PIN", detail: "\(after.failures) in a row", now: now)
                return .wrong(triesLeft: PINPolicy.maximumFailures - after.failures)
            }
        } catch {
            audit("staff PIN not checked", detail: "\(error)", now: now)
            return .wrong(triesLeft: 0)
        }
    }

    /// Records a staff event in the audit log (best effort: a full disk must not stop the desk).
    public func audit(_ kind: String, detail: String = "", now: Date = Date()) {
        try? store.recordAudit(kind: kind, detail: detail, kioskId: config.kioskId, now: now)
    }

    /// A JPEG of the aligned face chip, for the person's thumbnail (nil when disabled).
    public func thumbnail(of face: Face, in image: Image) async throws -> [UInt8]? {
        guard config.thumbnails else { return nil }
        let chip = try await engine.embedding(in: image, box: face.box, landmarks: face.landmarks, wantChip: true).chip
        return try chip.map { try JPEGEncoder.encode($0, quality: 85) }
    }
}

/// A flag set by one thread and cleared by another; `set` says whether it was clear.
final class ScheduledFlag: @unchecked Sendable {
    // @unchecked: `value` is used with `lock` held.
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; true when it was not set before.
    func set() -> Bool { lock.withLock { defer { value = true }; return !value } }
    func clear() { lock.withLock { value = false } }
}
