import Foundation

/// Finds the password for a server address without it ever being typed on a command line:
/// the configured password file (its first line), else the libpq password file
/// (`$PGPASSFILE`, else `~/.pgpass`, lines `host:port:database:user:password` where `*`
/// matches anything and `\:` is a colon). A server that needs no password (peer or trust
/// authentication over a socket) gets nil.
public enum ServerPassword {
    public enum LookupError: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case tooOpen(path: String, mode: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read the database password file \(path): \(reason)"
            case let .tooOpen(path, mode):
                return "the database password file \(path) can be read by others (mode \(mode)): chmod 600 \(path)"
            }
        }
    }

    public static func lookup(for address: ServerAddress, passwordFile: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws(LookupError) -> String? {
        if let passwordFile {
            let text = try read(passwordFile, mustExist: true) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).first.map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        let pgpass = environment["PGPASSFILE"] ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
        guard let text = try read(pgpass, mustExist: environment["PGPASSFILE"] != nil) else { return nil }
        return match(in: text, address: address)
    }

    /// The password of the first line of a libpq password file that matches `address`.
    static func match(in text: String, address: ServerAddress) -> String? {
        let host = address.usesUnixSocket ? "localhost" : address.host
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = splitFields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(address.port), address.database, address.user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// Splits at unescaped colons; `\:` and `\\` stand for themselves.
    private static func splitFields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for character in line {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case ":": fields.append(current); current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// The file's text; nil when it is absent and need not exist. A file others can read is
    /// refused, as libpq refuses it: the password would not be a secret.
    private static func read(_ path: String, mustExist: Bool) throws(LookupError) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if !mustExist { return nil }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        if info.st_mode & 0o077 != 0 { throw .tooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8)) }
        guard let data = FileManager.default.contents(atPath: path), data.count < 64 << 10 else {
            throw .unreadable(path: path, reason: "permission denied or too large")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
