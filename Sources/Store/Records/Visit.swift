import Foundation
import GRDB

/// One check-in of a person at a kiosk, with how sure the match was.
public struct Visit: Codable, Sendable, Equatable {
    public var id: Int64?
    public var personId: Int64
    public var time: Date
    public var kioskId: String
    /// Distance of the match (nil for the first visit recorded at enrollment).
    public var distance: Double?
    public var quality: Double?

    public init(id: Int64? = nil, personId: Int64, time: Date, kioskId: String, distance: Double?, quality: Double?) {
        self.id = id
        self.personId = personId
        self.time = time
        self.kioskId = kioskId
        self.distance = distance
        self.quality = quality
    }
}

extension Visit: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "visit"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
