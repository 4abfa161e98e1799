import Foundation
import TOMLKit
import Vision

/// The kiosk's settings. Defaults live here and are documented key by key in
/// Config/kiosk.toml (a test checks the two agree).
public struct KioskConfig: Equatable, Sendable {
    public init() {}

    public var threshold = 0.375
    public var margin = 0.1
    /// Up to this distance the desk asks "Are you NAME?" instead of treating the visitor as new.
    public var askThreshold = 0.55
    public var upsample = 1
    public var fastDetection = true
    /// Whether the fast path finds a half-size box again with the exact search's box (a few
    /// pyramid levels near it, `FaceEngine.refine`). Not a file setting: it makes the
    /// embedding the exact search's but adds ~30 ms to detection (BENCHMARKS.md), more than
    /// the desk's target, so the desk does without; `kiosk bench --refined` measures it.
    public var refineFastDetection = false
    /// Camera frames fused into one face per capture (`CaptureBurst`).
    public var captureFrames = 3
    public var cooldownMinutes = 10
    public var retentionDays = 365
    public var kioskId = "front-desk"
    public var greetingSeconds = 6.0
    public var thumbnails = true
    public var consentText = "I agree that this desk stores my face template, name and preferences to recognise me on my next visit. I can ask staff to erase them at any time."
    public var consentVersion = "1"
    /// Photos declaring more pixels, or files larger, are refused before decoding.
    public var maxImageMegapixels = 50
    public var maxImageFileMiB = 64
    /// A shared PostgreSQL server (`postgres://user@host:port/database`) instead of the
    /// SQLite file; nil keeps the file. `--db` overrides it.
    public var databaseURL: String?
    /// The file holding the server password (first line): passwords never go on the
    /// command line or in the URL.
    public var databasePasswordFile: String?

    /// The photo limits this configuration asks for.
    public var imageLimits: ImageLimits {
        ImageLimits(maxPixels: maxImageMegapixels * 1_000_000, maxFileBytes: maxImageFileMiB << 20)
    }

    /// The decision rule these settings describe (greet, ask, or treat as new).
    public var checkInPolicy: CheckInPolicy {
        CheckInPolicy(threshold: threshold, margin: margin, askThreshold: askThreshold)
    }

    /// How photos given to enroll, import and eval are searched: face_recognition's HOG
    /// search, then the CNN detector when HOG finds no face.
    public var photoDetectionPlan: DetectionPlan { .photo(upsample: upsample) }

    /// How the front desk looks for faces in captured frames (photos given to encode,
    /// enroll and import always use the exact face_recognition search).
    public var cameraDetectionPlan: DetectionPlan {
        fastDetection ? .camera(upsample: upsample, refine: refineFastDetection) : .exact(upsample: upsample)
    }

