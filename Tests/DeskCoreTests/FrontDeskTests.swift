import Foundation
import GRDB
import Testing
@testable import DeskCore
import Store
import Vision

/// The front desk's core against a real SQLite file, with a second connection playing
/// "another process" (another desk, the CLI): live state, writing visits once, and
/// visits the database refuses for a while.
@Suite("Front desk core", .serialized)
struct FrontDeskTests {
    let directory: String
    var path: String { directory + "/kiosk.sqlite" }

    init() throws {
        directory = NSTemporaryDirectory() + "kiosk-core-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static let engine: FaceEngine? = try? FaceEngine(models: ModelFiles.resolve(explicit: nil))

    /// Deterministic embeddings, far apart from one another.
    struct Embeddings {
        var state: UInt64 = 42
        mutating func next() -> Embedding {
            Embedding((0..<128).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 10000
            })
        }
        /// `base` moved by about `distance`.
        mutating func near(_ base: Embedding, distance: Float) -> Embedding {
            let noise = next().values
            let norm = noise.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return Embedding(zip(base.values, noise).map { $0 + $1 / norm * distance })
        }
    }

    func desk(busyTimeout: TimeInterval = 10) throws -> FrontDesk {
        let engine = try #require(Self.engine, "the face models are not installed (scripts/setup)")
        let store = try AppDatabase.open(path: path, createDirectory: false, busyTimeout: busyTimeout)
        return try FrontDesk(engine: engine, store: store, config: KioskConfig(), pending: PendingVisits.beside(database: path))
    }

    /// Another process's view of the same file.
    func otherProcess() throws -> AppDatabase { try AppDatabase.open(path: path, createDirectory: false) }

    func enrollment(_ name: String, _ embedding: Embedding) -> Enrollment {
        Enrollment(name: name, consentVersion: "1", templates: [.init(embedding: embedding, quality: 0.9)])
    }

    func visit(_ personId: Int64, at time: Date = Date(), lesson: VisitCommit.Lesson? = nil) -> VisitCommit {
        VisitCommit(personId: personId, time: time, kioskId: "test", distance: 0.3, quality: 0.9, cooldown: 600, lesson: lesson)
    }

    @Test func changesByAnotherProcessReachTheDeskBeforeItsNextDecision() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let ada = factory.next(), bob = factory.next()
        let desk = try desk()
        let other = try otherProcess()
        #expect(await desk.identify(ada) == nil)

        let person = try other.enroll(enrollment("Ada", ada))
        #expect(await desk.identify(ada)?.name == "Ada", "an enrollment by another process was not seen")
        #expect(await desk.status.people == 1)

        try other.setPreferences(personId: person.id!, [(key: "drink", value: "tea")])
        _ = try other.enroll(enrollment("Bob", bob))
        #expect(await desk.identify(bob)?.name == "Bob")

        try other.forget(personId: person.id!)
        let afterErasure = await desk.identify(ada)
        #expect(afterErasure?.personId != person.id, "an erased person is still in the gallery")
        #expect(await desk.status.people == 1)

