import Foundation
import GRDB

/// An enrolled visitor. Consent is recorded with the version of the consent text shown.
public struct Person: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64?
    public var name: String
    public var createdAt: Date
    public var consentAt: Date?
    public var consentVersion: String?
    public var notes: String
    /// The id the enrolling desk made (see `Enrollment.id`); nil only before it is stored.
    public var uuid: String?

    public init(id: Int64? = nil, name: String, createdAt: Date, consentAt: Date?, consentVersion: String?, notes: String = "",
                uuid: String? = nil) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.consentAt = consentAt
        self.consentVersion = consentVersion
        self.notes = notes
        self.uuid = uuid
    }
}

extension Person: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "person"
    static let preferences = hasMany(Preference.self)
    static let templates = hasMany(FaceTemplate.self)
    static let visits = hasMany(Visit.self)

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
