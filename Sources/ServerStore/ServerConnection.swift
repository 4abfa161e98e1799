import Foundation
import Logging
import PostgresNIO
import Store

/// One connection to the server, used by blocking calls. The front desk calls its store
/// from its own thread and waits for the answer (as it waits for SQLite): the waiting
/// happens on that thread while SwiftNIO's event loop does the network work, so neither
/// the screen nor Swift's cooperative pool is ever held up.
///
/// A lost connection is reopened by the next call. While the server cannot be reached,
/// calls fail at once for `retryDelay` instead of each waiting for a connect timeout: a
/// desk that is offline keeps recognising from its gallery without stalling.
final class ServerConnection: @unchecked Sendable {
    // @unchecked: every mutable field is used with `lock` held.
    let address: ServerAddress
    private let password: String?
    private let logger: Logger
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var offline: (until: ContinuousClock.Instant, reason: String)?
    private static let connectionIDs = Counter()

    static let connectTimeout: TimeAmount = .seconds(2)
    /// A query the server has not answered in this time is abandoned with its connection
    /// (a hung server or a cut cable would otherwise hold the desk forever).
    static let queryTimeout: TimeAmount = .seconds(10)
    static let retryDelay: Duration = .seconds(1)

    init(address: ServerAddress, password: String?, logger: Logger) {
        self.address = address
        self.password = password
        self.logger = logger
    }

    /// Runs `body` on the open connection (opening it first if needed).
    func withSession<T>(_ body: (ServerSession) throws -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        // A connection kept from earlier may have died since (the server restarted): then
        // the call is made once more on a new one. Every write is one transaction, and the
        // ones a desk retries carry their own ids, so a second attempt never doubles a row.
        let reused = connection.map { !$0.isClosed } ?? false
        for attempt in 0..<2 {
            do {
                let session = ServerSession(connection: try connected(), logger: logger)
                return try body(session)
            } catch let waiting as StillOffline {
                // Not a new failure: the last one stands, and so does its retry time.
                throw StoreError.serverUnreachable(address: address.description, reason: waiting.reason)
            } catch {
                let mapped = ServerErrors.storeError(error, address: address)
                guard case .serverUnreachable(_, let reason) = mapped else { throw mapped }
                drop(reason: reason)
                if attempt == 0 && reused { offline = nil; continue }
                throw mapped
            }
        }
        throw StoreError.serverUnreachable(address: address.description, reason: "no connection")
    }

    /// Runs `body` inside one transaction; rolled back when it throws.
    func transaction<T>(_ body: (ServerSession) throws -> T) throws(StoreError) -> T {
        try withSession { session in
            try session.execute("BEGIN")
            do {
                let value = try body(session)
                try session.execute("COMMIT")
                return value
            } catch {
                try? session.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Closes without waiting (this may run on any thread, an event loop's among them).
    func close() {
        lock.lock()
        defer { lock.unlock() }
        if let connection { let _: EventLoopFuture<Void> = connection.close() }
        connection = nil
    }

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        if let offline, ContinuousClock.now < offline.until { throw StillOffline(reason: offline.reason) }
        do {
            let opened = try Self.open(address: address, password: password, logger: logger)
            connection = opened
            offline = nil
            return opened
        } catch {
            let reason = ServerErrors.reason(error)
            drop(reason: reason)
            throw StoreError.serverUnreachable(address: address.description, reason: reason)
        }
    }

    private func drop(reason: String) {
        if let connection { let _: EventLoopFuture<Void> = connection.close() }
        connection = nil
        offline = (ContinuousClock.now + Self.retryDelay, reason)
    }

    /// Opens a new connection (waiting for it: at most `connectTimeout`).
    static func open(address: ServerAddress, password: String?, logger: Logger) throws -> PostgresConnection {
        let opened = try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: try configuration(address: address, password: password),
            id: connectionIDs.next(), logger: logger
        ).wait()
        // The connection must outlive its own closing (postgres-nio asserts it): whoever
        // lets go of it after asking it to close, it stays alive until the channel is shut.
        opened.closeFuture.whenComplete { _ in withExtendedLifetime(opened) {} }
        return opened
    }

    private static func configuration(address: ServerAddress, password: String?) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if address.usesUnixSocket {
            configuration = .init(unixSocketPath: address.socketPath, username: address.user, password: password,
                                  database: address.database)
        } else {
            configuration = .init(host: address.host, port: address.port, username: address.user, password: password,
                                  database: address.database, tls: try tls(address))
        }
        configuration.options.connectTimeout = Self.connectTimeout
        return configuration
    }

    private static func tls(_ address: ServerAddress) throws -> PostgresConnection.Configuration.TLS {
        var settings = TLSConfiguration.makeClientConfiguration()
        switch address.tls {
        case .disable: return .disable
        case .prefer, .require: settings.certificateVerification = .none
        case .verifyFull:
            if let root = address.rootCertificate { settings.trustRoots = .file(root) }
        }
        let context = try NIOSSLContext(configuration: settings)
        return address.tls == .prefer ? .prefer(context) : .require(context)
    }
}

/// Thrown while calls fail at once after a failed connection, until `retryDelay` passes.
private struct StillOffline: Error {
    let reason: String
}

/// A connection lent to one call: queries that wait for their answer.
struct ServerSession {
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let future = connection.query(query, logger: logger)
        let connection = self.connection
        let watchdog = connection.eventLoop.scheduleTask(in: ServerConnection.queryTimeout) { let _: EventLoopFuture<Void> = connection.close() }
        defer { watchdog.cancel() }
        return try future.wait()
    }

    func execute(_ sql: PostgresQuery) throws {
        try query(sql)
    }

    /// The rows of `query`.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        Array(try self.query(query).rows)
    }

    /// The first column of the first row, if any.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) throws -> T? where T._DecodableType == T {
        guard let cell = try rows(query).first?.first else { return nil }
        return try cell.decode(T?.self, file: #fileID, line: #line)
    }
}

/// Connection ids for log lines.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
