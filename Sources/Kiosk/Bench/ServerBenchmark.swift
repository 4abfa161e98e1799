import DeskCore
import Foundation
import ServerStore
import Store
import Vision

/// `kiosk bench --db postgres://...`: what sharing a server costs a desk. Check-in commits
/// (the store's transaction alone, and the desk's commit with its journal), how long an
/// enrollment at one desk takes to reach another desk's gallery, desk start-up at 10k and
/// 100k people, and 50 desks each checking in once a second. Writes synthetic people into
/// the database, so it needs an empty scratch database and empties it again at the end.
struct ServerBenchmark {
    struct Report: Encodable {
        let server: String
        /// `commitVisit` alone: one transaction with the row lock and the cooldown check.
        let commit: BenchReport.Stage
        /// `FrontDesk.commit`: the journal append (fsync), the transaction, the journal removal.
        let desk_commit: BenchReport.Stage
        /// Enrollment committed at desk A until desk B's gallery holds the person.
        let propagation: BenchReport.Stage
        /// Loading the gallery / starting a desk (gallery, change number, PIN) at each size.
        let gallery_load_ms: [String: Double]
        let desk_start_ms: [String: Double]
        let desks: Int
        let desk_seconds: Int
        /// The simulated desks' check-ins: latency, how many, how many failed.
        let many_desks_commit: BenchReport.Stage
        let many_desks_commits: Int
        let many_desks_errors: Int
    }

    let engine: FaceEngine
    let config: KioskConfig
    let open: () throws -> PostgresVisitorStore
    let pendingDirectory: String
    var desks = 50
    var deskSeconds = 60

    func run(progress: (String) -> Void) async throws -> Report {
        let a = try open()
        guard try a.isEmpty() else {
            throw KioskError(exitCode: 1, "bench writes synthetic visitors: give it an empty scratch database (\(a.location) holds data)")
        }
        defer { try? a.restore(DatabaseSnapshot()) }
        var synthetic = SyntheticEmbeddings(seed: 11)

        progress("check-in commits...")
        let regular = try a.enroll(Enrollment(name: "Bench Regular", consentVersion: "1",
                                              templates: [.init(embedding: synthetic.next(), quality: 1)]), now: Date())
        let regularId = regular.id ?? 0
        var commits = Timings()
        let t0 = Date()
        for i in 0..<300 {
            let commit = VisitCommit(personId: regularId, time: t0.addingTimeInterval(Double(i) * 3600), kioskId: "bench",
                                     distance: 0.3, quality: 0.9, cooldown: 600)
            let start = ContinuousClock.now
            _ = try a.commitVisit(commit)
            if i >= 20 { commits.add(milliseconds(since: start)) }
        }
        let queue = PendingVisits(path: pendingDirectory + "/bench-\(UUID().uuidString).pending-visits")
        defer { try? FileManager.default.removeItem(atPath: queue.path) }
        let deskA = try FrontDesk(engine: engine, store: a, config: config, pending: queue)
        var deskCommits = Timings()
        for i in 0..<200 {
            let commit = VisitCommit(personId: regularId, time: t0.addingTimeInterval(Double(1000 + i) * 3600), kioskId: "bench",
                                     distance: 0.3, quality: 0.9, cooldown: 600)
            let start = ContinuousClock.now
            _ = await deskA.commit(commit)
            if i >= 20 { deskCommits.add(milliseconds(since: start)) }
        }

        progress("propagation from desk A to desk B...")
        let deskB = try FrontDesk(engine: engine, store: try open(), config: config, pending: nil)
        deskB.followChanges()
        try await Task.sleep(for: .milliseconds(300))  // the listener connects
        var propagation = Timings()
        for i in 0..<60 {
            let before = await deskB.status.people
            let start = ContinuousClock.now
            _ = try a.enroll(Enrollment(name: "Propagated \(i)", consentVersion: "1",
                                        templates: [.init(embedding: synthetic.next(), quality: 1)]), now: Date())
            while await deskB.status.people == before, milliseconds(since: start) < 5000 {
                try await Task.sleep(for: .microseconds(200))
            }
            if i >= 5 { propagation.add(milliseconds(since: start)) }
        }

        var galleryLoad: [String: Double] = [:], deskStart: [String: Double] = [:]
        var people = try a.personCount()
        for size in [10_000, 100_000] {
            progress("gallery of \(size) people...")
            try a.insertSynthetic(people: people..<size, embedding: { _ in synthetic.next() })
            people = size
            var loads = Timings(), starts = Timings()
            for _ in 0..<3 {
                var start = ContinuousClock.now
                let gallery = try a.loadGallery(model: ModelFiles.embeddingModelID)
                loads.add(milliseconds(since: start))
                precondition(gallery.personCount >= size)
                start = ContinuousClock.now
                _ = try FrontDesk(engine: engine, store: try open(), config: config, pending: nil)
                starts.add(milliseconds(since: start))
            }
            galleryLoad[String(size)] = loads.p50
            deskStart[String(size)] = starts.p50
        }

        progress("\(desks) desks checking in once a second for \(deskSeconds) s...")
        let many = try manyDesks(people: people)
        return Report(server: a.location, commit: .init(commits), desk_commit: .init(deskCommits), propagation: .init(propagation),
                      gallery_load_ms: galleryLoad, desk_start_ms: deskStart, desks: desks, desk_seconds: deskSeconds,
                      many_desks_commit: .init(many.timings), many_desks_commits: many.timings.values.count, many_desks_errors: many.errors)
    }

    /// `desks` connections, each on a thread of its own checking in a random person once a
    /// second (as a busy lobby desk would at most), for `deskSeconds`.
    private func manyDesks(people: Int) throws -> (timings: Timings, errors: Int) {
        let stores = try (0..<desks).map { _ in try open() }
        let results = ManyDeskResults()
        let group = DispatchGroup()
        let begin = Date()
        let desks = self.desks, seconds = self.deskSeconds
        for (index, store) in stores.enumerated() {
            group.enter()
            let thread = Thread {
                var generator = SystemRandomNumberGenerator()
                for second in 0..<seconds {
                    // Spread the desks over the second, as real desks are.
                    let due = begin.addingTimeInterval(Double(second) + Double(index) / Double(desks))
                    let wait = due.timeIntervalSinceNow
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    let commit = VisitCommit(personId: Int64.random(in: 1...Int64(people), using: &generator), time: Date(),
                                             kioskId: "bench-\(index)", distance: 0.3, quality: 0.9, cooldown: 600)
                    let start = ContinuousClock.now
                    do {
                        _ = try store.commitVisit(commit)
                        results.add(milliseconds(since: start))
                    } catch {
                        results.fail()
                    }
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.summary
    }
}

/// The simulated desks' results, gathered from their threads.
private final class ManyDeskResults: @unchecked Sendable {
    // @unchecked: the fields are used with `lock` held.
    private let lock = NSLock()
    private var timings = Timings()
    private var errors = 0
    func add(_ milliseconds: Double) { lock.withLock { timings.add(milliseconds) } }
    func fail() { lock.withLock { errors += 1 } }
    var summary: (timings: Timings, errors: Int) { lock.withLock { (timings, errors) } }
}
