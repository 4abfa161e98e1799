import Foundation
import Testing
@testable import Kiosk

/// What the CLI prints of stored data: control characters made visible, spreadsheet
/// formulas neutralised.
@Suite("Terminal-safe text and CSV cells")
struct OutputEscapingTests {
    @Test func escapeSequencesAreMadeVisible() {
        let attack = "Mallory\u{1B}]0;pwned\u{07}\u{1B}[2J"
        #expect(attack.terminalSafe == "Mallory\\u{1B}]0;pwned\\u{7}\\u{1B}[2J")
        #expect("\u{9B}31m".terminalSafe == "\\u{9B}31m")
        #expect("evil\u{202E}gpj.exe".terminalSafe == "evil\\u{202E}gpj.exe")
        #expect("a\u{200B}b\u{FEFF}\u{7F}".terminalSafe == "a\\u{200B}b\\u{FEFF}\\u{7F}")
        #expect("two\nlines\r".terminalSafe == "two\\u{A}lines\\u{D}")
        #expect("two\nlines\r".terminalSafeLines == "two\nlines\\u{D}")
    }

    @Test func jsonKeepsItsValueButLosesRawControls() throws {
        let hostile = "Mallory\u{1B}[2J\u{9B}31m\u{202E}\u{7F}\u{E0001}Zoë 李"
        let text = try jsonText(["name": hostile])
        #expect(text == #"{"name":"Mallory\u001b[2J\u009b31m\u202e\u007f\udb40\udc01Zoë 李"}"#)
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(decoded["name"] == hostile)
        #expect(try jsonText(["name": "Zoë 李"]) == #"{"name":"Zoë 李"}"#)
    }

    @Test func theScreenNeverHoldsAControlCharacter() {
        // A name from an older database, drawn by the TUI: controls and format characters
        // take no cell (width 0), so they never reach curses.
        var buffer = CellBuffer(width: 30, height: 1)
        let used = buffer.text("A\u{1B}]0;x\u{07}\u{1B}[2J\u{9B}\u{202E}B", x: 0, y: 0)
        #expect(buffer.textLines == ["A]0;x[2JB"])
        #expect(used == 9)
        #expect(!buffer.cells.contains { TerminalSafe.needsEscape($0.scalar) })
    }

    @Test func theLogFileNeverHoldsAControlCharacter() throws {
        let path = NSTemporaryDirectory() + "kiosk-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handler = FileLogHandler(label: "kiosk", sink: FileLogHandler.Sink(path: path))
        handler.log(level: .error, message: "enrollment failed: several people are called 'Mallory\u{1B}[2J'", metadata: nil,
                    source: "", file: "", function: "", line: 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("error kiosk: enrollment failed: several people are called 'Mallory\\u{1B}[2J'\n"), "\(text)")
        #expect(!text.unicodeScalars.contains("\u{1B}"))
    }

    @Test func ordinaryTextIsUntouched() {
        for text in ["Zoë Ångström", "李小龍", "emoji 🙂↔️", "Robert'); DROP TABLE person;--", "e\u{0301}", ""] {
            #expect(text.terminalSafe == text)
        }
    }

    @Test func tableCellsAreEscapedAndStillAligned() {
        var table = TextTable(headers: ["NAME", "VISITS"])
        table.add(["\u{1B}[2JMallory", "3"])
        table.add(["李小龍", "1"])
        let text = table.render()
        #expect(!text.unicodeScalars.contains("\u{1B}"))
        let lines = text.split(separator: "\n").map(String.init)
        let columns = lines.map { line in DisplayWidth.of(line[..<line.range(of: "  ", options: .backwards)!.upperBound]) }
        #expect(Set(columns).count == 1, "\(lines)")
    }

    @Test func formulaCellsGetAQuoteInFront() {
        #expect(CSV.line(["=HYPERLINK(\"http://x\",\"y\")"]) == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")
        // A tab or carriage return that would hide a formula is shown as an escape.
        #expect(CSV.line(["+1", "-1+1", "@SUM(A1)", "\tx", "\r=x"]) == "'+1,'-1+1,'@SUM(A1),\\u{9}x,\\u{D}=x")
        // Terminal controls in a cell never reach the terminal the CSV is printed on.
        #expect(CSV.line(["Mallory\u{1B}]0;pwned\u{07}", "\u{9B}31m"]) == "Mallory\\u{1B}]0;pwned\\u{7},\\u{9B}31m")
        #expect(CSV.line(["Ana", "0.3120", "a=b", "2026-11-29T10:00:00Z"]) == "Ana,0.3120,a=b,2026-11-29T10:00:00Z")
        #expect(CSV.line(["a,b", "say \"hi\"", "x\ny"]) == "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"")
    }
}
