import Foundation
import PostgresTestSupport
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// Every multi-desk suite runs inside this one, one test at a time: each runs several
/// desks (processes doing face work) and some assert 1-second propagation deadlines,
/// which desks of other multi-desk tests competing for the same cores would only blur.
@Suite("Multi-desk (PostgreSQL)", .serialized)
enum MultiDeskTests {}

/// What the multi-desk tests share: whether they can run, a test's "site" (one server
/// database, a configuration naming it, a data directory per desk) and `CLIDesk`, a
/// running `kiosk checkin --stdin --json` process driven line by line.
enum MultiDesk {
    /// PostgreSQL's server programs are installed (where scripts/pg-test-server looks).
    static let postgresInstalled: Bool = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.contains { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }
    }()

    /// Run when a server can be started, or when one is required (then a missing server
    /// fails the tests, in `server()`, instead of skipping them).
    static var serverTestsEnabled: Bool { postgresInstalled || TestPostgres.isRequired }
    static let noServerComment: Comment =
        "PostgreSQL is not installed (apt-get install postgresql, or scripts/setup); KIOSK_REQUIRE_POSTGRES=1 makes this a failure"

    /// The face models and the sample photos that scripts/setup installs.
    static let facesAvailable: Bool = {
        let models = ModelFiles.resolve(explicit: nil)
        return (try? models.checkPresent()) != nil
            && ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"].allSatisfy { FileManager.default.fileExists(atPath: KioskBinary.sample($0)) }
    }()
    static let noFacesComment: Comment = "the face models or sample photos are not installed (scripts/setup)"

    /// The server every test takes a fresh database from.
    static func sharedServer() throws -> TestPostgres {
        try TestPostgres.shared.get()
    }

    static let obama = KioskBinary.sample("obama.jpg")
    static let obama2 = KioskBinary.sample("obama2.jpg")
    static let obama3 = KioskBinary.sample("obama3.jpg")
    static let biden = KioskBinary.sample("biden.jpg")

    /// Waits until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    static func waitUntil(_ seconds: Double, every interval: useconds_t = 50_000, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() >= deadline { return false }
            usleep(interval)
        }
    }
}

/// One line of `kiosk checkin --json`.
struct CheckInAnswer: Decodable, CustomStringConvertible {
    let status: String
    let name: String?
    let person_id: Int64?
    let visit_number: Int?
    let new_visit: Bool?
    let preferences: [String: String]?
    let reason: String?
    /// The raw line, for messages.
    var line = ""

    enum CodingKeys: String, CodingKey { case status, name, person_id, visit_number, new_visit, preferences, reason }
    var description: String { line }
}

/// A row of `kiosk visits --format json`.
struct VisitRow: Decodable, Equatable {
    let id: Int64
    let person_id: Int64
    let name: String
    let time: String
    let kiosk: String
    let distance: Double?
}

/// A row of `kiosk people --format json`.
struct PersonRow: Decodable, Equatable {
    let id: Int64
    let name: String
    let enrolled: String
    let visits: Int
    let last_visit: String?
    let preferences: [String: String]
    let consent_version: String?
}

/// A visit waiting in a desk's pending queue (one JSON line of the file).
struct QueuedVisit: Decodable {
    let id: UUID
    let personId: Int64
}

/// One test's world: a database on a server (or none), a configuration file naming it and
/// its password file, and a temporary root holding one data directory per desk (each desk
/// has its own pending-visit queue there).
final class MultiDeskSite: Sendable {
    let server: TestPostgres?
    /// The database URL (nil for a site without a server).
    let url: String?
    let root: String
    let config: String

