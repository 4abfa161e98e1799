import Foundation
import GRDB
import Testing

/// The attacks of a lobby on the staff's terminal and spreadsheet, through the real
/// `kiosk` binary: escape sequences in names (typed, imported, or already in the
/// database) and spreadsheet formulas in the CSV export.
@Suite("kiosk commands against hostile names", .serialized)
struct HostileNamesCLITests {
    /// Retitles the terminal, rings the bell, clears the screen.
    static let attack = "\u{1B}]0;pwned\u{07}\u{1B}[2J"
    let root: String
    var db: String { root + "/kiosk.sqlite" }

    init() throws {
        root = NSTemporaryDirectory() + "kiosk-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func kiosk(_ arguments: [String]) throws -> KioskBinary.Run {
        try KioskBinary.run(arguments + ["--db", db])
    }

    /// ESC, BEL and the one-byte CSI (0x9B, which is also the second byte of U+009B in UTF-8).
    func expectNoTerminalControls(_ run: KioskBinary.Run, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for byte: UInt8 in [0x1B, 0x07, 0x9B] {
            #expect(!run.stdout.utf8.contains(byte), "\(label): byte \(byte) on stdout", sourceLocation: sourceLocation)
            #expect(!run.stderr.utf8.contains(byte), "\(label): byte \(byte) on stderr", sourceLocation: sourceLocation)
        }
    }

    @Test func enrollRefusesAnEscapeSequenceName() throws {
        let run = try kiosk(["enroll", "--name", "Mallory" + Self.attack, "--consent", KioskBinary.sample("obama.jpg")])
        #expect(run.status == 1)
        #expect(run.stderr.contains("The name contains a control character (U+001B)"), "\(run.stderr)")
        expectNoTerminalControls(run, "enroll")
        #expect(try kiosk(["people"]).stdout.contains("Nobody enrolled."))
        let long = try kiosk(["enroll", "--name", String(repeating: "A", count: 100_000), KioskBinary.sample("obama.jpg")])
        #expect(long.status == 1)
        #expect(long.stderr.contains("The name is too long: at most 80 characters."))
    }

    @Test func importReportsAndSkipsAFolderNamedWithAnEscapeSequence() throws {
        let photos = root + "/people"
        for (folder, photo) in [("Mallory" + Self.attack, "obama.jpg"), ("Joe Biden", "biden.jpg")] {
            try FileManager.default.createDirectory(atPath: photos + "/" + folder, withIntermediateDirectories: true)
            // A link, not a copy: the sample photos stay where setup put them.
            try FileManager.default.createSymbolicLink(atPath: photos + "/" + folder + "/" + photo, withDestinationPath: KioskBinary.sample(photo))
        }
        let run = try kiosk(["import", photos])
        #expect(run.status == 1, "a refused person makes the import fail, after the others")
        #expect(run.stdout.contains("Imported 1 person"), "\(run.stdout)")
        #expect(run.stdout.contains("Mallory\\u{1B}]0;pwned\\u{7}\\u{1B}[2J: not imported: The name contains a control character (U+001B)"), "\(run.stdout)")
        expectNoTerminalControls(run, "import")
        let people = try kiosk(["people", "--format", "json"])
        #expect(people.stdout.contains("\"Joe Biden\""))
        #expect(!people.stdout.contains("Mallory"))
    }

