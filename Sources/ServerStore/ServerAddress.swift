import Foundation

/// Where the shared visitor database lives: `postgres://user@host:port/database?sslmode=...`.
/// Holds no secret, so it can be shown in messages, logs and `doctor`.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (a socket directory, or a trusted network).
        case disable
        /// TLS when the server offers it (libpq's default as well).
        case prefer
        /// TLS or no connection; the certificate is not checked.
        case require
        /// TLS with the certificate checked against `rootCertificate` or the system's roots.
        case verifyFull = "verify-full"
    }

    /// A host name or address, or a directory holding the server's Unix socket.
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// CA certificate file for `verify-full` (`sslrootcert=`).
    public var rootCertificate: String?

    public init(host: String, port: Int, user: String, database: String, tls: TLSMode, rootCertificate: String?) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.rootCertificate = rootCertificate
    }

    public var usesUnixSocket: Bool { host.hasPrefix("/") }

    public var description: String {
        let shownHost = usesUnixSocket ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAServerURL(String)
        case passwordInURL
        case invalid(String)

        public var description: String {
            switch self {
            case .notAServerURL(let text): return "'\(text)' is not a postgres:// URL"
            case .passwordInURL:
                return "the database URL contains a password: put it in a password file instead "
                    + "([database] password_file, $PGPASSFILE or ~/.pgpass), never on the command line"
            case .invalid(let reason): return "database URL: \(reason)"
            }
        }
    }

    public static func isServerURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `postgres://[user@]host[:port][/database][?sslmode=...&host=/socket/dir&sslrootcert=...]`.
    /// The user defaults to the login name, the port to 5432, the database to the user.
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ParseError) -> ServerAddress {
        guard isServerURL(text), let components = URLComponents(string: text) else { throw .notAServerURL(text) }
        if components.password != nil { throw .passwordInURL }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["USER"] ?? "postgres"
        var database = String(components.path.drop(while: { $0 == "/" }))
        database = database.removingPercentEncoding ?? database
        if database.contains("/") { throw .invalid("the database name cannot contain '/'") }
        var address = ServerAddress(host: components.host ?? "", port: components.port ?? 5432, user: user,
                                    database: database.isEmpty ? user : database, tls: .prefer, rootCertificate: nil)
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw .invalid("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(value)'")
                }
                address.tls = mode
            case "host":
                guard value.hasPrefix("/") else { throw .invalid("host= must be a socket directory (an absolute path)") }
                address.host = value
            case "sslrootcert":
                address.rootCertificate = value
            case "password":
                throw .passwordInURL
            default:
                throw .invalid("unknown parameter '\(item.name)' (known: sslmode, host, sslrootcert)")
            }
        }
        if address.host.isEmpty { address.host = "localhost" }
        if !(1...65535).contains(address.port) { throw .invalid("port \(address.port) is out of range") }
        if address.usesUnixSocket && address.tls != .prefer && address.tls != .disable {
            throw .invalid("TLS over a Unix socket is not possible: use sslmode=disable or a host name")
        }
        if address.usesUnixSocket { address.tls = .disable }
        return address
    }

    /// The Unix socket file of a socket-directory host.
    public var socketPath: String { "\(host)/.s.PGSQL.\(port)" }
}