    /// Where the configuration was read from, or nil for built-in defaults.
    public var source: String?

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read the configuration file \(path): \(reason)"
            case let .invalid(path, reason): return "configuration file \(path): \(reason)"
            }
        }
    }

    /// The default user configuration path, `$XDG_CONFIG_HOME/kiosk/kiosk.toml`.
    public static func userPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/kiosk/kiosk.toml" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/kiosk/kiosk.toml"
    }

    /// An explicit path must exist; the user path is used only when present.
    public static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LoadError) -> KioskConfig {
        let path: String
        if let explicitPath {
            path = explicitPath
        } else {
            path = userPath(environment: environment)
            guard FileManager.default.fileExists(atPath: path) else { return KioskConfig() }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        if let line = firstLineNotUTF8(data) { throw .invalid(path: path, reason: "line \(line): not UTF-8 text") }
        do {
            var config = try parse(String(decoding: data, as: UTF8.self))
            config.source = path
            return config
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
    }

    /// What is wrong with a configuration text; `line` when the TOML reader reports one
    /// (syntax errors), nil for a well-formed file with a wrong key or value.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let line: Int?
        public let message: String

        /// Control characters from the file (in a quoted value or key) come out escaped.
        public var description: String {
            let text = KioskConfig.escapingControlCharacters(message)
            return line.map { "line \($0): \(text)" } ?? text
        }
    }

    /// Reads a TOML document (TOML 1.0, via TOMLKit). Every key must be one of the
    /// settings below: a misspelt key is an error, never silently ignored.
    public static func parse(_ text: String) throws -> KioskConfig {
        // TOMLKit hands the text to C++ as a C string: anything after a NUL would be
        // dropped without a word.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ParseError(line: line, message: "a NUL character is not allowed")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ParseError(line: error.source.begin.line, message: error.description)
        }
        var config = KioskConfig()
        for (key, value) in try settings(in: table) {
            try config.apply(key: key, value: value)
        }
        return config
    }

    static let sections: Set<String> = ["recognition", "visits", "retention", "kiosk", "enrollment", "images", "database"]

    /// Every `section.key` with its value. Only the known sections may be tables: anything
    /// else (a key outside a section, a section nobody reads, a table inside a section)
    /// comes back as a key of its own and is refused by `apply` as unknown.
    private static func settings(in table: TOMLTable) throws -> [(key: String, value: TOMLValueConvertible)] {
        var result: [(key: String, value: TOMLValueConvertible)] = []
        for (name, node) in table {
            guard sections.contains(name), let section = node.table else {
                result.append((name, node))
                continue
            }
            for (key, value) in section { result.append((name + "." + key, value)) }
        }
        return result
    }

    private mutating func apply(key: String, value: TOMLValueConvertible) throws {
        func fail(_ expectation: String) -> ParseError {
            ParseError(line: nil, message: "\(key) must be \(expectation), not \(Self.describe(value))")
        }
        /// Integers and floats both read as numbers.
        let number = value.double ?? value.int.map(Double.init)
        switch key {
        case "recognition.threshold":
            guard let v = number, v > 0, v < 2 else { throw fail("a number between 0 and 2") }
            threshold = v
        case "recognition.margin":
            guard let v = number, v >= 0, v < 1 else { throw fail("a number between 0 and 1") }
            margin = v
        case "recognition.ask_threshold":
            guard let v = number, v > 0, v < 2 else { throw fail("a number between 0 and 2") }
            askThreshold = v
        case "recognition.upsample":
            guard let v = value.int, (0...3).contains(v) else { throw fail("0, 1, 2 or 3") }
            upsample = v
        case "recognition.fast_detection":
            guard let v = value.bool else { throw fail("true or false") }
            fastDetection = v
        case "recognition.capture_frames":
            guard let v = value.int, (1...8).contains(v) else { throw fail("a whole number of frames from 1 to 8") }
            captureFrames = v
        case "visits.cooldown_minutes":
            guard let v = value.int, v >= 0 else { throw fail("a whole number of minutes, 0 or more") }
            cooldownMinutes = v
        case "retention.days":
            guard let v = value.int, v >= 0 else { throw fail("a whole number of days, 0 or more") }
            retentionDays = v
        case "kiosk.id":
            guard let v = value.string, Self.isOneLine(v) else { throw fail("a non-empty string on one line") }
            kioskId = v
        case "kiosk.greeting_seconds":
            guard let v = number, v >= 1, v <= 120 else { throw fail("a number of seconds from 1 to 120") }
            greetingSeconds = v
        case "enrollment.thumbnails":
            guard let v = value.bool else { throw fail("true or false") }
            thumbnails = v
        case "enrollment.consent_text":
            guard let v = value.string, !v.trimmingWhitespace().isEmpty, !Self.hasControlCharacters(v, except: ["\n", "\t"])
            else { throw fail("a non-empty text (line breaks and tabs allowed, other control characters not)") }
            consentText = v
        case "images.max_megapixels":
            guard let v = value.int, (1...500).contains(v) else { throw fail("a whole number of megapixels from 1 to 500") }
            maxImageMegapixels = v
        case "images.max_file_mib":
            guard let v = value.int, (1...1024).contains(v) else { throw fail("a whole number of MiB from 1 to 1024") }
            maxImageFileMiB = v
        case "database.url":
            guard let v = value.string, Self.isOneLine(v), v.hasPrefix("postgres://") || v.hasPrefix("postgresql://")
            else { throw fail("a postgres:// URL") }
            databaseURL = v
        case "database.password_file":
            guard let v = value.string, Self.isOneLine(v), v.hasPrefix("/") else { throw fail("an absolute path") }
            databasePasswordFile = v
        case "enrollment.consent_version":
            guard let v = value.string, Self.isOneLine(v) else { throw fail("a non-empty string on one line") }
            consentVersion = v
        default:
            throw ParseError(line: nil, message: "unknown setting \(key) (see Config/kiosk.toml for the keys)")
        }
    }

    /// Control characters in these strings would reach a terminal unescaped: the TUI draws
    /// the consent text, the visit log and the CLI show the kiosk id.
    private static func hasControlCharacters(_ text: String, except allowed: Set<Unicode.Scalar> = []) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !allowed.contains($0) }
    }

    private static func isOneLine(_ text: String) -> Bool {
        !text.trimmingWhitespace().isEmpty && !hasControlCharacters(text)
    }

    /// The value as the error message shows it: short, and without the text of long strings.
    private static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string:
            let text = value.string ?? ""
            return text.count <= 40 ? "the string \"\(text)\"" : "a string of \(text.count) characters"
        case .int: return value.int.map { String($0) } ?? "an integer"
        case .double: return value.double.map { String($0) } ?? "a number"
        case .bool: return value.bool.map { String($0) } ?? "a boolean"
        case .table: return "a table"
        case .array: return "an array"
        case .date, .time, .dateTime: return "a \(value.type)"
        }
    }

    /// The text with its control characters written as Swift-style escapes (`\n`, `\u{1B}`),
    /// so that an error message quoting a value cannot drive the terminal it is shown on.
    static func escapingControlCharacters(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.properties.generalCategory == .control:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The 1-based line of the first byte that is not valid UTF-8, or nil for valid text.
    private static func firstLineNotUTF8(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var line = 1
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar):
                if scalar.count == 1, scalar.first == UInt8(ascii: "\n") { line += 1 }
            case .emptyInput:
                return nil
            case .error:
                return line
            }
        }
    }
}