    @Test func escapeBytesAlreadyInTheDatabaseNeverReachTheTerminal() throws {
        let enroll = try kiosk(["enroll", "--name", "Plain Name", "--pref", "drink=tea", "--consent", KioskBinary.sample("obama.jpg")])
        #expect(enroll.status == 0, "\(enroll.stderr)")
        let checkIn = try kiosk(["checkin", KioskBinary.sample("obama2.jpg")])
        #expect(checkIn.status == 0, "\(checkIn.stderr)")
        // Written behind the kiosk's back (an older version, a hand edit, a restored backup).
        let hostile = "Mallory" + Self.attack + "\u{9B}31m"
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "UPDATE person SET name = ?", arguments: [hostile])
            try db.execute(sql: "UPDATE preference SET value = ?", arguments: ["tea" + Self.attack])
            try db.execute(sql: "UPDATE visit SET kioskId = ?", arguments: ["desk" + Self.attack])
        }
        try queue.close()

        let people = try kiosk(["people"])
        #expect(people.status == 0, "\(people.stderr)")
        #expect(people.stdout.contains("Mallory\\u{1B}]0;pwned\\u{7}\\u{1B}[2J\\u{9B}31m"), "\(people.stdout)")
        expectNoTerminalControls(people, "people")
        let visits = try kiosk(["visits"])
        #expect(visits.status == 0, "\(visits.stderr)")
        #expect(visits.stdout.contains("desk\\u{1B}"), "\(visits.stdout)")
        expectNoTerminalControls(visits, "visits")
        let again = try kiosk(["checkin", KioskBinary.sample("obama3.jpg")])
        #expect(again.stdout.contains("Mallory\\u{1B}"), "\(again.stdout)\(again.stderr)")
        expectNoTerminalControls(again, "checkin")
        let identify = try kiosk(["identify", KioskBinary.sample("obama2.jpg")])
        #expect(identify.stdout.contains("Mallory\\u{1B}"), "\(identify.stdout)\(identify.stderr)")
        expectNoTerminalControls(identify, "identify")
        let duplicate = try kiosk(["enroll", "--name", "Someone Else", KioskBinary.sample("obama2.jpg")])
        #expect(duplicate.status == 1)
        expectNoTerminalControls(duplicate, "enroll of an enrolled face")

        // JSON stays the same JSON value: controls are \u escapes (JSONEncoder does C0, the
        // kiosk adds C1 and format characters), and the name reads back unchanged.
        let json = try kiosk(["people", "--format", "json"])
        expectNoTerminalControls(json, "people --format json")
        #expect(json.stdout.contains("Mallory\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m"), "\(json.stdout)")
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["name"] as? String == hostile)

        let forget = try kiosk(["forget", "1", "--yes"])
        #expect(forget.status == 0, "\(forget.stderr)")
        #expect(forget.stdout.contains("Erased Mallory\\u{1B}"))
        expectNoTerminalControls(forget, "forget")
    }

    /// The attack through a scripted desk: paths that are not photos (missing, a directory,
    /// a FIFO that would block a read, a device that never ends, a text file, a name made
    /// of escape sequences). Each gets an error line naming it, the desk reads on, and the
    /// photo after them is checked in.
    @Test func checkinFromStandardInputAnswersEveryBadPathAndGoesOn() throws {
        let directory = root + "/a-directory"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fifo = root + "/a-fifo.jpg"
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = root + "/notes.jpg"
        try "not a picture".write(toFile: text, atomically: true, encoding: .utf8)
        let bad = [root + "/missing.jpg", directory, fifo, "/dev/zero", text, root + "/" + Self.attack + ".jpg"]
        let run = try KioskBinary.run(["checkin", "--stdin", "--json", "--db", db],
                                      input: (bad + [KioskBinary.sample("obama.jpg")]).joined(separator: "\n") + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == bad.count + 1, "\(run.stdout)")
        for (line, path) in zip(lines, bad) {
            let answer = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(answer?["status"] as? String == "error", "\(path): \(line)")
            #expect((answer?["reason"] as? String)?.contains(path) == true, "the error does not name \(path): \(line)")
        }
        let last = try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any]
        #expect(last?["status"] as? String == "unknown", "the photo after the bad paths: \(lines.last ?? "")")
        expectNoTerminalControls(run, "checkin --stdin")
    }

    @Test func csvExportNeutralisesFormulas() throws {
        let formula = "=HYPERLINK(\"http://x\",\"y\")"
        let enroll = try kiosk(["enroll", "--name", formula, "--pref", "@cmd=-2+3", "--consent", KioskBinary.sample("obama.jpg")])
        #expect(enroll.status == 0, "\(enroll.stderr)")
        #expect(try kiosk(["checkin", KioskBinary.sample("obama2.jpg")]).status == 0)

        for listing in ["people", "visits"] {
            let run = try kiosk([listing, "--format", "csv"])
            #expect(run.status == 0, "\(run.stderr)")
            let cells = try Self.parsedWithPythonsCSVReader(run.stdout)
            #expect(cells.count == 2, "\(listing): header and one row: \(cells)")
            for cell in cells.joined() {
                if let first = cell.first { #expect(!"=+-@\t\r".contains(first), "\(listing): formula cell \(cell)") }
            }
            #expect(cells.joined().contains("'" + formula), "\(listing): \(cells)")
        }
        let people = try Self.parsedWithPythonsCSVReader(try kiosk(["people", "--format", "csv"]).stdout)
        #expect(people[1].contains("'@cmd=-2+3"))
    }

    /// The rows as Python's csv module reads them (RFC 4180, as spreadsheets do).
    static func parsedWithPythonsCSVReader(_ text: String) throws -> [[String]] {
        let path = NSTemporaryDirectory() + "kiosk-export-\(UUID().uuidString).csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))"
        let run = Spawn.output(["python3", "-c", script, path])
        #expect(run.status == 0, "\(run.err)")
        return try JSONDecoder().decode([[String]].self, from: Data(run.out.utf8))
    }
}
