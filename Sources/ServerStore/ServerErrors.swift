import Foundation
import PostgresNIO
import Store

/// Says what a PostgreSQL failure means for the desk: the server is out of reach (the desk
/// goes on from its gallery and queues visits), or it answered with an error (a bug or a
/// misconfiguration, named with the server's own message).
enum ServerErrors {
    static func storeError(_ error: any Error, address: ServerAddress) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError, error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error)"
            // Class 08 (connection exception), 57P01..03 (server shutting down or starting),
            // 53 (out of resources: too many connections): the server is not there for us now.
            if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") {
                return .serverUnreachable(address: address.description, reason: message)
            }
            return .database(path: address.description, reason: "\(message) (SQLSTATE \(state))")
        }
        return .serverUnreachable(address: address.description, reason: reason(error))
    }

    /// A one-line reason for a connection failure.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// Whether a server error is the unique-key violation (SQLSTATE 23505).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}
