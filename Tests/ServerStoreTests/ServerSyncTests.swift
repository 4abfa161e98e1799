import DeskCore
import Foundation
import PostgresTestSupport
import ServerStore
import Store
import Testing
import Vision

/// Several desks on one real PostgreSQL server: simultaneous check-ins, change
/// notifications, and a server that goes away and comes back.
@Suite("Desks sharing a server", .serialized)
struct ServerSyncTests {
    let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    /// Two desks checking in one person at the same moment record one visit: the cooldown
    /// is decided inside the transaction, under the person's row lock.
    @Test func twoDesksCheckingInOnePersonAtOnceRecordOneVisit() throws {
        guard let server = try serverOrSkip() else { return }
        let a = try TestServer.freshStore(on: server)
        let b = try TestServer.secondDesk(of: a, server: server)
        var faces = Embeddings()
        let id = try #require(try a.enroll(enrollment("Twin Desks", [faces.next()]), now: t0).id)
        for round in 0..<20 {
            let time = t0.addingTimeInterval(Double(round) * 3600)
            let desks = [a, b]
            let results = ResultBox()
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let commit = visit(id, at: time.addingTimeInterval(Double(index)), kiosk: index == 0 ? "desk-a" : "desk-b")
                results.append(Result { try desks[index].commitVisit(commit).recording.counted })
            }
            #expect(results.counted == 1, "round \(round): \(results.all)")
        }
        #expect(try a.visits(ListFilter(personId: id), limit: nil, offset: 0).count == 20)
    }

    /// Another desk's enrollment and erasure are announced at once (NOTIFY), and the log
    /// tells what changed.
    @Test func changesAreAnnouncedToOtherDesks() throws {
        guard let server = try serverOrSkip() else { return }
        let a = try TestServer.freshStore(on: server)
        let b = try TestServer.secondDesk(of: a, server: server)
        let heard = DispatchSemaphore(value: 0)
        b.observeChanges { heard.signal() }
        // The listener looks once as it starts (changes made before it listened).
        #expect(heard.wait(timeout: .now() + 5) == .success)
        let before = try b.latestChange()
        var faces = Embeddings()
        let id = try #require(try a.enroll(enrollment("Announced", [faces.next()]), now: t0).id)
        #expect(heard.wait(timeout: .now() + 1) == .success, "no notification within 1 s of an enrollment")
        #expect(try b.changes(since: before).people.contains(id))
        while heard.wait(timeout: .now() + 0.2) == .success {}  // one per row written
        try a.forget(personId: id)
        #expect(heard.wait(timeout: .now() + 1) == .success, "no notification within 1 s of an erasure")
        #expect(try b.galleryEntry(personId: id, model: ModelFiles.embeddingModelID) == nil)
    }

    /// A desk's gallery follows another desk's enrollment and erasure by itself, and a
    /// desk that was cut off catches up from the log when the server is back.
    @Test func aDeskCatchesUpAfterTheServerWasAway() async throws {
        guard let site = try PrivateSite.start() else { return }
        defer { site.stop() }
        let (server, other, queue) = (site.server, site.other, site.queue)
        let desk = try site.desk(config: KioskConfig())
        desk.followChanges()
        var faces = Embeddings()
        let ada = faces.next(), bob = faces.next()
        let adaId = try #require(try other.enroll(enrollment("Ada", [ada]), now: t0).id)
        #expect(await eventually { await desk.status.people == 1 }, "the enrollment did not reach the desk within 1 s")

        // The server crashes; the desk keeps its gallery and says what is wrong.
        server.stop(mode: "immediate")
        let offline = await desk.refresh()
        #expect(offline.problem?.contains("cannot be reached") == true)
        #expect(await desk.identify(ada)?.personId == adaId)
        // A visit made now waits in the queue.
        let queued = await desk.commit(visit(adaId, at: t0.addingTimeInterval(3600)))
        guard case .queued = queued else { Issue.record("expected queued, got \(queued)"); return }
        #expect(queue.count == 1)

        try server.restart()
        let bobId = try #require(try other.enroll(enrollment("Bob", [bob]), now: t0).id)
        try other.forget(personId: adaId)
        // Back: the notification listener reconnects and the log brings both changes.
        let caughtUp = await eventually(seconds: 5) {
            let people = await desk.status.people
            let found = await desk.identify(bob)?.personId
            return people == 1 && found == bobId
        }
        let problem = await desk.refresh().problem
        #expect(caughtUp, "the desk did not catch up after the server came back: \(String(describing: problem))")
        #expect(await desk.identify(ada)?.personId != adaId)
        // Ada was erased meanwhile: her queued visit is dropped, not written.
        #expect(await eventually(seconds: 5) { await desk.deliverPending() == 0 })
        #expect(try other.visits(ListFilter(), limit: nil, offset: 0).isEmpty)
    }

    /// Queued visits are delivered once each when the server is back, even when delivery
    /// is tried again (by this desk or another process sharing the queue).
    @Test func queuedVisitsAreDeliveredExactlyOnce() async throws {
        guard let site = try PrivateSite.start() else { return }
        defer { site.stop() }
        let (server, other, queue) = (site.server, site.other, site.queue)
        var config = KioskConfig()
        config.cooldownMinutes = 0
        let desk = try site.desk(config: config)
        var faces = Embeddings()
        let id = try #require(try other.enroll(enrollment("Regular", [faces.next()]), now: t0).id)
        let written = await desk.commit(visit(id, at: t0.addingTimeInterval(10), cooldown: 0))
        guard case .written = written else { Issue.record("expected written, got \(written)"); return }
        #expect(queue.count == 0, "a written visit must leave the journal")

        server.stop(mode: "immediate")
        var shown: [VisitCommit] = []
        for minute in 1...5 {
            let commit = visit(id, at: t0.addingTimeInterval(Double(minute) * 60), cooldown: 0)
            shown.append(commit)
            guard case .queued = await desk.commit(commit) else { Issue.record("visit \(minute) was not queued"); return }
        }
        #expect(queue.count == 5)
        // Enrolling needs the server: refused with the reason, nothing half-stored.
        do {
            _ = try await desk.enroll(enrollment("Offline Newcomer", [faces.next()]))
            Issue.record("an enrollment was accepted while the server was down")
        } catch {
            #expect("\(error)".contains("cannot be reached"), "\(error)")
        }
        try server.restart()
        #expect(try other.people(ListFilter(name: "Offline"), limit: nil, offset: 0).isEmpty)
        // Delivered twice over (a retry, a second process on the same queue): written once.
        for commit in shown { _ = try other.commitVisit(commit) }
        // The desk tries the server again a second after its last failure.
        let delivered = await eventually(seconds: 5) { await desk.deliverPending() == 0 }
        let problem = await desk.refresh().problem
        #expect(delivered, "\(String(describing: problem))")
        let visits = try other.visits(ListFilter(personId: id), limit: nil, offset: 0)
        #expect(visits.count == 6)
        #expect(Set(visits.map(\.time.timeIntervalSince1970)).count == 6)
    }

    /// A schema migrated by a newer kiosk is refused, and one not migrated yet names the fix.
    @Test func aSchemaThisKioskDoesNotKnowIsRefused() throws {
        guard let server = try serverOrSkip() else { return }
        let url = try server.createDatabase()
        let address = try ServerAddress.parse(url)
        let password = try ServerPassword.lookup(for: address, passwordFile: server.passwordFile)
        let unmigrated = Result { try PostgresVisitorStore(address: address, password: password) }
        #expect(throws: StoreError.schemaNotMigrated(address: address.description, missingMigrations: PostgresVisitorStore.knownMigrations)) {
            try unmigrated.get()
        }
        let admin = try PostgresVisitorStore(address: address, password: password, checkSchema: false)
        #expect(try admin.migrate() == PostgresVisitorStore.knownMigrations)
        #expect(try admin.migrate().isEmpty)
        let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
        try server.psql("INSERT INTO kiosk_migration (id) VALUES ('v99: from the future')", database: name)
        #expect(throws: StoreError.newerVersion(path: address.description, unknownMigrations: ["v99: from the future"])) {
            try PostgresVisitorStore(address: address, password: password)
        }
        #expect(throws: StoreError.self) { try admin.migrate() }
    }

    // MARK: helpers

    private func serverOrSkip() throws -> TestPostgres? {
        do { return try TestServer.require() } catch let skip as SkipReason {
            print("SKIPPED: \(skip)")
            return nil
        }
    }


    /// Polls `condition` every 10 ms until it holds or `seconds` pass.
    private func eventually(seconds: Double = 1, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }
}