    /// `cooldownMinutes` nil keeps the default (10 minutes).
    init(server: TestPostgres?, url: String? = nil, cooldownMinutes: Int?, name: String = "multidesk") throws {
        self.server = server
        self.url = try url ?? server?.createDatabase()
        root = NSTemporaryDirectory() + "kiosk-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/xdg-config", withIntermediateDirectories: true)
        config = root + "/kiosk.toml"
        var toml = ""
        if let cooldownMinutes { toml += "[visits]\ncooldown_minutes = \(cooldownMinutes)\n\n" }
        if let server {
            toml += "[database]\n"
            if let url = self.url { toml += "url = \"\(url)\"\n" }
            toml += "password_file = \"\(server.passwordFile)\"\n"
        }
        try toml.write(toFile: config, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// The database's name on the server (for psql).
    var databaseName: String {
        guard let url, let path = URL(string: url)?.path else { return "kiosk" }
        return String(path.dropFirst())
    }

    /// The data directory of desk `desk` ($XDG_DATA_HOME).
    func dataHome(_ desk: String) -> String { root + "/data-" + desk }

    /// A desk's environment: its own data directory, the shared models and samples, no
    /// configuration but the site's (`--config` is passed too).
    func environment(desk: String) -> [String: String] {
        ["XDG_DATA_HOME": dataHome(desk), "XDG_CONFIG_HOME": root + "/xdg-config", "TERM": "tmux-256color",
         "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory, "KIOSK_SAMPLES": DataDirectory.samples()]
    }

    /// Runs a one-shot `kiosk` command as desk `desk` with the site's configuration.
    func kiosk(_ arguments: [String], desk: String = "cli", input: String? = nil) throws -> KioskBinary.Run {
        try KioskBinary.run(arguments + ["--config", config], environment: environment(desk: desk), input: input)
    }

    /// `kiosk db migrate` on the site's server, expected to succeed.
    func migrate() throws {
        let run = try kiosk(["db", "migrate"])
        try #require(run.status == 0, "db migrate failed: \(run.stderr)")
    }

    /// `kiosk enroll`, expected to succeed.
    func enroll(_ name: String, _ photo: String, preferences: [String] = [], db: String? = nil) throws {
        let run = try kiosk(["enroll", "--name", name, "--consent"] + preferences.flatMap { ["--pref", $0] } + [photo]
                            + (db.map { ["--db", $0] } ?? []))
        try #require(run.status == 0, "enroll \(name) failed: \(run.stdout)\(run.stderr)")
    }

    /// `kiosk visits --format json` (of `db`, else the site's server).
    func visits(db: String? = nil) throws -> [VisitRow] {
        let run = try kiosk(["visits", "--format", "json"] + (db.map { ["--db", $0] } ?? []))
        try #require(run.status == 0, "visits failed: \(run.stderr)")
        return try JSONDecoder().decode([VisitRow].self, from: Data(run.stdout.utf8))
    }

    /// `kiosk people --format json` (of `db`, else the site's server).
    func people(db: String? = nil) throws -> [PersonRow] {
        let run = try kiosk(["people", "--format", "json"] + (db.map { ["--db", $0] } ?? []))
        try #require(run.status == 0, "people failed: \(run.stderr)")
        return try JSONDecoder().decode([PersonRow].self, from: Data(run.stdout.utf8))
    }

    /// The server-visit queue files of desk `desk` (`server-<address>.pending-visits`).
    func pendingFiles(desk: String) -> [String] {
        let directory = dataHome(desk) + "/kiosk"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("server-") && $0.hasSuffix(".pending-visits") }.map { directory + "/" + $0 }
    }

    /// The visits waiting in desk `desk`'s queue.
    func pendingVisits(desk: String) -> [QueuedVisit] {
        pendingFiles(desk: desk).flatMap { file -> [QueuedVisit] in
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(QueuedVisit.self, from: Data($0.utf8)) }
        }
    }

    /// Runs SQL on the site's database as the admin role (reads for assertions only).
    func sql(_ query: String) throws -> String {
        guard let server else { throw SiteError.noServer }
        return try server.psql(query, database: databaseName)
    }

    /// How many visit rows carry this id.
    func visitRows(uuid: UUID) throws -> Int {
        Int(try sql("SELECT count(*) FROM visit WHERE uuid = '\(uuid.uuidString.lowercased())'")) ?? -1
    }

    enum SiteError: Error { case noServer }
}

