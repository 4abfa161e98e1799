import GRDB

/// One of a person's preferences ("drink" = "oat latte"), kept in the order entered.
public struct Preference: Codable, Sendable, Equatable {
    public var id: Int64?
    public var personId: Int64
    public var position: Int
    public var key: String
    public var value: String

    public init(id: Int64? = nil, personId: Int64, position: Int, key: String, value: String) {
        self.id = id
        self.personId = personId
        self.position = position
        self.key = key
        self.value = value
    }
}

extension Preference: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "preference"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
