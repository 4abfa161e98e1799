import Foundation
import PostgresTestSupport
import ServerStore
import Store
import Testing

/// Reading where the server is and how to log in: the parts an engineer types.
@Suite("Server address and password")
struct ServerConnectionTests {
    @Test func aURLIsReadWithItsDefaults() throws {
        let address = try ServerAddress.parse("postgres://kiosk_desk@db.lan/kiosk", environment: ["USER": "me"])
        #expect(address == ServerAddress(host: "db.lan", port: 5432, user: "kiosk_desk", database: "kiosk", tls: .prefer, rootCertificate: nil))
        let minimal = try ServerAddress.parse("postgresql://db.lan:6543", environment: ["USER": "me"])
        #expect(minimal.user == "me" && minimal.database == "me" && minimal.port == 6543)
        let socket = try ServerAddress.parse("postgres://kiosk@/kiosk?host=/run/postgresql", environment: [:])
        #expect(socket.usesUnixSocket && socket.socketPath == "/run/postgresql/.s.PGSQL.5432" && socket.tls == .disable)
        let verified = try ServerAddress.parse("postgres://k@db/kiosk?sslmode=verify-full&sslrootcert=/etc/kiosk/ca.pem", environment: [:])
        #expect(verified.tls == .verifyFull && verified.rootCertificate == "/etc/kiosk/ca.pem")
        #expect(verified.description == "postgres://k@db:5432/kiosk")
    }

    /// Attack: a password on the command line shows in `ps` and shell history.
    @Test func aPasswordInTheURLIsRefused() {
        #expect(throws: ServerAddress.ParseError.passwordInURL) { try ServerAddress.parse("postgres://kiosk:secret@db/kiosk") }
        #expect(throws: ServerAddress.ParseError.passwordInURL) { try ServerAddress.parse("postgres://kiosk@db/kiosk?password=secret") }
        let message = "\(ServerAddress.ParseError.passwordInURL)"
        #expect(message.contains("password file") && !message.contains("secret"))
    }

    @Test func badURLsSayWhatIsWrong() {
        for (url, expected) in [("http://db/kiosk", "is not a postgres:// URL"), ("postgres://db/kiosk?sslmode=sometimes", "sslmode must be one of"),
                                ("postgres://db/kiosk?colour=blue", "unknown parameter 'colour'"),
                                ("postgres://db/kiosk?host=relative", "socket directory"),
                                ("postgres://k@/kiosk?host=/run/pg&sslmode=require", "TLS over a Unix socket")] {
            do {
                _ = try ServerAddress.parse(url, environment: [:])
                Issue.record("\(url) was accepted")
            } catch {
                #expect("\(error)".contains(expected), "\(url): \(error)")
            }
        }
    }

    @Test func thePasswordFileMatchesLikeLibpq() throws {
        let address = try ServerAddress.parse("postgres://kiosk_desk@db.lan:5433/kiosk", environment: [:])
        let directory = NSTemporaryDirectory() + "kiosk-pgpass-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pgpass = directory + "/pgpass"
        let lines = """
            # comment
            db.lan:5432:kiosk:kiosk_desk:wrong-port
            other:*:*:*:wrong-host
            db.lan:5433:kiosk:kiosk_desk:pa\\:ss
            *:*:*:*:fallback
            """
        FileManager.default.createFile(atPath: pgpass, contents: Data(lines.utf8), attributes: [.posixPermissions: 0o600])
        #expect(try ServerPassword.lookup(for: address, passwordFile: nil, environment: ["PGPASSFILE": pgpass]) == "pa:ss")
        let single = directory + "/password"
        FileManager.default.createFile(atPath: single, contents: Data("  s3cret \nignored\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(try ServerPassword.lookup(for: address, passwordFile: single, environment: [:]) == "s3cret")
        #expect(try ServerPassword.lookup(for: address, passwordFile: nil, environment: ["HOME": directory + "/nowhere"]) == nil)
    }

    /// Attack: a password file others can read is no secret; libpq ignores it, we refuse it by name.
    @Test func aPasswordFileOthersCanReadIsRefused() throws {
        let path = NSTemporaryDirectory() + "kiosk-password-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: Data("secret\n".utf8), attributes: [.posixPermissions: 0o644])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let address = try ServerAddress.parse("postgres://k@db/kiosk", environment: [:])
        #expect(throws: ServerPassword.LookupError.tooOpen(path: path, mode: "644")) {
            try ServerPassword.lookup(for: address, passwordFile: path, environment: [:])
        }
        #expect(throws: ServerPassword.LookupError.self) {
            try ServerPassword.lookup(for: address, passwordFile: path + ".missing", environment: [:])
        }
    }

    /// TLS when the URL asks for it: encrypted with `require`, and with `verify-full` only
    /// against the certificate authority given (the test server's self-signed one).
    @Test func tlsIsUsedWhenTheURLAsksForIt() throws {
        let server: TestPostgres
        do { server = try TestServer.require() } catch let skip as SkipReason { print("SKIPPED: \(skip)"); return }
        let certificate = server.directory + "/server.crt"
        guard FileManager.default.fileExists(atPath: certificate) else {
            #expect(!TestPostgres.isRequired, "the test server has no certificate (openssl missing?)")
            return
        }
        let database = try TestServer.freshStore(on: server).address.database
        func open(_ query: String) throws -> PostgresVisitorStore {
            let address = try ServerAddress.parse("postgres://kiosk_admin@localhost:\(server.port)/\(database)?\(query)")
            return try PostgresVisitorStore(address: address, password: try ServerPassword.lookup(for: address, passwordFile: server.passwordFile),
                                            checkSchema: false)
        }
        #expect(try open("sslmode=disable").health().encrypted == false)
        #expect(try open("sslmode=require").health().encrypted)
        #expect(try open("sslmode=verify-full&sslrootcert=\(certificate)").health().encrypted)
        // Attack: a server whose certificate no trusted authority signed (a man in the
        // middle, as far as the desk can tell) is refused under verify-full.
        let otherRoot = NSTemporaryDirectory() + "kiosk-other-ca-\(UUID().uuidString).pem"
        defer { try? FileManager.default.removeItem(atPath: otherRoot) }
        let made = TestPostgres.run(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                     "-keyout", otherRoot + ".key", "-out", otherRoot])
        defer { try? FileManager.default.removeItem(atPath: otherRoot + ".key") }
        #expect(made.0 == 0)
        #expect(throws: StoreError.self) { try open("sslmode=verify-full&sslrootcert=\(otherRoot)").health() }
    }

    /// A server that is not there answers at once: the desk must never hang on it.
    @Test func anUnreachableServerFailsFastWithItsAddress() throws {
        let address = try ServerAddress.parse("postgres://kiosk@127.0.0.1:9/kiosk?sslmode=disable", environment: [:])
        let start = ContinuousClock.now
        do {
            _ = try PostgresVisitorStore(address: address, password: nil)
            Issue.record("connected to a closed port")
        } catch let error as StoreError {
            guard case .serverUnreachable(let shown, _) = error else { Issue.record("\(error)"); return }
            #expect(shown == "postgres://kiosk@127.0.0.1:9/kiosk")
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
