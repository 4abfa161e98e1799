import Foundation
import Vision

/// Everything needed to enroll a person, written in one transaction: the person, the
/// preferences, the templates, the thumbnail and (from the front desk) the first visit.
public struct Enrollment: Sendable {
    public struct Template: Sendable {
        public var embedding: Embedding
        public var quality: Double
        public init(embedding: Embedding, quality: Double) {
            self.embedding = embedding
            self.quality = quality
        }
    }

    /// The person's id made by the desk: an enrollment written twice (a retry after the
    /// answer was lost) creates one person.
    public var id: UUID
    public var name: String
    public var preferences: [(key: String, value: String)]
    public var consentVersion: String?
    public var templates: [Template]
    public var model: String
    public var thumbnailJPEG: [UInt8]?
    /// The kiosk id to log a first visit at, or nil to record none (CLI enrollment).
    public var firstVisitKiosk: String?

    public init(id: UUID = UUID(), name: String, preferences: [(key: String, value: String)] = [], consentVersion: String?,
                templates: [Template], model: String = ModelFiles.embeddingModelID, thumbnailJPEG: [UInt8]? = nil,
                firstVisitKiosk: String? = nil) {
        self.id = id
        self.name = name
        self.preferences = preferences
        self.consentVersion = consentVersion
        self.templates = templates
        self.model = model
        self.thumbnailJPEG = thumbnailJPEG
        self.firstVisitKiosk = firstVisitKiosk
    }

    /// The enrollment as it is stored: name and preferences NFC-normalised and trimmed.
    /// Throws, with a message for the receptionist, what must not be stored: an empty,
    /// over-long or control-laden name or preference, no face template.
    public func validated() throws(StoreError) -> Enrollment {
        var valid = self
        valid.name = try VisitorText.normalized(name, as: .name)
        if valid.name.isEmpty { throw .invalidInput("A name is required.") }
        if templates.isEmpty { throw .invalidInput("At least one face template is required.") }
        valid.preferences = try Self.validated(preferences: preferences)
        return valid
    }

    /// Preferences as stored: each key and value normalised ('VisitorText'), keys
    /// non-empty and unique per person, at most `VisitorText.preferenceLimit` of them.
    public static func validated(preferences: [(key: String, value: String)]) throws(StoreError) -> [(key: String, value: String)] {
        if preferences.count > VisitorText.preferenceLimit {
            throw .invalidInput("Too many preferences: at most \(VisitorText.preferenceLimit).")
        }
        var seen = Set<String>()
        var valid: [(key: String, value: String)] = []
        for (key, value) in preferences {
            let key = try VisitorText.normalized(key, as: .preferenceKey)
            if key.isEmpty { throw .invalidInput("A preference needs a name.") }
            if !seen.insert(key).inserted { throw .invalidInput("The preference '\(key)' is given twice.") }
            valid.append((key, try VisitorText.normalized(value, as: .preferenceValue(key: key))))
        }
        return valid
    }
}
