import Foundation
import Testing
@testable import Kiosk

@Suite("Output formatting")
struct OutputFormattingTests {
    @Test func ordinalsAndRelativeDates() {
        #expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(Ordinal.text)
            == ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"])
        let now = DateText.parse("2026-11-29 12:00")!
        #expect(DateText.relative(DateText.parse("2026-11-25 12:00")!, now: now) == "4 days ago")
        #expect(DateText.relative(now.addingTimeInterval(-30), now: now) == "just now")
        #expect(DateText.parse("not a date") == nil)
        #expect(DateText.parse("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
    }

    @Test func csvAndTableFormatting() {
        #expect(CSV.line(["plain", "a,b", "say \"hi\"", "two\nlines"]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"")
        var table = TextTable(headers: ["NAME", "N"])
        table.add(["李小龍", "1"])
        table.add(["Zoë", "2"])
        let lines = table.render().split(separator: "\n").map(String.init)
        // The second column starts at the same terminal cell on every line.
        let columns = lines.map { line -> Int in DisplayWidth.of(String(line[..<line.lastIndex(of: " ")!])) }
        #expect(Set(columns).count == 1)
    }
}