/// A server of the test's own (so it can stop it), a migrated database, a second desk's
/// store ("another desk") and a pending-visit queue for the desk under test.
struct PrivateSite {
    let server: TestPostgres
    let engine: FaceEngine
    let address: ServerAddress
    let password: String?
    let other: PostgresVisitorStore
    let queue: PendingVisits

    /// Nil (the test skips, saying why) without the face models or a PostgreSQL server,
    /// unless the server is required.
    static func start() throws -> PrivateSite? {
        guard let engine = FaceEngineForTests.engine else { print("SKIPPED: the face models are not installed (scripts/setup)"); return nil }
        let server: TestPostgres
        do { server = try TestPostgres.start() } catch {
            if TestPostgres.isRequired { throw error }
            print("SKIPPED: \(error)")
            return nil
        }
        let address = try ServerAddress.parse(try server.createDatabase())
        let password = try ServerPassword.lookup(for: address, passwordFile: server.passwordFile)
        _ = try PostgresVisitorStore(address: address, password: password, checkSchema: false).migrate()
        return PrivateSite(server: server, engine: engine, address: address, password: password,
                           other: try PostgresVisitorStore(address: address, password: password),
                           queue: PendingVisits(path: NSTemporaryDirectory() + "kiosk-site-\(UUID().uuidString).pending-visits"))
    }

    /// A desk on its own connection, with the site's queue.
    func desk(config: KioskConfig) throws -> FrontDesk {
        try FrontDesk(engine: engine, store: try PostgresVisitorStore(address: address, password: password), config: config, pending: queue)
    }

    func stop() {
        server.stop(mode: "immediate")
        try? FileManager.default.removeItem(atPath: queue.path)
    }
}

enum FaceEngineForTests {
    static let engine: FaceEngine? = try? FaceEngine(models: ModelFiles.resolve(explicit: nil))
}

/// Results gathered from concurrent threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Bool, any Error>] = []
    func append(_ result: Result<Bool, any Error>) { lock.withLock { results.append(result) } }
    var all: [Result<Bool, any Error>] { lock.withLock { results } }
    var counted: Int { all.filter { (try? $0.get()) == true }.count }
}
