import Foundation
import PostgresTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension MultiDeskTests {
    /// A TUI desk (the real binary in tmux) on the shared server, with the CLI as a second desk.
    @Suite("Multi-desk TUI (tmux)", .serialized,
           .enabled(if: TmuxSession.available, "tmux is not installed (scripts/setup installs it)"),
           .enabled(if: MultiDesk.facesAvailable, MultiDesk.noFacesComment),
           .enabled(if: MultiDesk.serverTestsEnabled, MultiDesk.noServerComment))
    struct TUI {
        @Test("A TUI desk greets a person enrolled at another desk, and stops greeting them once erased there")
        func tuiDeskFollowsTheCLIDesk() throws {
            let site = try MultiDeskSite(server: try MultiDesk.sharedServer(), cooldownMinutes: 0, name: "md-tui")
            try site.migrate()
            let environment = site.environment(desk: "tui")
            let command = "\(KioskBinary.path) run --config \(TmuxSession.quote(site.config)) --greeting-seconds 30 --source image:"
                + TmuxSession.quote(MultiDesk.obama2)
            let tmux = try TmuxSession(command: command, environment: environment)
            defer { tmux.stop() }
            try #require(tmux.waitFor(" live ") != nil, "the front desk did not come up on the server:\n\(tmux.screen)")
            #expect(tmux.waitFor(" 0 enrolled ·", timeout: 5) != nil, "\(tmux.screen)")

            // Enrolled at the CLI desk: counted on screen within a second and a half, then greeted.
            try site.enroll("Barack Obama", MultiDesk.obama, preferences: ["drink=black coffee"])
            #expect(tmux.waitFor(" 1 enrolled ·", timeout: 1.5) != nil, "the TUI desk did not see the enrollment:\n\(tmux.screen)")
            tmux.send("Space")
            let greeting = tmux.waitFor("Welcome back, Barack Obama", timeout: 10)
            #expect(greeting != nil, "not greeted:\n\(tmux.screen)")
            #expect(greeting?.contains("drink: black coffee") == true, "\(greeting ?? "")")
            tmux.send("Enter")
            #expect(tmux.waitFor("Space capture") != nil, "\(tmux.screen)")
            // The greeting was written to the server, once.
            #expect(MultiDesk.waitUntil(3) { (try? site.visits().count) == 1 }, "visits: \((try? site.visits()) ?? [])")

            // Erased at the CLI desk: gone from the count, then a capture is a new visitor.
            let forget = try site.kiosk(["forget", "--yes", "Barack Obama"])
            try #require(forget.status == 0, "\(forget.stderr)")
            #expect(tmux.waitFor(" 0 enrolled ·", timeout: 1.5) != nil, "the TUI desk still counts an erased person:\n\(tmux.screen)")
            tmux.send("Space")
            let answer = tmux.waitFor("New visitor", timeout: 10)
            #expect(answer != nil, "an erased person was not treated as new:\n\(tmux.screen)")
            #expect(!(answer ?? "").contains("Barack Obama"), "\(answer ?? "")")
            #expect(!tmux.screen.contains("Welcome back"))
            tmux.send("Escape")
            #expect(tmux.waitFor("nothing was stored") != nil, "\(tmux.screen)")
            tmux.send("F10")
            #expect(tmux.waitFor("EXIT=0", timeout: 10) != nil, "did not quit cleanly:\n\(tmux.screen)")
            #expect(try site.visits().isEmpty)
            #expect(site.pendingVisits(desk: "tui").isEmpty)
        }
    }
}
