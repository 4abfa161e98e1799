import Foundation
import GRDB
import Testing
@testable import Store
import Vision

@Suite("Visitor database")
struct AppDatabaseTests {
    @Test func migrationsCreateTheSchema() throws {
        let database = try AppDatabase.inMemory()
        let tables = try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["person", "preference", "faceTemplate", "thumbnail", "visit", "grdb_migrations"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let secureDelete = try database.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        #expect(secureDelete == 1)
    }

    @Test func enrollStoresEverythingAndGalleryFindsThePerson() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 1)
        let priya = factory.embedding(), sam = factory.embedding()
        let person = try database.enroll(enrollment("Priya", [priya, factory.near(priya, distance: 0.2)],
                                                    preferences: [("drink", "oat latte"), ("room", "21 °C")],
                                                    thumbnail: [0xFF, 0xD8, 0xFF]))
        try database.enroll(enrollment("Sam", [sam]))
        #expect(try database.preferences(personId: person.id!).map(\.key) == ["drink", "room"])
        #expect(try database.thumbnail(personId: person.id!) == [0xFF, 0xD8, 0xFF])
        let gallery = try database.loadGallery()
        #expect(gallery.templateCount == 3)
        let match = try #require(gallery.identify(factory.near(priya, distance: 0.1)))
        #expect(match.name == "Priya")
        #expect(match.distance > 0.05 && match.distance < 0.15)
        #expect(match.runnerUp?.personId != person.id)
        #expect(try database.visits().isEmpty, "enrollment from the CLI records no visit")
    }

    @Test func templatesOfAnotherModelAreNotCompared() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 2)
        var old = enrollment("Old model", [factory.embedding()])
        old.model = "some_future_model_v2"
        try database.enroll(old)
        let gallery = try database.loadGallery()
        #expect(gallery.templateCount == 0)
        #expect(gallery.otherModelTemplates == 1)
    }

    @Test func cooldownDoesNotCountARepeatedCheckIn() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 3)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let id = try database.enroll(enrollment("Ana", [factory.embedding()], firstVisitKiosk: "desk"), now: start).id!
        let cooldown: TimeInterval = 600
        let soon = try database.recordVisit(personId: id, kioskId: "desk", distance: 0.3, quality: 0.9, cooldown: cooldown,
                                            now: start.addingTimeInterval(300))
        #expect(!soon.counted)
        #expect(soon.visitNumber == 1)
        let later = try database.recordVisit(personId: id, kioskId: "desk", distance: 0.3, quality: 0.9, cooldown: cooldown,
                                             now: start.addingTimeInterval(900))
        #expect(later.counted)
        #expect(later.visitNumber == 2)
        #expect(later.previousVisit == start)
        let again = try database.recordVisit(personId: id, kioskId: "desk", distance: 0.3, quality: 0.9, cooldown: cooldown,
                                             now: start.addingTimeInterval(1000))
        #expect(!again.counted)
        #expect(again.visitNumber == 2)
        #expect(again.previousVisit == start)
        #expect(try database.visits().count == 2)
    }

    /// Exactly as typed, once NFC-normalised and trimmed (VisitorTextTests has the refusals).
    @Test func namesAndValuesAreStoredExactlyAsTyped() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 4)
        let names = ["Zoë Ångström", "李小龍", "Robert'); DROP TABLE person;--", "spaced  inside", "emoji 🙂↔️", "=HYPERLINK(\"x\")"]
        for name in names {
            try database.enroll(enrollment(name, [factory.embedding()], preferences: [("note \"quoted\"", "a,b;c 'd'")]))
        }
        let stored = try database.people().map(\.name)
        #expect(Set(stored) == Set(names))
        for name in names {
            let person = try database.person(matching: name)
            #expect(person.name == name)
            #expect(try database.preferences(personId: person.id!).first?.value == "a,b;c 'd'")
        }
        #expect(try database.people(ListFilter(name: "小龍")).map(\.name) == ["李小龍"])
    }

    @Test func invalidEnrollmentsStoreNothing() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 5)
        #expect(throws: StoreError.self) { try database.enroll(enrollment("   ", [factory.embedding()])) }
        #expect(throws: StoreError.self) { try database.enroll(enrollment("No face", [])) }
        #expect(throws: StoreError.self) {
            try database.enroll(enrollment("Twice", [factory.embedding()], preferences: [("drink", "tea"), ("drink", "coffee")]))
        }
        #expect(try database.personCount() == 0)
    }

    @Test func findingPeopleByNameOrId() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 6)
        let first = try database.enroll(enrollment("Alex", [factory.embedding()]))
        try database.enroll(enrollment("Alex", [factory.embedding()]))
        #expect(try database.person(matching: String(first.id!)).id == first.id)
        #expect(throws: StoreError.self) { try database.person(matching: "Alex") }
        #expect(throws: StoreError.personNotFound("Nobody")) { try database.person(matching: "Nobody") }
    }

    @Test func forgetRemovesEveryTraceAndUpdatesTheGallery() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 7)
        let e = factory.embedding()
        let person = try database.enroll(enrollment("Gone", [e], preferences: [("k", "v")], thumbnail: [1, 2, 3], firstVisitKiosk: "desk"))
        var gallery = try database.loadGallery()
        try database.forget(personId: person.id!)
        gallery.remove(personId: person.id!)
        #expect(gallery.identify(e) == nil)
        let counts = try database.writer.read { db in
            try ["person", "preference", "faceTemplate", "thumbnail", "visit"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1
            }
        }
        #expect(counts == [0, 0, 0, 0, 0])
        #expect(throws: StoreError.personNotFound("id \(person.id!)")) { try database.forget(personId: person.id!) }
    }

    @Test func purgeErasesPeopleNotSeenSinceTheCutoff() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 8)
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        let recent = old.addingTimeInterval(400 * 86_400)
        let stale = try database.enroll(enrollment("Stale", [factory.embedding()], firstVisitKiosk: "desk"), now: old)
        let returning = try database.enroll(enrollment("Returning", [factory.embedding()], firstVisitKiosk: "desk"), now: old)
        _ = try database.recordVisit(personId: returning.id!, kioskId: "desk", distance: 0.3, quality: 0.9, cooldown: 0, now: recent)
        try database.enroll(enrollment("New", [factory.embedding()]), now: recent)
        let erased = try database.purge(notSeenSince: recent.addingTimeInterval(-30 * 86_400))
        #expect(erased == ["Stale"])
        #expect(Set(try database.people().map(\.name)) == ["Returning", "New"])
        #expect(throws: StoreError.self) { try database.person(matching: String(stale.id!)) }
    }
}

