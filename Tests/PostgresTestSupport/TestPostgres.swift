import Foundation

/// A real PostgreSQL server for tests, started from Debian's binaries by
/// `scripts/pg-test-server` on a private port and directory and stopped when the test
/// process ends. `shared` serves tests that each take a fresh database from it; a test
/// that stops and starts its server (an outage) starts one of its own.
public final class TestPostgres: @unchecked Sendable {
    public let directory: String
    public let port: Int
    /// The URL of the `kiosk` database (no password: it is in `passwordFile`).
    public let url: String
    public var passwordFile: String { directory + "/password" }

    public enum Unavailable: Error, CustomStringConvertible {
        case notInstalled(String)
        public var description: String {
            switch self {
            case .notInstalled(let reason): return "PostgreSQL test server unavailable: \(reason)"
            }
        }
    }

    /// The repository's root (this file is Tests/PostgresTestSupport/TestPostgres.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    private static let script = repositoryRoot + "/scripts/pg-test-server"
    nonisolated(unsafe) private static var started: [TestPostgres] = []
    private static let lock = NSLock()

    /// One server for the whole test run, started at first use.
    public static let shared: Result<TestPostgres, any Error> = Result { try TestPostgres.start() }

    /// Whether the tests must fail, rather than skip, without a server (CI sets it: there
    /// the setup installs PostgreSQL, so its absence is a broken setup).
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["KIOSK_REQUIRE_POSTGRES"] == "1" }

    /// Starts a new server on a free port.
    public static func start() throws -> TestPostgres {
        let directory = NSTemporaryDirectory() + "kiosk-pg-\(UUID().uuidString.prefix(8))"
        var lastError = ""
        for _ in 0..<5 {
            let port = freePort()
            let (status, output) = run([script, "start", directory, String(port)])
            if status == 0, let url = output.split(separator: "\n").last.map(String.init), url.hasPrefix("postgres://") {
                let server = TestPostgres(directory: directory, port: port, url: url)
                lock.withLock {
                    if started.isEmpty { atexit { TestPostgres.stopAll() } }
                    started.append(server)
                }
                return server
            }
            if status == 3 { throw Unavailable.notInstalled(output.trimmingCharacters(in: .whitespacesAndNewlines)) }
            lastError = output
        }
        throw Unavailable.notInstalled(lastError)
    }

    private init(directory: String, port: Int, url: String) {
        self.directory = directory
        self.port = port
        self.url = url
    }

    /// A new, empty database on this server; returns its URL.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let (status, output) = Self.run([Self.script, "createdb", directory, name])
        guard status == 0 else { throw Unavailable.notInstalled("createdb: \(output)") }
        return "postgres://kiosk_admin@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Stops the server: `immediate` is a crash as far as clients can tell.
    public func stop(mode: String = "fast") {
        _ = Self.run([Self.script, "stop", directory, mode])
    }

    public func restart() throws {
        let (status, output) = Self.run([Self.script, "restart", directory])
        if status != 0 { throw Unavailable.notInstalled("restart: \(output)") }
    }

    /// Runs SQL with psql as the admin role; returns the unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String = "kiosk") throws -> String {
        let (status, output) = Self.run([Self.script, "psql", directory, database, "-c", sql])
        guard status == 0 else { throw Unavailable.notInstalled("psql: \(output)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func stopAll() {
        for server in lock.withLock({ started }) {
            _ = run([script, "stop", server.directory, "immediate"])
            try? FileManager.default.removeItem(atPath: server.directory)
        }
    }

    /// A port nothing listens on now (bind to 0, read it back, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program with posix_spawn and waitpid, its output (stdout and stderr) into a
    /// file. Not Foundation's Process: its exit notification needs a free dispatch thread,
    /// and with tests blocking both pool threads (one here, one waiting for `shared`) it
    /// never comes.
    @discardableResult
    public static func run(_ arguments: [String]) -> (Int32, String) {
        let output = NSTemporaryDirectory() + "kiosk-pg-out-\(UUID().uuidString)"
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { return (127, "cannot run \(arguments[0])") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7f), text)
    }
}
