/// Why the visitor database could not be opened or changed. Each case names the file
/// when there is one, so the message tells the engineer what to look at.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The directory for the database cannot be created or written.
    case directoryUnusable(path: String, reason: String)
    /// The file exists but is not an SQLite database, or is damaged.
    case notADatabase(path: String, reason: String)
    /// An SQLite database, but not one of ours (tables we did not create).
    case foreignDatabase(path: String)
    /// Written by a newer kiosk version (it knows migrations we do not).
    case newerVersion(path: String, unknownMigrations: [String])
    /// A name, key or argument that cannot be stored.
    case invalidInput(String)
    /// No person matches the name or id given.
    case personNotFound(String)
    /// Several people share the name given; use the id.
    case ambiguousName(String, ids: [Int64])
    /// Any other SQLite failure.
    case database(path: String, reason: String)

    public var description: String {
        switch self {
        case let .directoryUnusable(path, reason):
            return "cannot use the directory \(path) for the database: \(reason)"
        case let .notADatabase(path, reason):
            return "\(path) is not a kiosk database or is damaged (\(reason)); it was left untouched"
        case let .foreignDatabase(path):
            return "\(path) is an SQLite database of another program; it was left untouched (choose another path with --db)"
        case let .newerVersion(path, unknown):
            return "\(path) was written by a newer kiosk (unknown migrations: \(unknown.joined(separator: ", "))); upgrade kiosk to use it"
        case let .invalidInput(message):
            return message
        case let .personNotFound(who):
            return "no enrolled person matches '\(who)'"
        case let .ambiguousName(name, ids):
            return "several people are called '\(name)' (ids \(ids.map(String.init).joined(separator: ", "))); give the id instead"
        case let .database(path, reason):
            return "database \(path): \(reason)"
        }
    }
}