        #expect(await desk.status.pinIsSet == false)
        try other.setStaffPINHash(PINHash.make(pin: "246810", iterations: 1000))
        #expect(await desk.refresh().pinIsSet, "a PIN set by another process was not seen")
    }

    @Test func aDeskThatFellBehindTheTrimmedLogReloadsEverything() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let other = try otherProcess()
        let ada = factory.next()
        _ = try other.enroll(enrollment("Ada", ada))
        // Simulate a log trimmed past the desk's last change.
        try await other.writer.write { db in try db.execute(sql: "DELETE FROM change") }
        _ = try other.enroll(enrollment("Bob", factory.next()))
        #expect(await desk.identify(ada)?.name == "Ada", "a desk behind the trimmed log missed an enrollment")
        #expect(await desk.status.people == 2)
    }

    @Test func theChangeLogHoldsIdsNotPersonalData() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let store = try otherProcess()
        let person = try store.enroll(enrollment("Zed Secret", factory.next()))
        try store.forget(personId: person.id!)
        let columns = try store.writer.read { db in try db.columns(in: "change").map(\.name) }
        #expect(Set(columns) == ["seq", "personId", "kind"])
        #expect(try store.changes(since: 0).people == [person.id!])
    }

    @Test func aVisitIsWrittenOnceHoweverOftenItIsDelivered() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let person = try await desk.enroll(enrollment("Ada", factory.next()))
        let checkIn = visit(person.id!)
        guard case .written(let first) = await desk.commit(checkIn) else { Issue.record("not written"); return }
        #expect(first.recording.visitNumber == 1)
        guard case .written(let again) = await desk.commit(checkIn) else { Issue.record("not written"); return }
        #expect(again.wasAlreadyWritten)
        #expect(try desk.store.visits(ListFilter(), limit: nil, offset: 0).count == 1)
        // Another desk moments later: within the cooldown, not a new visit.
        guard case .written(let second) = await desk.commit(visit(person.id!, at: checkIn.time.addingTimeInterval(60))) else {
            Issue.record("not written"); return
        }
        #expect(!second.recording.counted)
        #expect(try desk.store.visits(ListFilter(), limit: nil, offset: 0).count == 1)
    }

    @Test func aLockedDatabaseQueuesTheVisitAndDeliversItOnceWhenFree() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk(busyTimeout: 0.2)
        let person = try await desk.enroll(enrollment("Ada", factory.next()))
        let erased = try await desk.enroll(enrollment("Gone", factory.next()))

        // Another process holds the write lock (a long transaction, a backup...).
        var holdsTheLock = Configuration()
        holdsTheLock.allowsUnsafeTransactions = true  // the transaction stays open between calls, on purpose
        let blocker = try DatabaseQueue(path: path, configuration: holdsTheLock)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let outcome = await desk.commit(visit(person.id!))
        guard case .queued = outcome else { Issue.record("expected the visit to be queued, got \(outcome)"); return }
        _ = await desk.commit(visit(erased.id!))
        #expect(await desk.status.pendingVisits == 2)
        #expect(await desk.deliverPending() == 2, "nothing can be delivered while locked")
        // The file is private: it holds a face's visit.
        let mode = try FileManager.default.attributesOfItem(atPath: desk.pending!.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }

        // Erased meanwhile: its queued visit is dropped, not resurrected.
        try desk.store.forget(personId: erased.id!)
        #expect(await desk.deliverPending() == 0)
        #expect(await desk.deliverPending() == 0)
        let visits = try desk.store.visits(ListFilter(), limit: nil, offset: 0)
        #expect(visits.map(\.personId) == [person.id!], "the queued visit was not delivered exactly once")
        #expect(!FileManager.default.fileExists(atPath: desk.pending!.path))
    }

    @Test func notMeUndoesTheVisitAndWhatWasLearnedFromIt() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let enrolled = factory.next()
        let person = try await desk.enroll(enrollment("Ada", enrolled))
        let seen = factory.near(enrolled, distance: 0.3)
        let checkIn = visit(person.id!, lesson: .init(embedding: seen, quality: 0.9, maxDistanceToEnrolled: FrontDesk.learnBelow))
        guard case .written(let committed) = await desk.commit(checkIn) else { Issue.record("not written"); return }
        #expect(committed.learned)
        #expect(await desk.status.templates == 2)
        try await desk.retract(checkIn.id)
        #expect(try desk.store.visits(ListFilter(), limit: nil, offset: 0).isEmpty)
        #expect(await desk.status.templates == 1, "the template learned from a disowned visit stayed")
    }

    @Test func aLearnedFaceMustStayCloseToTheEnrolledOnes() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let enrolled = factory.next()
        let person = try await desk.enroll(enrollment("Ada", enrolled))
        // Close to a learned template perhaps, but far from every enrolled one: not learned.
        let drifted = factory.near(enrolled, distance: 0.7)
        let checkIn = visit(person.id!, lesson: .init(embedding: drifted, quality: 0.9, maxDistanceToEnrolled: FrontDesk.learnBelow))
        guard case .written(let committed) = await desk.commit(checkIn) else { Issue.record("not written"); return }
        #expect(!committed.learned)
        #expect(await desk.status.templates == 1)
    }

    @Test func enrollingAFaceThatAlreadyMatchesSomeoneIsRefused() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let ada = factory.next()
        _ = try await desk.enroll(enrollment("Ada", ada))
        await #expect(throws: EnrollmentRefusal.self) {
            _ = try await desk.enroll(enrollment("Not Ada", factory.near(ada, distance: 0.2)))
        }
        #expect(await desk.status.people == 1, "a refused enrollment stored something")
        _ = try await desk.enroll(enrollment("Ada's twin", factory.near(ada, distance: 0.2)), evenIfAlreadyEnrolled: true)
        #expect(await desk.status.people == 2)
    }

    @Test func aPINIsChangedOnlyWithTheCurrentOneOrAnExplicitReset() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try otherProcess()
        #expect(throws: StaffPIN.Refusal.self) { try StaffPIN.set("1234", current: nil, reset: false, in: store) }
        #expect(throws: StaffPIN.Refusal.self) { try StaffPIN.set("١٢٣٤٥٦", current: nil, reset: false, in: store) }
        try StaffPIN.set("246810", current: nil, reset: false, in: store)
        // Attack: someone who does not know the PIN replaces it.
        #expect(throws: StaffPIN.Refusal.currentPINNeeded) { try StaffPIN.set("999999", current: nil, reset: false, in: store) }
        #expect(throws: StaffPIN.Refusal.wrongCurrentPIN) { try StaffPIN.set("999999", current: "000000", reset: false, in: store) }
        let desk = try desk()
        #expect(await desk.checkStaffPIN("246810") == .correct)
        #expect(await desk.checkStaffPIN("999999") != .correct)
        try StaffPIN.set("135790", current: "246810", reset: false, in: store)
        #expect(await desk.checkStaffPIN("135790") == .correct)
        try StaffPIN.set("112233", current: nil, reset: true, in: store)
        #expect(await desk.checkStaffPIN("112233") == .correct)
    }

    @Test func anOlderPINHashIsUpgradedOnTheNextCorrectEntry() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try otherProcess()
        try store.setStaffPINHash(PINHash.make(pin: "246810", iterations: 20_000))
        let desk = try desk()
        #expect(await desk.checkStaffPIN("246811") != .correct)
        #expect(PINHash.needsUpgrade(try #require(try store.staffPINHash())), "a wrong PIN must not rewrite the hash")
        #expect(await desk.checkStaffPIN("246810") == .correct)
        let upgraded = try #require(try store.staffPINHash())
        #expect(!PINHash.needsUpgrade(upgraded))
        #expect(PINHash.verify(pin: "246810", against: upgraded))
    }

    @Test func theLockoutHoldsAcrossARestartAndGrowsLonger() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try otherProcess()
        try StaffPIN.set("246810", current: nil, reset: false, in: store)
        let start = Date(timeIntervalSince1970: 2_000_000_000)
        var desk = try desk()
        for attempt in 1...4 {
            #expect(await desk.checkStaffPIN("000000", now: start) == .wrong(triesLeft: 5 - attempt))
        }
        #expect(await desk.checkStaffPIN("000000", now: start) == .locked(secondsLeft: 60))
        // Attack: restart the desk (or walk to another one) to clear the lock.
        desk = try self.desk()
        #expect(await desk.checkStaffPIN("246810", now: start.addingTimeInterval(10)) == .locked(secondsLeft: 50),
                "the right PIN during a lockout is not even checked")
        // The next lockout in a row lasts twice as long.
        let later = start.addingTimeInterval(61)
        for _ in 1...4 { _ = await desk.checkStaffPIN("000000", now: later) }
        #expect(await desk.checkStaffPIN("000000", now: later) == .locked(secondsLeft: 120))
        #expect(await desk.checkStaffPIN("246810", now: later.addingTimeInterval(121)) == .correct)
        #expect(try store.pinLockState() == PINLockState(), "a correct PIN clears the count")
        let events = try store.auditEvents(limit: nil, offset: 0).map(\.kind)
        #expect(events.filter { $0 == "wrong staff PIN" }.count == 8)
        #expect(events.filter { $0 == "staff PIN locked" }.count == 2)
    }

    @Test func lockoutsDoubleUpToAnHour() {
        #expect(PINPolicy.lockSeconds(lockouts: 1) == 60)
        #expect(PINPolicy.lockSeconds(lockouts: 2) == 120)
        #expect(PINPolicy.lockSeconds(lockouts: 7) == 3600)
        #expect(PINPolicy.lockSeconds(lockouts: 40) == 3600)
    }

    @Test func anErasureIsAuditedWithoutThePersonsData() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let person = try await desk.enroll(enrollment("Erin Erased", factory.next()))
        try await desk.forget(personId: person.id!)
        let events = try desk.store.auditEvents(limit: nil, offset: 0)
        #expect(events.map(\.kind) == ["person erased"])
        #expect(events[0].detail.contains("id \(person.id!)"))
        #expect(!events.contains { $0.detail.contains("Erin") || $0.kind.contains("Erin") })
    }

    @Test func aQueuedVisitDeliveredAfterALaterOneStillCounts() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let store = try otherProcess()
        let person = try store.enroll(enrollment("Quinn", factory.next()))
        let morning = Date(timeIntervalSince1970: 2_000_000_000)
        // The 12:00 visit is written first; the 09:00 one was waiting in the queue.
        #expect(try store.commitVisit(visit(person.id!, at: morning.addingTimeInterval(3 * 3600))).recording.counted)
        let late = try store.commitVisit(visit(person.id!, at: morning))
        #expect(late.recording.counted, "a visit three hours before another is its own visit")
        // But one within the cooldown of a later visit is the same visit.
        #expect(!(try store.commitVisit(visit(person.id!, at: morning.addingTimeInterval(3 * 3600 - 60))).recording.counted))
        #expect(try store.visits(ListFilter(), limit: nil, offset: 0).count == 2)
    }

    @Test func erasingAPersonDropsTheirQueuedVisits() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var factory = Embeddings()
        let desk = try desk()
        let gone = try await desk.enroll(enrollment("Gone Soon", factory.next()))
        let stays = try await desk.enroll(enrollment("Stays", factory.next()))
        let pending = try #require(desk.pending)
        try pending.append(visit(gone.id!, lesson: .init(embedding: factory.next(), quality: 0.9, maxDistanceToEnrolled: 0.4)))
        try pending.append(visit(stays.id!))
        try await desk.forget(personId: gone.id!)
        #expect(pending.load().map(\.personId) == [stays.id!], "the erased person's queued visit (with a face) stayed on disk")
    }

    @Test func aDatabaseThatCannotRecordFailuresStillLocksThePrompt() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try otherProcess()
        try StaffPIN.set("246810", current: nil, reset: false, in: store)
        let desk = try desk(busyTimeout: 0.1)
        // Another process holds the write lock: failures cannot be written.
        var holdsTheLock = Configuration()
        holdsTheLock.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: path, configuration: holdsTheLock)
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        for _ in 1...4 { _ = await desk.checkStaffPIN("000000", now: now) }
        #expect(await desk.checkStaffPIN("000000", now: now) == .locked(secondsLeft: 60), "guessing became free with the database locked")
        #expect(await desk.checkStaffPIN("246810", now: now.addingTimeInterval(61)) == .correct, "staff must get in while the database is locked")
        try await blocker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }

    @Test func aTamperedPendingQueueIsReadWithoutHarm() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Attack: the queue file beside the database edited by hand or torn by a crash:
        // garbage lines, a lesson with the wrong number of values or absurd ones.
        var factory = Embeddings()
        let desk = try desk()
        let person = try await desk.enroll(enrollment("Tam", factory.next()))
        let pending = try #require(desk.pending)
        try pending.append(visit(person.id!))
        var bad = visit(person.id!, at: Date().addingTimeInterval(7200))
        bad.lesson = .init(embedding: factory.next(), quality: 0.9, maxDistanceToEnrolled: 0.4)
        bad.lesson?.embedding = [Float](repeating: 1e30, count: 128)  // JSON cannot carry NaN; absurd values it can
        var short = visit(person.id!, at: Date().addingTimeInterval(14400))
        short.lesson = .init(embedding: factory.next(), quality: 0.9, maxDistanceToEnrolled: 0.4)
        short.lesson?.embedding = [0.1, 0.2]
        try pending.append(bad)
        try pending.append(short)
        let handle = try #require(FileHandle(forWritingAtPath: pending.path))
        handle.seekToEndOfFile()
        handle.write(Data("{not json\n\u{1B}[2J garbage\n{\"id\": 5}\n".utf8))
        try handle.close()
        #expect(pending.load().count == 3, "unreadable lines are skipped")
        #expect(await desk.deliverPending() == 0)
        #expect(try desk.store.visits(ListFilter(), limit: nil, offset: 0).count == 3)
        #expect(await desk.status.templates == 1, "a malformed lesson taught the gallery something")
    }

    /// The attack: while a regular is captured, someone else leans in front of the camera
    /// for one of the capture's frames. The desk must not greet on a capture whose frames
    /// disagree, and must not fuse the other face in.
    @Test func aCaptureWhoseFramesShowTwoPeopleIsAskedAboutNotGreeted() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let samples = DataDirectory.samples()
        let obama: Image, biden: Image
        do {
            obama = try ImageFile.load(samples + "/obama.jpg")
            biden = try ImageFile.load(samples + "/biden.jpg")
        } catch {
            Issue.record("the sample photos are not installed in \(samples) (scripts/setup): \(error)")
            return
        }
        let desk = try desk()
        let face = try #require(try await desk.analyze(obama).face)
        _ = try await desk.enroll(enrollment("Barack", face.embedding))

        let alone = try await desk.decide(burst: [obama, obama, obama])
        guard case .returning(let match) = alone.verdict else { Issue.record("three frames of the regular: \(alone.verdict)"); return }
        #expect(match.name == "Barack")

        for frames in [[obama, biden, obama], [biden, obama, obama], [obama, obama, biden]] {
            let decision = try await desk.decide(burst: frames)
            guard case .ambiguous(let asked) = decision.verdict else { Issue.record("a frame of someone else: \(decision.verdict)"); continue }
            #expect(asked.name == "Barack")
            #expect(asked.distance < 0.01, "the other person's face was fused into the capture")
            #expect(decision.visit?.lesson == nil, "a capture with a stranger's frame taught the gallery")
            #expect(frames[decision.frame].pixels == obama.pixels, "the decided face's frame is not the regular's")
        }
        // Two frames, two people: whichever is taken, the desk does not greet.
        let split = try await desk.decide(burst: [biden, obama])
        if case .returning = split.verdict { Issue.record("a two-person capture was greeted") }
    }
}
