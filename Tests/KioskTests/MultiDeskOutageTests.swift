import Foundation
import PostgresTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension MultiDeskTests {
    /// The server goes away (stopped, or a desk dies mid-write): desks keep greeting from
    /// their galleries, queue the visits, and every visit arrives exactly once afterwards,
    /// except those of a person erased meanwhile.
    @Suite("Multi-desk outage", .serialized,
           .enabled(if: MultiDesk.facesAvailable, MultiDesk.noFacesComment),
           .enabled(if: MultiDesk.serverTestsEnabled, MultiDesk.noServerComment))
    struct Outage {
        @Test("Server stopped while desks check in; started again: every visit once, none for a person erased in between")
        func serverStoppedAndStartedAgain() throws {
            // A server of its own: this test stops it.
            let server = try TestPostgres.start()
            defer { server.stop(mode: "immediate") }
            let site = try MultiDeskSite(server: server, url: server.url, cooldownMinutes: 0, name: "md-outage")
            try site.migrate()
            try site.enroll("Barack Obama", MultiDesk.obama)
            try site.enroll("Joe Biden", MultiDesk.biden)
            let a = try CLIDesk("A", site: site)
            defer { a.kill() }
            let b = try CLIDesk("B", site: site)
            defer { b.kill() }

            // Online, alternately: every greeting is written at once.
            var obamaGreetings = 0
            for (desk, photo, name) in [(a, MultiDesk.obama2, "Barack Obama"), (b, MultiDesk.biden, "Joe Biden"),
                                        (a, MultiDesk.biden, "Joe Biden"), (b, MultiDesk.obama3, "Barack Obama")] {
                let answer = try desk.checkIn(photo)
                #expect(answer.status == "returning" && answer.name == name, "desk \(desk.name), online: \(answer)")
                #expect(answer.new_visit == true && (answer.visit_number ?? 0) > 0, "desk \(desk.name), online: \(answer)")
                if name == "Barack Obama" { obamaGreetings += 1 }
            }
            #expect(try site.visits().count == 4)

            // The server crashes. Both desks keep greeting from their galleries.
            server.stop(mode: "immediate")
            let offline: [(CLIDesk, String, String)] = [(a, MultiDesk.obama2, "Barack Obama"), (b, MultiDesk.obama3, "Barack Obama"),
                                                        (a, MultiDesk.biden, "Joe Biden")]
            for (desk, photo, name) in offline {
                let answer = try desk.checkIn(photo)
                #expect(answer.status == "returning" && answer.name == name, "desk \(desk.name), server down: \(answer)")
                if name == "Barack Obama" { obamaGreetings += 1 }
            }
            #expect(a.isRunning && b.isRunning, "a desk ended while the server was down: \(a.stderr)\(b.stderr)")
            #expect(a.stderr.contains("queued"), "A did not say its visits were queued: \(a.stderr)")
            #expect(b.stderr.contains("queued"), "B did not say its visit was queued: \(b.stderr)")
            let queuedAtA = site.pendingVisits(desk: "A")
            let queuedAtB = site.pendingVisits(desk: "B")
            #expect(queuedAtA.count == 2, "A's queue: \(queuedAtA)")
            #expect(queuedAtB.count == 1, "B's queue: \(queuedAtB)")
            let obamaId = try #require(queuedAtB.first?.personId)
            let queuedObama = (queuedAtA + queuedAtB).filter { $0.personId == obamaId }
            let queuedBiden = queuedAtA.filter { $0.personId != obamaId }
            #expect(queuedObama.count == 2 && queuedBiden.count == 1)

            // The server is back; first Joe Biden is erased (from the command line, whose
            // own queue is not A's), then the desks write their queues at their next check-in.
            try server.restart()
            let forget = try site.kiosk(["forget", "--yes", "Joe Biden"])
            try #require(forget.status == 0, "\(forget.stderr)")
            #expect(site.pendingVisits(desk: "A").count == 2, "the CLI's erasure must not touch another desk's queue file")
            for (desk, photo) in [(a, MultiDesk.obama3), (b, MultiDesk.obama2)] {
                // Check-ins more than a second apart (the store's retry delay): the first may
                // still find the old connection gone and queue once more; a later one delivers.
                // (Desks checking in faster than that: see desksCheckingInOftenReconnect.)
                var answer = try desk.checkIn(photo)
                obamaGreetings += answer.status == "returning" ? 1 : 0
                let deadline = Date().addingTimeInterval(8)
                while !site.pendingVisits(desk: desk.name).isEmpty && Date() < deadline {
                    usleep(1_200_000)
                    answer = try desk.checkIn(photo)
                    obamaGreetings += answer.status == "returning" ? 1 : 0
                }
                #expect(answer.status == "returning" && answer.name == "Barack Obama", "desk \(desk.name) after restart: \(answer)")
                #expect(site.pendingVisits(desk: desk.name).isEmpty, "desk \(desk.name)'s queue was not delivered: \(site.pendingVisits(desk: desk.name))")
            }

            // Every greeting of Barack Obama is one visit row, the queued ones exactly once;
            // nothing of Joe Biden, not even his queued visit.
            let visits = try site.visits()
            #expect(visits.allSatisfy { $0.name == "Barack Obama" }, "visits: \(visits)")
            #expect(visits.count == obamaGreetings, "\(obamaGreetings) greetings, visits: \(visits)")
            #expect(Set(visits.map(\.id)).count == visits.count)
            for queued in queuedObama { #expect(try site.visitRows(uuid: queued.id) == 1, "queued visit \(queued.id)") }
            for queued in queuedBiden { #expect(try site.visitRows(uuid: queued.id) == 0, "the erased person's queued visit \(queued.id) came back") }
            #expect(try site.sql("SELECT count(*) FROM visit WHERE person_id <> \(obamaId)") == "0")
            #expect(try site.people().map(\.name) == ["Barack Obama"])
            #expect(a.isRunning && b.isRunning)
            for desk in [a, b] { #expect(desk.stop() == 0, "desk \(desk.name): \(desk.stderr)") }
        }

        @Test("A desk that checks in more than once a second through a server restart reconnects and delivers its queue")
        func desksCheckingInOftenReconnect() throws {
            let server = try TestPostgres.start()
            defer { server.stop(mode: "immediate") }
            let site = try MultiDeskSite(server: server, url: server.url, cooldownMinutes: 0, name: "md-busy")
            try site.migrate()
            try site.enroll("Barack Obama", MultiDesk.obama)
            let a = try CLIDesk("A", site: site)
            defer { a.kill() }
            #expect(try a.checkIn(MultiDesk.obama2).visit_number == 1)

            server.stop(mode: "immediate")
            #expect(try a.checkIn(MultiDesk.obama2).status == "returning")
            // The server comes back while the desk keeps checking people in, one after another.
            let restarted = DispatchGroup()
            restarted.enter()
            DispatchQueue.global().async {
                usleep(500_000)
                try? server.restart()
                restarted.leave()
            }
            var answers: [CheckInAnswer] = []
            while restarted.wait(timeout: .now()) == .timedOut {
                answers.append(try a.checkIn(MultiDesk.obama2))
            }
            let back = Date()
            while !site.pendingVisits(desk: "A").isEmpty && Date().timeIntervalSince(back) < 5 {
                answers.append(try a.checkIn(MultiDesk.obama2))
            }
            #expect(answers.allSatisfy { $0.status == "returning" })
            let left = site.pendingVisits(desk: "A")
            let lastError = a.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(left.isEmpty, "5 s after the server came back, \(left.count) visits are still queued at a desk that kept checking in (\(answers.count) check-ins); last error: \(lastError)")
            #expect(try site.visits().count == answers.count + 2, "every greeting is one visit (cooldown 0)")
            #expect(a.stop() == 0, "\(a.stderr)")
        }

        @Test("kill -9 while the desk waits inside its write: the visit is queued, and delivered once by the next desk")
        func killedMidCommit() throws {
            let site = try MultiDeskSite(server: try MultiDesk.sharedServer(), cooldownMinutes: 0, name: "md-kill")
            try site.migrate()
            try site.enroll("Barack Obama", MultiDesk.obama)
            let personId = try #require(try site.people().first?.id)
            let a = try CLIDesk("A", site: site)
            defer { a.kill() }
            #expect(try a.checkIn(MultiDesk.biden).status == "unknown")  // up and warm

            // Another session holds the person's row, so A's write waits inside its
            // transaction (after the visit was journaled).
            let holdSeconds = 5
            let holder = DispatchGroup()
            holder.enter()
            DispatchQueue.global().async {
                _ = try? site.sql("BEGIN; SELECT 1 FROM person WHERE id = \(personId) FOR UPDATE; SELECT pg_sleep(\(holdSeconds)); COMMIT;")
                holder.leave()
            }
            defer { holder.wait() }
            let locked = MultiDesk.waitUntil(3) {
                (try? site.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(\(holdSeconds))%' AND state = 'active' AND pid <> pg_backend_pid()")) == "1"
            }
            try #require(locked, "the row lock was not taken")

            a.send(MultiDesk.obama2)
            let waiting = MultiDesk.waitUntil(Double(holdSeconds) - 1) {
                (try? site.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%' AND query NOT LIKE '%pg_sleep%'")) == "1"
            }
            try #require(waiting, "A's write never waited for the row lock; answer: \(a.nextLine(timeout: 0.1) ?? "none")")
            a.kill(SIGKILL)
            #expect(a.nextLine(timeout: 0.5) == nil, "A answered before it was killed")
            holder.wait()  // the lock is released: A's abandoned transaction is rolled back

            let queued = site.pendingVisits(desk: "A")
            #expect(queued.count == 1, "A's queue after kill -9: \(queued)")
            let visit = try #require(queued.first)
            #expect(visit.personId == personId)
            #expect(try site.visitRows(uuid: visit.id) == 0, "the visit was written although A died inside the write")
            #expect(try site.visits().isEmpty)

            // A new desk on the same data directory delivers the queued visit at start; its
            // own check-in is a second visit; the queued one is there exactly once.
            let again = try CLIDesk("A", site: site)
            defer { again.kill() }
            let answer = try again.checkIn(MultiDesk.obama3)
            #expect(answer.status == "returning" && answer.name == "Barack Obama", "\(answer)")
            #expect(answer.visit_number == 2, "the queued visit should have been written first: \(answer)")
            #expect(site.pendingVisits(desk: "A").isEmpty, "queue left: \(site.pendingVisits(desk: "A"))")
            #expect(try site.visitRows(uuid: visit.id) == 1)
            let visits = try site.visits()
            #expect(visits.count == 2, "\(visits)")
            #expect(Set(visits.map(\.id)).count == 2)
            #expect(again.stop() == 0, "\(again.stderr)")
            // Once more from the command line (which also delivers queues): still once.
            #expect(try site.kiosk(["checkin", "--json", MultiDesk.biden], desk: "A").status == 0)
            #expect(try site.visitRows(uuid: visit.id) == 1)
        }
    }
}
