import Foundation
import PostgresTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension MultiDeskTests {
    /// Several desks on one PostgreSQL server (issue #11): running desks follow what other
    /// desks change within a second, and a visit is counted once however many desks see it.
    @Suite("Multi-desk sync", .serialized,
           .enabled(if: MultiDesk.facesAvailable, MultiDesk.noFacesComment),
           .enabled(if: MultiDesk.serverTestsEnabled, MultiDesk.noServerComment))
    struct Sync {
        /// How soon a change made at one desk must reach the running desks.
        static let propagation = 1.0

        /// Sends `photo` to every desk, again and again, until each has answered with
        /// `status` or `deadline` (seconds after `start`) has passed. Returns, per desk, how
        /// long after `start` the photo that got that answer was sent (nil: never), and
        /// every answer received.
        static func poll(_ desks: [CLIDesk], _ photo: String, until status: String, start: Date, deadline: Double)
            throws -> (sentAfter: [Double?], answers: [[CheckInAnswer]]) {
            var sentAfter = [Double?](repeating: nil, count: desks.count)
            var answers = [[CheckInAnswer]](repeating: [], count: desks.count)
            while sentAfter.contains(where: { $0 == nil }) {
                let sent = Date()
                if sent.timeIntervalSince(start) > deadline { break }
                let waiting = desks.indices.filter { sentAfter[$0] == nil }
                for i in waiting { desks[i].send(photo) }  // back to back: the desks work at once
                for i in waiting {
                    let answer = try desks[i].answer()
                    answers[i].append(answer)
                    if answer.status == status { sentAfter[i] = sent.timeIntervalSince(start) }
                }
            }
            return (sentAfter, answers)
        }

        @Test("Three desks, one server: enrollment, a preference edit and erasure reach running desks within 1 s; each visit is listed once")
        func threeDesksOneServer() throws {
            let site = try MultiDeskSite(server: try MultiDesk.sharedServer(), cooldownMinutes: 0, name: "md-sync")
            try site.migrate()
            // A and B run before anyone is enrolled: their galleries start empty.
            let a = try CLIDesk("A", site: site)
            defer { a.kill() }
            let b = try CLIDesk("B", site: site)
            defer { b.kill() }
            for desk in [a, b] {
                let first = try desk.checkIn(MultiDesk.obama2)
                #expect(first.status == "unknown", "desk \(desk.name) before any enrollment: \(first)")
            }

            // C enrolls: B greets within a second.
            try site.enroll("Barack Obama", MultiDesk.obama, preferences: ["drink=black coffee"])
            let enrolled = Date()
            let greeted = try Self.poll([b], MultiDesk.obama2, until: "returning", start: enrolled, deadline: Self.propagation)
            let bAfter = try #require(greeted.sentAfter[0], "B did not greet Barack Obama within \(Self.propagation) s of the enrollment at C: \(greeted.answers[0])")
            #expect(bAfter <= Self.propagation)
            let bGreeting = try #require(greeted.answers[0].last)
            #expect(bGreeting.name == "Barack Obama")
            #expect(bGreeting.preferences == ["drink": "black coffee"])
            #expect(bGreeting.new_visit == true)
            // A, which has seen nothing since either, greets too.
            let aGreeting = try a.checkIn(MultiDesk.obama3)
            #expect(aGreeting.status == "returning" && aGreeting.name == "Barack Obama", "A: \(aGreeting)")
            #expect(aGreeting.new_visit == true, "no cooldown in this test: every greeting is a visit")

            // A preference edited at B's side (`kiosk preferences`, with B's data directory):
            // A greets with it within a second.
            let edit = try site.kiosk(["preferences", "Barack Obama", "--set", "drink=green tea"], desk: "B")
            try #require(edit.status == 0, "kiosk preferences --set: \(edit.stdout)\(edit.stderr)")
            let edited = Date()
            var editAnswers: [CheckInAnswer] = []
            var sentAfterEdit: Double?
            while sentAfterEdit == nil {
                let sent = Date()
                if sent.timeIntervalSince(edited) > Self.propagation { break }
                let answer = try a.checkIn(MultiDesk.obama3)
                editAnswers.append(answer)
                if answer.preferences == ["drink": "green tea"] { sentAfterEdit = sent.timeIntervalSince(edited) }
            }
            #expect(sentAfterEdit != nil, "A did not greet with the preference edited at B within \(Self.propagation) s: \(editAnswers)")
            #expect(editAnswers.allSatisfy { $0.status == "returning" && $0.name == "Barack Obama" }, "\(editAnswers)")

            // Every greeting so far (cooldown 0) is a visit, listed once, numbered in order.
            let greetings = (greeted.answers[0] + [aGreeting] + editAnswers).filter { $0.status == "returning" }
            let visits = try site.visits()
            #expect(visits.count == greetings.count, "greetings \(greetings), visits \(visits)")
            #expect(Set(visits.map(\.id)).count == visits.count, "a visit is listed twice: \(visits)")
            #expect(visits.allSatisfy { $0.name == "Barack Obama" })
            #expect(greetings.compactMap(\.visit_number).sorted() == Array(1...greetings.count),
                    "visit numbers: \(greetings.map { $0.visit_number ?? -1 })")
            #expect(try site.people().first?.visits == greetings.count)

            // C erases him: neither A nor B greets him a second later.
            let forget = try site.kiosk(["forget", "--yes", "Barack Obama"])
            try #require(forget.status == 0, "\(forget.stderr)")
            let erased = Date()
            let after = try Self.poll([a, b], MultiDesk.obama3, until: "unknown", start: erased, deadline: Self.propagation)
            for (i, desk) in [a, b].enumerated() {
                #expect(after.sentAfter[i] != nil, "desk \(desk.name) still greets an erased person after \(Self.propagation) s: \(after.answers[i])")
                // Nothing returning once the erasure was seen (answers before it may be).
                let answered = after.answers[i]
                if let firstUnknown = answered.firstIndex(where: { $0.status == "unknown" }) {
                    #expect(answered[firstUnknown...].allSatisfy { $0.status == "unknown" })
                }
                #expect(!answered.contains { $0.status == "ambiguous" })
            }
            // The erasure took his visits too; a stray greeting after it would have left one.
            let late = after.answers.flatMap { $0 }.filter { $0.status == "returning" }
            #expect(try site.visits().count == 0, "visits left after erasure (greetings racing it: \(late))")
            #expect(try site.people().isEmpty)
            // And a check-in now is still unknown at both.
            for desk in [a, b] { #expect(try desk.checkIn(MultiDesk.obama2).status == "unknown") }

            for desk in [a, b] { #expect(desk.stop() == 0, "desk \(desk.name) did not end cleanly at end of input: \(desk.stderr)") }
            #expect(site.pendingVisits(desk: "A").isEmpty && site.pendingVisits(desk: "B").isEmpty)
        }

        @Test("Two desks check in the same person at the same moment: one visit (default cooldown)")
        func sameMomentOneVisit() throws {
            let site = try MultiDeskSite(server: try MultiDesk.sharedServer(), cooldownMinutes: nil, name: "md-race")
            try site.migrate()
            try site.enroll("Barack Obama", MultiDesk.obama)
            let a = try CLIDesk("A", site: site)
            defer { a.kill() }
            let b = try CLIDesk("B", site: site)
            defer { b.kill() }
            // Started and warmed up (models loaded, gallery read) on someone unknown.
            for desk in [a, b] { #expect(try desk.checkIn(MultiDesk.biden).status == "unknown") }

            var answers: [CheckInAnswer] = []
            for round in 1...5 {
                a.send(MultiDesk.obama2)
                b.send(MultiDesk.obama2)
                let pair = [try a.answer(), try b.answer()]
                for answer in pair {
                    #expect(answer.status == "returning" && answer.name == "Barack Obama", "round \(round): \(answer)")
                    #expect(answer.visit_number == 1, "round \(round): \(answer)")
                }
                answers += pair
            }
            let counted = answers.filter { $0.new_visit == true }
            #expect(counted.count == 1, "exactly one desk should report a new visit: \(answers)")
            let visits = try site.visits().filter { $0.name == "Barack Obama" }
            #expect(visits.count == 1, "two desks at one moment made \(visits.count) visits: \(visits)")
            #expect(try site.people().first?.visits == 1)
            for desk in [a, b] { #expect(desk.stop() == 0, "\(desk.stderr)") }
        }
    }
}
