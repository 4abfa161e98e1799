import Foundation
import PostgresTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension MultiDeskTests {
    /// `kiosk db copy` from a desk's SQLite file to the server and back.
    @Suite("Multi-desk db copy", .serialized,
           .enabled(if: MultiDesk.facesAvailable, MultiDesk.noFacesComment),
           .enabled(if: MultiDesk.serverTestsEnabled, MultiDesk.noServerComment))
    struct Copy {
        @Test("SQLite file -> server -> SQLite file: people and visits identical; a second copy needs --force")
        func roundTrip() throws {
            let server = try MultiDesk.sharedServer()
            // Every command below names its database with --db (over the configuration's).
            let url = try server.createDatabase()
            let site = try MultiDeskSite(server: server, url: url, cooldownMinutes: 0, name: "md-copy")
            let file = site.root + "/desk.sqlite"
            let back = site.root + "/back.sqlite"

            try site.enroll("Barack Obama", MultiDesk.obama, preferences: ["drink=black coffee", "room=21 °C"], db: file)
            try site.enroll("Joe Biden", MultiDesk.biden, preferences: ["drink=orange juice"], db: file)
            for photo in [MultiDesk.obama2, MultiDesk.obama3, MultiDesk.biden] {
                let run = try site.kiosk(["checkin", "--json", "--db", file, photo])
                #expect(run.status == 0 && run.stdout.contains(#""status":"returning""#), "\(run.stdout)\(run.stderr)")
            }
            let filePeople = try site.people(db: file)
            let fileVisits = try site.visits(db: file)
            #expect(filePeople.map(\.name).sorted() == ["Barack Obama", "Joe Biden"])
            #expect(filePeople.first { $0.name == "Barack Obama" }?.visits == 2)
            #expect(fileVisits.count == 3)

            // To the server.
            let copy = try site.kiosk(["db", "copy", "--from", file, "--to", url])
            try #require(copy.status == 0, "db copy to the server: \(copy.stdout)\(copy.stderr)")
            #expect(try site.people(db: url) == filePeople)
            #expect(try site.visits(db: url) == fileVisits)

            // The file moves on; copying it again without --force is refused and the server
            // keeps what it had.
            let later = try site.kiosk(["checkin", "--json", "--db", file, MultiDesk.obama2])
            #expect(later.status == 0 && later.stdout.contains(#""status":"returning""#), "\(later.stdout)\(later.stderr)")
            let refused = try site.kiosk(["db", "copy", "--from", file, "--to", url])
            #expect(refused.status == 1, "a second copy without --force: \(refused.status) \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("--force"), "\(refused.stderr)")
            #expect(try site.people(db: url) == filePeople, "a refused copy changed the server's people")
            #expect(try site.visits(db: url) == fileVisits, "a refused copy changed the server's visits")

            // With --force the server is replaced by the file's current state.
            let forced = try site.kiosk(["db", "copy", "--from", file, "--to", url, "--force"])
            try #require(forced.status == 0, "db copy --force: \(forced.stdout)\(forced.stderr)")
            let people = try site.people(db: file)
            let visits = try site.visits(db: file)
            #expect(visits.count == 4)
            #expect(try site.people(db: url) == people)
            #expect(try site.visits(db: url) == visits)

            // And back to a new file: the same again.
            let home = try site.kiosk(["db", "copy", "--from", url, "--to", back])
            try #require(home.status == 0, "db copy back to a file: \(home.stdout)\(home.stderr)")
            #expect(try site.people(db: back) == people)
            #expect(try site.visits(db: back) == visits)

            // The server copy is a working desk database: Barack Obama is greeted, as his
            // next visit, and the preferences came along.
            let checkin = try site.kiosk(["checkin", "--json", "--db", url, MultiDesk.obama3])
            #expect(checkin.status == 0, "\(checkin.stderr)")
            let answer = try JSONDecoder().decode(CheckInAnswer.self, from: Data(checkin.stdout.utf8))
            #expect(answer.status == "returning" && answer.name == "Barack Obama", "\(checkin.stdout)")
            let obamaVisits = people.first { $0.name == "Barack Obama" }?.visits ?? -1
            #expect(answer.visit_number == obamaVisits + 1, "\(checkin.stdout)")
            #expect(answer.person_id == people.first { $0.name == "Barack Obama" }?.id)
            #expect(answer.preferences == ["drink": "black coffee", "room": "21 °C"])
            #expect(try site.visits(db: url).count == visits.count + 1)
        }
    }
}