@Suite("Templates learned from confident matches")
struct MatchTemplateTests {
    @Test func keepsAtMostTheLimitReplacingTheOldest() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 31)
        let base = factory.embedding()
        let person = try database.enroll(enrollment("Learner", [base]))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var learned: [Embedding] = []
        for i in 0..<7 {
            let e = factory.near(base, distance: 0.3)
            learned.append(e)
            let visit = VisitCommit(personId: person.id!, time: start.addingTimeInterval(Double(i)), kioskId: "test", distance: 0.3,
                                    quality: 0.8, cooldown: 0, lesson: .init(embedding: e, quality: 0.8, maxDistanceToEnrolled: 0.4))
            #expect(try database.commitVisit(visit).learned)
        }
        let stored = try database.embeddings(personId: person.id!)
        #expect(stored.count == 6, "1 enrollment template + 5 learned")
        #expect(stored.contains(base), "the enrollment template is never replaced")
        #expect(!stored.contains(learned[0]) && !stored.contains(learned[1]), "the two oldest learned ones were replaced")
        #expect(stored.contains(learned[6]))
        #expect(try database.templateCounts(personId: person.id!) == TemplateCounts(enrolled: 1, learned: 5))
        // Staff make the desk forget what it learned; the enrollment template stays.
        #expect(try database.removeLearnedTemplates(personId: person.id!) == 5)
        #expect(try database.embeddings(personId: person.id!) == [base])
        let nobody = VisitCommit(personId: 999, time: start, kioskId: "test", distance: 0.3, quality: 0.8, cooldown: 0)
        #expect(throws: StoreError.personNotFound("id 999")) { try database.commitVisit(nobody) }
    }
}
