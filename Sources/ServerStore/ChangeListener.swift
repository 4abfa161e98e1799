import Foundation
import Logging
import PostgresNIO

/// Listens for the server's change notifications on a connection of its own and calls the
/// handler for each; after the connection is lost it reconnects (every second) and calls
/// the handler once, because notifications sent meanwhile are gone (the change log is not).
final class ChangeListenerHandle: @unchecked Sendable {
    // @unchecked: the fields are used with `lock` held.
    private let lock = NSLock()
    private var started = false
    private var stopped = false
    private var current: PostgresConnection?

    static let channel = "kiosk_change"

    func start(address: ServerAddress, password: String?, logger: Logger, handler: @escaping @Sendable () -> Void) {
        let shouldStart = lock.withLock { () -> Bool in
            if started || stopped { return false }
            started = true
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [self] in listen(address: address, password: password, logger: logger, handler: handler) }
        thread.name = "kiosk-listen"
        thread.start()
    }

    func stop() {
        let connection = lock.withLock { () -> PostgresConnection? in
            stopped = true
            return current
        }
        if let connection { let _: EventLoopFuture<Void> = connection.close() }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func listen(address: ServerAddress, password: String?, logger: Logger, handler: @escaping @Sendable () -> Void) {
        while !isStopped {
            do {
                let connection = try ServerConnection.open(address: address, password: password, logger: logger)
                lock.withLock { current = connection }
                if isStopped { let _: EventLoopFuture<Void> = connection.close(); break }
                connection.addListener(channel: Self.channel) { _, _ in handler() }
                try connection.query("LISTEN kiosk_change", logger: logger).wait()
                // Anything committed before LISTEN took effect is in the log: look once.
                handler()
                try? connection.closeFuture.wait()
            } catch {
                logger.debug("change notifications from \(address): \(error)")
            }
            lock.withLock { current = nil }
            if isStopped { break }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}
