import Testing
@testable import Kiosk

/// Wrapping for the greeting and form screens: linear in the text (a huge name must not
/// stall the desk) and measured in terminal cells (wide and combining characters).
@Suite("Text wrapping and display width")
struct TextWrapTests {
    @Test func aMillionCharacterWordWrapsIntoFullLines() {
        let text = String(repeating: "a", count: 1_000_000)
        let lines = TextWrap.lines(text, width: 80)
        #expect(lines.count == 12_500)
        #expect(lines.allSatisfy { $0.utf8.count == 80 })
    }

    @Test func aMillionCharactersOfWordsWrapAtSpaces() {
        let text = String(repeating: "visitor ", count: 125_000)  // 1,000,000 characters
        let lines = TextWrap.lines(text, width: 30)
        // "visitor" is 7 cells: three words and two spaces (23 cells) fit, a fourth (31) does not.
        #expect(lines.count == (125_000 + 2) / 3)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 30 })
        #expect(lines[0] == "visitor visitor visitor")
        #expect(lines.joined(separator: " ").split(separator: " ").count == 125_000)
    }

    @Test func wideCharactersTakeTwoCellsAndAreNeverSplit() {
        let lines = TextWrap.lines(String(repeating: "李", count: 25), width: 9)
        #expect(lines.map(\.count) == [4, 4, 4, 4, 4, 4, 1])
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 9 })
        let emoji = TextWrap.lines("🙂🙂🙂", width: 4)
        #expect(emoji == ["🙂🙂", "🙂"])
    }

    @Test func combiningMarksTakeNoCellAndStayWithTheirLetter() {
        let decomposed = String(repeating: "e\u{0301}", count: 12)  // é as e + combining acute
        let lines = TextWrap.lines(decomposed, width: 5)
        #expect(lines.map(\.count) == [5, 5, 2])
        #expect(lines.allSatisfy { $0.unicodeScalars.first == "e" && $0.unicodeScalars.last == "\u{0301}" })
    }

    @Test func ordinaryTextWrapsAsBefore() {
        #expect(TextWrap.lines("Welcome back, Priya!", width: 10) == ["Welcome", "back,", "Priya!"])
        #expect(TextWrap.lines("", width: 10) == [])
        #expect(TextWrap.lines("abc", width: 0) == [])
    }

    @Test func displayWidthFollowsTerminalRules() {
        #expect(DisplayWidth.of("Priya") == 5)
        #expect(DisplayWidth.of("李小龍") == 6)
        #expect(DisplayWidth.of("한국") == 4)
        #expect(DisplayWidth.of("カタカナ") == 8)
        #expect(DisplayWidth.of("Ｆｕｌｌ") == 8)  // fullwidth Latin
        #expect(DisplayWidth.of("e\u{0301}") == 1)
        #expect(DisplayWidth.of("🙂") == 2)
        #expect(DisplayWidth.of("☕") == 2)  // U+2615, emoji presentation
        #expect(DisplayWidth.of("→") == 1)
        #expect(DisplayWidth.of("\u{200B}\u{200D}\u{FE0F}") == 0)
        #expect(DisplayWidth.of("\u{1B}\u{07}\u{9B}") == 0)
        #expect(DisplayWidth.of("\u{1100}\u{1161}\u{11A8}") == 2)  // a Hangul syllable from jamo
    }
}