/// A running desk without a screen: `kiosk checkin --stdin --json`, fed photo paths on its
/// standard input and answering one JSON line each on its standard output. Its standard
/// error goes to a file (read with `stderr`). Killed when stopped or released.
final class CLIDesk: @unchecked Sendable {
    // @unchecked: `buffer` and `ended` are used with `condition` held.
    let name: String
    /// Held so the site's directories outlive the desk that uses them.
    let site: MultiDeskSite
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    let stderrPath: String
    private let condition = NSCondition()
    private var buffer = Data()
    private var ended = false

    enum DeskError: Error, CustomStringConvertible {
        case noAnswer(desk: String, seconds: Double, stderr: String)
        case badAnswer(desk: String, line: String)
        var description: String {
            switch self {
            case let .noAnswer(desk, seconds, stderr): return "desk \(desk) gave no answer within \(seconds) s; stderr:\n\(stderr)"
            case let .badAnswer(desk, line): return "desk \(desk) answered something that is not a check-in: \(line)"
            }
        }
    }

    /// Writing to a desk that was killed must fail, not end the test process.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    init(_ name: String, site: MultiDeskSite, extraArguments: [String] = []) throws {
        Self.ignoreBrokenPipes
        self.name = name
        self.site = site
        stderrPath = site.root + "/desk-\(name)-\(UUID().uuidString.prefix(6)).stderr"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: KioskBinary.path)
        process.arguments = ["checkin", "--stdin", "--json", "--config", site.config] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(site.environment(desk: name)) { $1 }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        // Close-on-exec for every descriptor of this desk: a program started later (the
        // PostgreSQL server restarted by a test daemonises) must not inherit the write end
        // of this desk's standard input, or closing it here would never end the desk.
        // (The child's own ends are dup2'ed onto 0, 1 and 2, which clears the flag there.)
        for fd in [input.fileHandleForReading.fileDescriptor, input.fileHandleForWriting.fileDescriptor,
                   output.fileHandleForReading.fileDescriptor, output.fileHandleForWriting.fileDescriptor, errors.fileDescriptor] {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let reader = Thread { [self] in readOutput() }
        reader.name = "desk-\(name)-stdout"
        reader.start()
    }

    deinit { kill() }

    private func readOutput() {
        let fd = output.fileHandleForReading.fileDescriptor
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            condition.lock()
            if count <= 0 {
                ended = true
            } else {
                buffer.append(contentsOf: chunk[0..<count])
            }
            condition.broadcast()
            condition.unlock()
            if count <= 0 { return }
        }
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Writes one photo path to the desk's standard input.
    func send(_ photo: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data((photo + "\n").utf8))
    }

    /// The next line of the desk's standard output, or nil after `timeout` seconds or at its end.
    func nextLine(timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            if ended || !condition.wait(until: deadline) { return nil }
        }
    }

    /// The answer to the photo sent last.
    func answer(timeout: Double = 60) throws -> CheckInAnswer {
        guard let line = nextLine(timeout: timeout) else { throw DeskError.noAnswer(desk: name, seconds: timeout, stderr: stderr) }
        guard var answer = try? JSONDecoder().decode(CheckInAnswer.self, from: Data(line.utf8)) else {
            throw DeskError.badAnswer(desk: name, line: line)
        }
        answer.line = line
        return answer
    }

    /// Sends a photo and waits for its answer.
    func checkIn(_ photo: String, timeout: Double = 60) throws -> CheckInAnswer {
        send(photo)
        return try answer(timeout: timeout)
    }

    /// Ends the desk as its operator would (end of input); returns its exit status, or nil
    /// when it had to be killed after `timeout` seconds.
    @discardableResult
    func stop(timeout: Double = 10) -> Int32? {
        try? input.fileHandleForWriting.close()
        let ended = MultiDesk.waitUntil(timeout) { !process.isRunning }
        if !ended { kill() }
        return ended ? process.terminationStatus : nil
    }

    /// Kills the desk at once (SIGKILL unless told otherwise) and reaps it.
    func kill(_ signal: Int32 = SIGKILL) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}
