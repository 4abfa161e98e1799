import Foundation
import GRDB

/// A small JPEG of a person's aligned face, shown beside the greeting.
public struct Thumbnail: Codable, Sendable, Equatable {
    public var personId: Int64
    public var jpeg: Data
    public var createdAt: Date

    public init(personId: Int64, jpeg: Data, createdAt: Date) {
        self.personId = personId
        self.jpeg = jpeg
        self.createdAt = createdAt
    }
}

extension Thumbnail: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "thumbnail"
}
