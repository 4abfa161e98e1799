import Foundation

/// The kiosk's settings. Defaults live here and are documented key by key in
/// Config/kiosk.toml (a test checks the two agree).
struct KioskConfig: Equatable {
    var tolerance = 0.6
    var upsample = 1

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
        let values = try TOMLSubset.parse(text)
        var config = KioskConfig()
        for (key, value) in values {
            switch (key, value) {
            case ("recognition.tolerance", .float(let v)) where v > 0 && v < 2: config.tolerance = v
            case ("recognition.tolerance", .integer(let v)) where v > 0 && v < 2: config.tolerance = Double(v)
            case ("recognition.upsample", .integer(let v)) where (0...3).contains(v): config.upsample = v
            case ("recognition.tolerance", _):
                throw TOMLSubset.ParseError(line: 0, message: "recognition.tolerance must be a number between 0 and 2")
            case ("recognition.upsample", _):
                throw TOMLSubset.ParseError(line: 0, message: "recognition.upsample must be 0, 1, 2 or 3")
            default:
                throw TOMLSubset.ParseError(line: 0, message: "unknown setting \(key)")
            }
        }
        return config
    }
}
