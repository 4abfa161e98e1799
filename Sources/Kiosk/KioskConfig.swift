import Foundation
import Vision

/// The kiosk's settings. Defaults live here and are documented key by key in
/// Config/kiosk.toml (a test checks the two agree).
struct KioskConfig: Equatable {
    var threshold = 0.55
    var margin = 0.06
    var upsample = 1
    var fastDetection = true
    var cooldownMinutes = 10
    var retentionDays = 365
    var kioskId = "front-desk"
    var greetingSeconds = 6.0
    var thumbnails = true
    var consentText = "I agree that this desk stores my face template, name and preferences to recognise me on my next visit. I can ask staff to erase them at any time."
    var consentVersion = "1"

    /// How the front desk looks for faces in captured frames (photos given to encode,
    /// enroll and import always use the exact face_recognition search).
    var cameraDetectionPlan: DetectionPlan {
        fastDetection ? .camera(upsample: upsample) : .exact(upsample: upsample)
    }

    /// Where the configuration was read from, or nil for built-in defaults.
    var source: String?

    enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case invalid(path: String, reason: String)

        var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read the configuration file \(path): \(reason)"
            case let .invalid(path, reason): return "configuration file \(path): \(reason)"
            }
        }
    }

    /// The default user configuration path, `$XDG_CONFIG_HOME/kiosk/kiosk.toml`.
    static func userPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/kiosk/kiosk.toml" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/kiosk/kiosk.toml"
    }

    /// An explicit path must exist; the user path is used only when present.
    static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LoadError) -> KioskConfig {
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
        guard let text = String(data: data, encoding: .utf8) else { throw .invalid(path: path, reason: "not UTF-8 text") }
        do {
            var config = try parse(text)
            config.source = path
            return config
        } catch let error as TOMLSubset.ParseError {
            throw .invalid(path: path, reason: error.description)
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
    }

    static func parse(_ text: String) throws -> KioskConfig {
        var config = KioskConfig()
        for (key, value) in try TOMLSubset.parse(text) {
            func fail(_ expectation: String) -> TOMLSubset.ParseError {
                TOMLSubset.ParseError(line: 0, message: "\(key) must be \(expectation)")
            }
            switch key {
            case "recognition.threshold":
                guard let v = value.number, v > 0, v < 2 else { throw fail("a number between 0 and 2") }
                config.threshold = v
            case "recognition.margin":
                guard let v = value.number, v >= 0, v < 1 else { throw fail("a number between 0 and 1") }
                config.margin = v
            case "recognition.upsample":
                guard case .integer(let v) = value, (0...3).contains(v) else { throw fail("0, 1, 2 or 3") }
                config.upsample = v
            case "recognition.fast_detection":
                guard case .boolean(let v) = value else { throw fail("true or false") }
                config.fastDetection = v
            case "visits.cooldown_minutes":
                guard case .integer(let v) = value, v >= 0 else { throw fail("a whole number of minutes, 0 or more") }
                config.cooldownMinutes = v
            case "retention.days":
                guard case .integer(let v) = value, v >= 0 else { throw fail("a whole number of days, 0 or more") }
                config.retentionDays = v
            case "kiosk.id":
                guard case .string(let v) = value, !v.isEmpty else { throw fail("a non-empty string") }
                config.kioskId = v
            case "kiosk.greeting_seconds":
                guard let v = value.number, v >= 1, v <= 120 else { throw fail("a number of seconds from 1 to 120") }
                config.greetingSeconds = v
            case "enrollment.thumbnails":
                guard case .boolean(let v) = value else { throw fail("true or false") }
                config.thumbnails = v
            case "enrollment.consent_text":
                guard case .string(let v) = value, !v.isEmpty else { throw fail("a non-empty string") }
                config.consentText = v
            case "enrollment.consent_version":
                guard case .string(let v) = value, !v.isEmpty else { throw fail("a non-empty string") }
                config.consentVersion = v
            default:
                throw TOMLSubset.ParseError(line: 0, message: "unknown setting \(key) (see Config/kiosk.toml for the keys)")
            }
        }
        return config
    }
}

extension TOMLSubset.Value {
    /// Integers and floats both read as numbers.
    var number: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .float(let v): return v
        default: return nil
        }
    }
}
