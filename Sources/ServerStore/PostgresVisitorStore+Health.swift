import Foundation
import PostgresNIO
import Store

/// What `kiosk doctor` asks of the server.
extension PostgresVisitorStore {
    public struct Health: Sendable {
        /// One round trip of a trivial query.
        public var queryMilliseconds: Double
        public var serverVersion: String
        /// How long a change notification takes from one connection to another: the
        /// delay before other desks hear of a change (they then read the change log).
        public var notificationMilliseconds: Double?
        public var latestChange: Int64
        public var people: Int
        /// Whether this connection is encrypted (TLS).
        public var encrypted: Bool
    }

    public func health() throws(StoreError) -> Health {
        let (query, version, latest, people, encrypted) = try connection.withSession { session -> (Double, String, Int64, Int, Bool) in
            let start = ContinuousClock.now
            _ = try session.value("SELECT 1", as: Int32.self)
            let query = (ContinuousClock.now - start).milliseconds
            let version = try session.value("SHOW server_version", as: String.self) ?? "?"
            let people = Int(try session.value("SELECT COUNT(*) FROM person", as: Int64.self) ?? 0)
            let encrypted = try session.value("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", as: Bool.self) ?? false
            return (query, version, try Self.latestChange(session), people, encrypted)
        }
        return Health(queryMilliseconds: query, serverVersion: version, notificationMilliseconds: try? notificationRoundTrip(),
                      latestChange: latest, people: people, encrypted: encrypted)
    }

    /// Listens on a channel of its own on a second connection, notifies it from the first
    /// and times the arrival (at most 2 s).
    private func notificationRoundTrip() throws -> Double? {
        let listening = try ServerConnection.open(address: address, password: passwordForChecks, logger: loggerForChecks)
        defer { let _: EventLoopFuture<Void> = listening.close() }
        let arrived = DispatchSemaphore(value: 0)
        listening.addListener(channel: "kiosk_doctor") { _, _ in arrived.signal() }
        try listening.query("LISTEN kiosk_doctor", logger: loggerForChecks).wait()
        let start = ContinuousClock.now
        try connection.withSession { session in try session.execute("NOTIFY kiosk_doctor") }
        guard arrived.wait(timeout: .now() + 2) == .success else { return nil }
        return (ContinuousClock.now - start).milliseconds
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
