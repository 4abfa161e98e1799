import Foundation
import PostgresTestSupport
import Testing

extension MultiDeskTests {
    /// The attack through the shared server: a name, a preference and a desk id holding
    /// terminal escape sequences, written straight into the server's tables by another
    /// program (not through a kiosk, which refuses them). Every command that shows them on
    /// a staff member's terminal prints them escaped, never as controls.
    @Suite("Multi-desk hostile rows", .serialized,
           .enabled(if: MultiDesk.facesAvailable, MultiDesk.noFacesComment),
           .enabled(if: MultiDesk.serverTestsEnabled, MultiDesk.noServerComment))
    struct HostileRows {
        @Test func escapeBytesWrittenOnTheServerNeverReachTheTerminal() throws {
            let server = try MultiDesk.sharedServer()
            let site = try MultiDeskSite(server: server, cooldownMinutes: 0, name: "md-hostile")
            try site.migrate()
            try site.enroll("Plain Name", MultiDesk.obama, preferences: ["drink=tea"])
            let first = try site.kiosk(["checkin", "--json", MultiDesk.obama2])
            try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
            // Retitles the terminal, rings the bell, clears the screen; then a one-byte CSI.
            let attack = #"\x1b]0;pwned\x07\x1b[2J\u009b31m"#
            _ = try site.sql("UPDATE person SET name = E'Mallory\(attack)'")
            _ = try site.sql("UPDATE preference SET value = E'tea\(attack)'")
            _ = try site.sql("UPDATE visit SET kiosk_id = E'desk\(attack)'")

            let shown: [(String, KioskBinary.Run)] = [
                ("people", try site.kiosk(["people"])),
                ("visits", try site.kiosk(["visits"])),
                ("checkin", try site.kiosk(["checkin", MultiDesk.obama3])),
                ("identify", try site.kiosk(["identify", MultiDesk.obama3])),
                ("people --format csv", try site.kiosk(["people", "--format", "csv"])),
            ]
            for (label, run) in shown {
                #expect(run.status == 0, "\(label): \(run.stderr)")
                for byte: UInt8 in [0x1B, 0x07, 0x9B] {
                    #expect(!run.stdout.utf8.contains(byte), "\(label): byte \(byte) on stdout")
                    #expect(!run.stderr.utf8.contains(byte), "\(label): byte \(byte) on stderr")
                }
            }
            #expect(shown[0].1.stdout.contains("Mallory\\u{1B}]0;pwned"), "\(shown[0].1.stdout)")
            #expect(shown[1].1.stdout.contains("desk\\u{1B}"), "\(shown[1].1.stdout)")
            #expect(shown[2].1.stdout.contains("Mallory\\u{1B}"), "\(shown[2].1.stdout)")
        }
    }
}
