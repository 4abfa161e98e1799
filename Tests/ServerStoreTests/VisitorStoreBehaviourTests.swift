import DeskCore
import Foundation
import ServerStore
import Store
import Testing
import Vision

/// One behavioural suite, two backends: the SQLite file and the PostgreSQL server must
/// give a desk the same answers.
@Suite("Visitor store behaviour, on SQLite and PostgreSQL")
struct VisitorStoreBehaviourTests {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    @Test(arguments: Backend.allCases)
    func enrollmentStoresThePersonWhole(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let face = faces.next()
            let person = try store.enroll(enrollment("Ada Lovelace", [face, faces.near(face, distance: 0.1)],
                                                     preferences: [("drink", "tea"), ("desk", "by the window")],
                                                     thumbnail: [0xFF, 0xD8, 0xFF], firstVisitKiosk: "desk-a"), now: t0)
            let id = try #require(person.id)
            #expect(person.name == "Ada Lovelace")
            #expect(try store.personCount() == 1)
            #expect(try store.preferences(personId: id).map(\.key) == ["drink", "desk"])
            #expect(try store.thumbnail(personId: id) == [0xFF, 0xD8, 0xFF])
            #expect(try store.templateCounts(personId: id) == TemplateCounts(enrolled: 2, learned: 0))
            let entry = try #require(try store.galleryEntry(personId: id, model: ModelFiles.embeddingModelID))
            #expect(entry.name == "Ada Lovelace" && entry.embeddings.count == 2)
            let gallery = try store.loadGallery(model: ModelFiles.embeddingModelID)
            #expect(gallery.identify(face)?.personId == id)
            #expect(try store.visits(ListFilter(), limit: nil, offset: 0).map(\.kioskId) == ["desk-a"])
            #expect(try store.person(matching: "Ada Lovelace").id == id)
            #expect(try store.person(matching: String(id)).name == "Ada Lovelace")
        }
    }

    /// A retry of an enrollment whose answer was lost must not make two people.
    @Test(arguments: Backend.allCases)
    func enrollingTheSameEnrollmentTwiceMakesOnePerson(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let once = enrollment("Grace Hopper", [faces.next()])
            let first = try store.enroll(once, now: t0)
            let again = try store.enroll(once, now: t0.addingTimeInterval(5))
            #expect(first.id == again.id)
            #expect(try store.personCount() == 1)
        }
    }

    /// Attack: names that are not text a desk may store never reach the database.
    @Test(arguments: Backend.allCases)
    func hostileNamesAreRefusedAlike(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            for name in ["", "   ", "Eve\u{1B}[2J", "Mallory\u{07}", String(repeating: "x", count: 10_000)] {
                let face = faces.next()
                #expect(throws: StoreError.self) { try store.enroll(enrollment(name, [face]), now: t0) }
            }
            let stored = try store.personCount()
            #expect(stored == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func theCooldownHoldsOnBothSidesAndVisitsAreNumbered(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let id = try #require(try store.enroll(enrollment("Alan Turing", [faces.next()]), now: t0).id)
            let first = try store.commitVisit(visit(id, at: t0.addingTimeInterval(3600)))
            #expect(first.recording == VisitRecording(counted: true, visitNumber: 1, previousVisit: nil))
            let soon = try store.commitVisit(visit(id, at: t0.addingTimeInterval(3600 + 60)))
            #expect(soon.recording.counted == false)
            let later = try store.commitVisit(visit(id, at: t0.addingTimeInterval(3 * 3600)))
            #expect(later.recording.counted && later.recording.visitNumber == 2)
            #expect(later.recording.previousVisit.map { abs($0.timeIntervalSince(t0.addingTimeInterval(3600))) < 0.01 } == true)
            // A queued visit arriving late, just before a written one, is that same visit.
            let late = try store.commitVisit(visit(id, at: t0.addingTimeInterval(3 * 3600 - 30)))
            #expect(late.recording.counted == false)
            #expect(try store.visits(ListFilter(personId: id), limit: nil, offset: 0).count == 2)
            let preview = try store.visitPreview(personId: id, cooldown: 600, now: t0.addingTimeInterval(10 * 3600))
            #expect(preview.counted && preview.visitNumber == 3)
        }
    }

    /// The same visit delivered twice (a retry, a queue delivered again) is one visit.
    @Test(arguments: Backend.allCases)
    func aVisitIsWrittenOnceByItsId(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let id = try #require(try store.enroll(enrollment("Alan Turing", [faces.next()]), now: t0).id)
            let commit = visit(id, at: t0.addingTimeInterval(3600), cooldown: 0)
            let first = try store.commitVisit(commit)
            let second = try store.commitVisit(commit)
            #expect(first.wasAlreadyWritten == false && second.wasAlreadyWritten)
            #expect(second.recording.visitNumber == 1)
            #expect(try store.visits(ListFilter(), limit: nil, offset: 0).count == 1)
            #expect(try store.retractVisit(id: commit.id))
            #expect(try store.visits(ListFilter(), limit: nil, offset: 0).isEmpty)
            #expect(try store.retractVisit(id: commit.id) == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func aVisitOfAnErasedPersonIsRefusedNotResurrected(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let id = try #require(try store.enroll(enrollment("Gone Soon", [faces.next()]), now: t0).id)
            try store.forget(personId: id)
            #expect(throws: StoreError.personNotFound("id \(id)")) { try store.commitVisit(visit(id, at: t0)) }
            #expect(try store.visits(ListFilter(), limit: nil, offset: 0).isEmpty)
            #expect(throws: StoreError.personNotFound("id \(id)")) { try store.forget(personId: id) }
        }
    }

    /// Only faces close to an enrolled one are learned; "Not me" unlearns them.
    @Test(arguments: Backend.allCases)
    func learningFollowsTheEnrolledFaceAndRetractingUndoesIt(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let enrolled = faces.next()
            let id = try #require(try store.enroll(enrollment("Katherine Johnson", [enrolled]), now: t0).id)
            let close = VisitCommit.Lesson(embedding: faces.near(enrolled, distance: 0.3), quality: 0.9, maxDistanceToEnrolled: 0.4)
            let far = VisitCommit.Lesson(embedding: faces.next(), quality: 0.9, maxDistanceToEnrolled: 0.4)
            let taught = visit(id, at: t0.addingTimeInterval(3600), cooldown: 0, lesson: close)
            #expect(try store.commitVisit(taught).learned)
            #expect(try store.commitVisit(visit(id, at: t0.addingTimeInterval(7200), cooldown: 0, lesson: far)).learned == false)
            #expect(try store.templateCounts(personId: id) == TemplateCounts(enrolled: 1, learned: 1))
            #expect(try store.retractVisit(id: taught.id))
            #expect(try store.templateCounts(personId: id) == TemplateCounts(enrolled: 1, learned: 0))
            // Attack: a tampered queue line with a wrong-sized or non-finite face teaches nothing.
            var bad = close
            bad.embedding = [Float.nan] + bad.embedding.dropFirst()
            #expect(try store.commitVisit(visit(id, at: t0.addingTimeInterval(9000), cooldown: 0, lesson: bad)).learned == false)
            bad.embedding = [0.1, 0.2]
            #expect(try store.commitVisit(visit(id, at: t0.addingTimeInterval(9900), cooldown: 0, lesson: bad)).learned == false)
            for hour in 3..<10 {
                let lesson = VisitCommit.Lesson(embedding: faces.near(enrolled, distance: 0.2), quality: 0.9, maxDistanceToEnrolled: 0.4)
                _ = try store.commitVisit(visit(id, at: t0.addingTimeInterval(Double(hour) * 3600), cooldown: 0, lesson: lesson))
            }
            #expect(try store.templateCounts(personId: id).learned == AppDatabase.learnedTemplateLimit)
            #expect(try store.removeLearnedTemplates(personId: id) == AppDatabase.learnedTemplateLimit)
        }
    }

    /// Erasure leaves nothing of the person but their id in the change log and the audit log.
    @Test(arguments: Backend.allCases)
    func erasureRemovesEverythingAndIsInTheChangeLog(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let keep = try #require(try store.enroll(enrollment("Stays", [faces.next()]), now: t0).id)
            let id = try #require(try store.enroll(enrollment("Erased Person", [faces.next()], preferences: [("drink", "coffee")],
                                                              thumbnail: [1, 2, 3], firstVisitKiosk: "desk-a"), now: t0).id)
            _ = try store.commitVisit(visit(id, at: t0.addingTimeInterval(3600)))
            let before = try store.latestChange()
            try store.forget(personId: id)
            let changes = try store.changes(since: before)
            #expect(changes.people.contains(id))
            #expect(try store.galleryEntry(personId: id, model: ModelFiles.embeddingModelID) == nil)
            #expect(try store.preferences(personId: id).isEmpty)
            #expect(try store.thumbnail(personId: id) == nil)
            #expect(try store.visits(ListFilter(), limit: nil, offset: 0).allSatisfy { $0.personId == keep })
            let snapshot = try store.snapshot()
            #expect(snapshot.people.map(\.name) == ["Stays"])
            #expect(!snapshot.templates.contains { $0.personId == id })
            #expect(!snapshot.preferences.contains { $0.personId == id })
        }
    }

    @Test(arguments: Backend.allCases)
    func theChangeLogNamesWhoChanged(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let start = try store.latestChange()
            let id = try #require(try store.enroll(enrollment("Changing", [faces.next()]), now: t0).id)
            let afterEnroll = try store.changes(since: start)
            #expect(afterEnroll.people == [id] && afterEnroll.complete)
            try store.setPreferences(personId: id, [("drink", "water")])
            let afterPreferences = try store.changes(since: afterEnroll.latest)
            #expect(afterPreferences.people == [id] && !afterPreferences.settings)
            try store.setStaffPINHash("hash")
            let afterPIN = try store.changes(since: afterPreferences.latest)
            #expect(afterPIN.settings && afterPIN.people.isEmpty)
            #expect(try store.changes(since: afterPIN.latest).isEmpty)
            // A desk that claims to be ahead of the database (restored from a backup) reloads.
            #expect(try store.changes(since: afterPIN.latest + 1000).complete == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func staffPINLockoutAndAuditAreShared(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            #expect(try store.staffPINHash() == nil)
            try store.setStaffPINHash("pbkdf2$1")
            try store.setStaffPINHash("pbkdf2$2")
            #expect(try store.staffPINHash() == "pbkdf2$2")
            let until = t0.addingTimeInterval(60)
            let state = try store.updatePINLockState { $0.failures += 5; $0.lockouts = 1; $0.lockedUntil = until }
            #expect(try store.pinLockState() == state)
            #expect(try store.updatePINLockState { $0 = PINLockState() } == PINLockState())
            try store.recordAudit(kind: "wrong staff PIN", detail: "1 in a row", kioskId: "desk-a", now: t0)
            try store.recordAudit(kind: "staff view opened", detail: "", kioskId: "desk-b", now: t0.addingTimeInterval(1))
            #expect(try store.auditEvents(limit: nil, offset: 0).map(\.kind) == ["staff view opened", "wrong staff PIN"])
            #expect(try store.auditEvents(limit: 1, offset: 1).map(\.kioskId) == ["desk-a"])
        }
    }

    @Test(arguments: Backend.allCases)
    func listsFilterAndPageAlike(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            var ids: [Int64] = []
            for name in ["carol", "Alice", "bob", "Dave"] {
                ids.append(try #require(try store.enroll(enrollment(name, [faces.next()], preferences: [("n", name)]), now: t0).id))
            }
            for (index, id) in ids.enumerated() {
                for day in 0...index { _ = try store.commitVisit(visit(id, at: t0.addingTimeInterval(Double(day) * 86_400 + 3600))) }
            }
            let all = try store.people(ListFilter(), limit: nil, offset: 0)
            #expect(all.map(\.name) == ["Alice", "bob", "carol", "Dave"])
            #expect(all.map(\.visitCount) == [2, 3, 1, 4])
            #expect(all.first?.preferences == ["n": "Alice"])
            #expect(try store.people(ListFilter(), limit: 2, offset: 1).map(\.name) == ["bob", "carol"])
            #expect(try store.people(ListFilter(name: "A"), limit: nil, offset: 0).map(\.name) == ["Alice", "carol", "Dave"])
            let recent = try store.people(ListFilter(since: t0.addingTimeInterval(2 * 86_400)), limit: nil, offset: 0)
            #expect(recent.map(\.name) == ["bob", "Dave"])
            let visits = try store.visits(ListFilter(), limit: nil, offset: 0)
            #expect(visits.count == 10)
            #expect(visits.first?.name == "Dave")
            #expect(try store.visits(ListFilter(name: "bob"), limit: 2, offset: 0).count == 2)
            #expect(try store.visits(ListFilter(until: t0.addingTimeInterval(86_400)), limit: nil, offset: 0).count == 4)
            // Attack: a search text is data, never SQL.
            #expect(try store.people(ListFilter(name: "' OR 1=1 --"), limit: nil, offset: 0).isEmpty)
            #expect(try store.visits(ListFilter(name: "%"), limit: nil, offset: 0).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func purgeErasesThoseNotSeenSince(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let old = try #require(try store.enroll(enrollment("Old Visitor", [faces.next()]), now: t0).id)
            let recent = try #require(try store.enroll(enrollment("Regular", [faces.next()]), now: t0).id)
            _ = try store.commitVisit(visit(recent, at: t0.addingTimeInterval(100 * 86_400)))
            let erased = try store.purge(notSeenSince: t0.addingTimeInterval(50 * 86_400))
            #expect(erased == ["Old Visitor"])
            #expect(try store.galleryEntry(personId: old, model: ModelFiles.embeddingModelID) == nil)
            #expect(try store.galleryEntry(personId: recent, model: ModelFiles.embeddingModelID) != nil)
        }
    }

    /// `db copy`: what one backend holds, the other holds after a snapshot and restore,
    /// with the same ids; a restore replaces what the target held.
    @Test(arguments: Backend.allCases)
    func snapshotAndRestoreKeepEveryRow(_ backend: Backend) throws {
        try onEachBackend(backend) { store in
            var faces = Embeddings()
            let a = try #require(try store.enroll(enrollment("Ada", [faces.next(), faces.next()], preferences: [("drink", "tea")],
                                                             thumbnail: [9, 9], firstVisitKiosk: "desk-a"), now: t0).id)
            _ = try store.enroll(enrollment("Bob", [faces.next()]), now: t0)
            _ = try store.commitVisit(visit(a, at: t0.addingTimeInterval(86_400)))
            try store.setStaffPINHash("pbkdf2$x")
            try store.recordAudit(kind: "person erased", detail: "id 99", kioskId: "desk-a", now: t0)
            let snapshot = try store.snapshot()
            #expect(snapshot.people.count == 2 && snapshot.visits.count == 2 && snapshot.templates.count == 3)

            let otherBackend = backend == .sqlite ? Backend.postgres : Backend.sqlite
            let other: any BackendStore
            do { other = try otherBackend.makeStore() } catch let skip as SkipReason {
                print("SKIPPED copying to \(otherBackend): \(skip)")
                return
            }
            #expect(try other.isEmpty())
            try other.restore(snapshot)
            #expect(try other.isEmpty() == false)
            #expect(try other.snapshot().roundedToMilliseconds() == snapshot.roundedToMilliseconds())
            // New rows after a copy get new ids, never a copied one.
            let c = try #require(try other.enroll(enrollment("Cleo", [faces.next()]), now: t0).id)
            #expect(!snapshot.people.map(\.id).contains(c))
            #expect(try other.loadGallery(model: ModelFiles.embeddingModelID).personCount == 3)
        }
    }
}
