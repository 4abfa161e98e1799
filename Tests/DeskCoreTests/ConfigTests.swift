import Foundation
import Testing
@testable import DeskCore
import Vision

@Suite("Configuration")
struct ConfigTests {
    /// Tests/DeskCoreTests/ConfigTests.swift -> the repository.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Writes `bytes` to a fresh temporary file and returns its path.
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "kiosk-config-\(UUID().uuidString).toml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func parseError(_ text: String) -> String? {
        do {
            _ = try KioskConfig.parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func shippedConfigEqualsBuiltInDefaults() throws {
        let path = Self.repositoryRoot + "/Config/kiosk.toml"
        let shipped = try KioskConfig.load(explicitPath: path)
        var expected = KioskConfig()
        expected.source = path
        #expect(shipped == expected)
    }

    /// Every value differs from its default, so a key that is read wrongly or not at all shows.
    static let everyKeyChanged = """
        [recognition]
        threshold = 0.5
        margin = 0.1
        ask_threshold = 0.52
        upsample = 0
        fast_detection = false
        capture_frames = 5

        [visits]
        cooldown_minutes = 3

        [retention]
        days = 0

        [kiosk]
        id = "lobby-2"
        greeting_seconds = 4.5

        [enrollment]
        thumbnails = false
        consent_text = \"\"\"
        First line.
        Second line.\"\"\"
        consent_version = "2"

        [images]
        max_megapixels = 12
        max_file_mib = 8

        [database]
        url = "postgres://kiosk_desk@db.lan:5433/kiosk?sslmode=require"
        password_file = "/etc/kiosk/db-password"
        """

    func expectEveryKeyChanged(_ config: KioskConfig) {
        #expect(config.threshold == 0.5)
        #expect(config.margin == 0.1)
        #expect(config.askThreshold == 0.52)
        #expect(config.captureFrames == 5)
        #expect(config.checkInPolicy == CheckInPolicy(threshold: 0.5, margin: 0.1, askThreshold: 0.52))
        #expect(config.upsample == 0)
        #expect(config.fastDetection == false)
        #expect(config.cooldownMinutes == 3)
        #expect(config.retentionDays == 0)
        #expect(config.kioskId == "lobby-2")
        #expect(config.greetingSeconds == 4.5)
        #expect(config.thumbnails == false)
        #expect(config.consentText == "First line.\nSecond line.")
        #expect(config.consentVersion == "2")
        #expect(config.imageLimits == ImageLimits(maxPixels: 12_000_000, maxFileBytes: 8 << 20))
        #expect(config.databaseURL == "postgres://kiosk_desk@db.lan:5433/kiosk?sslmode=require")
        #expect(config.databasePasswordFile == "/etc/kiosk/db-password")
    }

    @Test func readsEveryKey() throws {
        expectEveryKeyChanged(try KioskConfig.parse(Self.everyKeyChanged))
    }

    /// A file saved with Windows line endings was read as one comment line before, so
    /// every setting silently kept its default while `doctor` said the file was in use.
    /// Attack: a configuration that would send the desk's data somewhere unexpected, or
    /// read a password from wherever the process happens to run, is refused by key.
    @Test func databaseSettingsMustBeAServerURLAndAnAbsolutePath() {
        #expect(parseError("[database]\nurl = \"http://evil.example/kiosk\"")?.contains("database.url must be a postgres:// URL") == true)
        #expect(parseError("[database]\nurl = \"/var/lib/kiosk/kiosk.sqlite\"")?.contains("database.url must be a postgres:// URL") == true)
        #expect(parseError("[database]\nurl = \"postgres://k@db/kiosk\\u001b[2J\"")?.contains("database.url") == true)
        #expect(parseError("[database]\npassword_file = \"db-password\"")?.contains("database.password_file must be an absolute path") == true)
        #expect(parseError("[database]\nurl = \"postgres://k@db/kiosk\"\npassword_file = \"/etc/kiosk/pw\"") == nil)
    }

    @Test func crlfFileIsRead() throws {
        let crlf = Self.everyKeyChanged.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(crlf.utf8.contains(UInt8(ascii: "\r")))
        let path = try temporaryFile(Array(("# comment\r\n" + crlf + "\r\n").utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try KioskConfig.load(explicitPath: path)
        expectEveryKeyChanged(config)
        #expect(config.source == path)
    }

    @Test func utf8ByteOrderMarkIsAccepted() throws {
        let path = try temporaryFile([0xEF, 0xBB, 0xBF] + Array("[visits]\ncooldown_minutes = 4\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try KioskConfig.load(explicitPath: path).cooldownMinutes == 4)
    }

    @Test func basicStringEscapes() throws {
        let config = try KioskConfig.parse(#"""
            [enrollment]
            consent_text = "tab\there\nnew line, backslash \\ quote \" e-acute \u00e9 and \U0001F600"
            [kiosk]
            id = "caf\u00e9 \"lobby\""
            """#)
        #expect(config.consentText == "tab\there\nnew line, backslash \\ quote \" e-acute \u{e9} and \u{1F600}")
        #expect(config.kioskId == "caf\u{e9} \"lobby\"")
    }

    /// `\\n` is a backslash followed by n, not a newline (the old reader turned it into one).
    @Test func escapedBackslashBeforeN() throws {
        let config = try KioskConfig.parse(#"""
            [kiosk]
            id = "C:\\new\\table"
            """#)
        #expect(config.kioskId == #"C:\new\table"#)
    }

    @Test func literalStringKeepsBackslashes() throws {
        let config = try KioskConfig.parse(#"""
            [kiosk]
            id = 'C:\new\table'
            """#)
        #expect(config.kioskId == #"C:\new\table"#)
    }

    @Test func multiLineBasicConsentText() throws {
        let config = try KioskConfig.parse(#"""
            [enrollment]
            consent_text = """
            I agree that this desk stores my face template. \
              I can ask staff to erase it.
            Second paragraph: "quoted" and \t tabbed."""
            """#)
        #expect(config.consentText
            == "I agree that this desk stores my face template. I can ask staff to erase it.\nSecond paragraph: \"quoted\" and \t tabbed.")
    }

    @Test func multiLineLiteralConsentText() throws {
        let config = try KioskConfig.parse(#"""
            [enrollment]
            consent_text = '''
            First line, with a \backslash\ kept.
              Second line, indented.
            '''
            """#)
        #expect(config.consentText == "First line, with a \\backslash\\ kept.\n  Second line, indented.\n")
    }

    @Test func dottedKeysAndIntegersForNumbers() throws {
        let config = try KioskConfig.parse("recognition.threshold = 1\nkiosk.greeting_seconds = 30\n")
        #expect(config.threshold == 1.0)
        #expect(config.greetingSeconds == 30)
    }

    @Test(arguments: [
        ("threshold = 0.5", "unknown setting threshold"),
        ("[recognition]\ntolerence = 0.5", "unknown setting recognition.tolerence"),
        ("[recognition]\nthreshold = 0.5\n[colours]\n", "unknown setting colours"),
        ("[recognition.extra]\nx = 1", "unknown setting recognition.extra"),
        ("[kiosk]\nid = \"a\"\n[[visits.rules]]\nx = 1", "unknown setting visits.rules"),
        ("recognition = 0.5", "unknown setting recognition"),
    ])
    func unknownKeysAreRefused(text: String, expected: String) {
        let message = parseError(text)
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
        #expect(message?.contains("see Config/kiosk.toml") == true)
    }

    @Test(arguments: [
        ("[recognition]\nthreshold = 5.0", "recognition.threshold"),
        ("[recognition]\nthreshold = 0", "recognition.threshold"),
        ("[recognition]\nthreshold = nan", "recognition.threshold"),
        ("[recognition]\nthreshold = \"0.5\"", "recognition.threshold"),
        ("[recognition]\nmargin = -0.1", "recognition.margin"),
        ("[recognition]\nupsample = 4", "recognition.upsample"),
        ("[recognition]\nupsample = \"one\"", "recognition.upsample"),
        ("[recognition]\nupsample = 1.0", "recognition.upsample"),
        ("[recognition]\nfast_detection = 1", "recognition.fast_detection"),
        ("[recognition]\ncapture_frames = 0", "recognition.capture_frames"),
        ("[recognition]\ncapture_frames = 9999999", "recognition.capture_frames"),
        ("[recognition]\ncapture_frames = 2.5", "recognition.capture_frames"),
        ("[visits]\ncooldown_minutes = -1", "visits.cooldown_minutes"),
        ("[retention]\ndays = 1.5", "retention.days"),
        ("[kiosk]\nid = \"\"", "kiosk.id"),
        ("[kiosk]\nid = 7", "kiosk.id"),
        ("[kiosk]\ngreeting_seconds = 0.5", "kiosk.greeting_seconds"),
        ("[kiosk]\ngreeting_seconds = inf", "kiosk.greeting_seconds"),
        ("[enrollment]\nthumbnails = \"yes\"", "enrollment.thumbnails"),
        ("[enrollment]\nconsent_text = \"\"\"\n   \"\"\"", "enrollment.consent_text"),
        ("[enrollment]\nconsent_version = 2", "enrollment.consent_version"),
        ("[enrollment]\nconsent_version = [\"2\"]", "enrollment.consent_version"),
        ("[enrollment]\nconsent_version = 1979-05-27", "enrollment.consent_version"),
        ("[enrollment]\nconsent_text = \"Agree?\\u001b[2J\"", "enrollment.consent_text"),
        ("[enrollment]\nconsent_text = \"Agree?\\u0085\"", "enrollment.consent_text"),
        ("[enrollment]\nconsent_version = \"1\\n2\"", "enrollment.consent_version"),
        ("[kiosk]\nid = \"desk\\tone\"", "kiosk.id"),
        ("[images]\nmax_megapixels = 0", "images.max_megapixels"),
        ("[images]\nmax_megapixels = 100000", "images.max_megapixels"),
        ("[images]\nmax_file_mib = 4096", "images.max_file_mib"),
    ])
    func wrongValuesAreRefusedWithTheKey(text: String, key: String) {
        let message = parseError(text)
        #expect(message?.hasPrefix(key + " must be") == true, "\(message ?? "accepted")")
        #expect(message?.unicodeScalars.contains { $0.properties.generalCategory == .control } == false,
                "the message quotes the value with its control characters escaped")
    }

    @Test(arguments: [
        ("[recognition\nthreshold = 0.5", 1),
        ("[recognition]\nthreshold 0.5", 2),
        ("[recognition]\nthreshold = abc", 2),
        ("[recognition]\nthreshold = 0.5\nthreshold = 0.4", 3),
        ("[recognition]\n\n[kiosk]\nid = \"open", 4),
        ("[kiosk]\r\nid = \"a\"\r\n[kiosk]\r\n", 3),
        ("[kiosk]\nid = \"a\u{0}b\"", 2),
    ])
    func syntaxErrorsNameTheirLine(text: String, line: Int) {
        do {
            _ = try KioskConfig.parse(text)
            Issue.record("accepted: \(text)")
        } catch let error as KioskConfig.ParseError {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("line \(line): "))
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func controlCharactersInAQuotedValueAreEscaped() {
        #expect(parseError("[kiosk]\nid = \"a\\u001bb\\nc\"")
            == #"kiosk.id must be a non-empty string on one line, not the string "a\u{1B}b\nc""#)
        #expect(parseError("\"bell\\u0007\" = 1") == "unknown setting bell\\u{7} (see Config/kiosk.toml for the keys)")
    }

    @Test func errorsFromAFileNameThePath() throws {
        let path = try temporaryFile(Array("[recognition]\nthreshold = 9\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try KioskConfig.load(explicitPath: path)
            Issue.record("loaded an out-of-range threshold")
        } catch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("recognition.threshold must be a number between 0 and 2"))
        }
    }

    @Test func nonUTF8FileIsRefusedWithItsLine() throws {
        // Latin-1 "é" (0xE9) on line 3.
        let path = try temporaryFile(Array("[kiosk]\n# comment\nid = \"caf".utf8) + [0xE9] + Array("\"\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try KioskConfig.load(explicitPath: path)
            Issue.record("loaded a Latin-1 file")
        } catch {
            guard case .invalid(let reportedPath, let reason) = error else {
                Issue.record("expected .invalid, got \(error)")
                return
            }
            #expect(reportedPath == path)
            #expect(reason == "line 3: not UTF-8 text")
        }
    }

    @Test func missingExplicitFileIsNamed() {
        do {
            _ = try KioskConfig.load(explicitPath: "/nonexistent/kiosk.toml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.contains("/nonexistent/kiosk.toml"))
            #expect(error.description.contains("no such file"))
        }
    }

    @Test func absentUserFileMeansDefaults() throws {
        let config = try KioskConfig.load(explicitPath: nil, environment: ["XDG_CONFIG_HOME": "/nonexistent-config-home"])
        #expect(config == KioskConfig())
    }
}
