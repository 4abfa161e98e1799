import Foundation
import GRDB
import Vision

/// A stored face embedding of a person. `model` names the embedding space: templates of
/// another model are never compared with this one's.
public struct FaceTemplate: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable, DatabaseValueConvertible {
        /// Captured on purpose when the person was enrolled.
        case enrollment
        /// Added later from a confident match, to follow how the face changes.
        case match
    }

    public var id: Int64?
    public var personId: Int64
    /// 128 little-endian Float32 values (512 bytes).
    public var embedding: Data
    public var model: String
    public var quality: Double
    public var createdAt: Date
    public var source: Source

    public init(id: Int64? = nil, personId: Int64, embedding: Embedding, model: String, quality: Double,
                createdAt: Date, source: Source) {
        self.id = id
        self.personId = personId
        self.embedding = Data(embedding.bytes)
        self.model = model
        self.quality = quality
        self.createdAt = createdAt
        self.source = source
    }

    public var vector: Embedding? { Embedding(bytes: [UInt8](embedding)) }
}

extension FaceTemplate: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "faceTemplate"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
