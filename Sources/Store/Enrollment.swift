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

    public var name: String
    public var preferences: [(key: String, value: String)]
    public var consentVersion: String?
    public var templates: [Template]
    public var model: String
    public var thumbnailJPEG: [UInt8]?
    /// The kiosk id to log a first visit at, or nil to record none (CLI enrollment).
    public var firstVisitKiosk: String?

    public init(name: String, preferences: [(key: String, value: String)] = [], consentVersion: String?,
                templates: [Template], model: String = ModelFiles.embeddingModelID, thumbnailJPEG: [UInt8]? = nil,
                firstVisitKiosk: String? = nil) {
        self.name = name
        self.preferences = preferences
        self.consentVersion = consentVersion
        self.templates = templates
        self.model = model
        self.thumbnailJPEG = thumbnailJPEG
        self.firstVisitKiosk = firstVisitKiosk
    }

    /// Checks what the database constraints would otherwise reject less clearly.
    func validate() throws(StoreError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw .invalidInput("a name is required") }
        if templates.isEmpty { throw .invalidInput("at least one face template is required") }
        try Self.validate(preferences: preferences)
    }

    /// Keys must be non-empty and unique per person.
    static func validate(preferences: [(key: String, value: String)]) throws(StoreError) {
        var seen = Set<String>()
        for (key, _) in preferences {
            if key.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalidInput("a preference needs a key") }
            if !seen.insert(key).inserted { throw .invalidInput("the preference '\(key)' is given twice") }
        }
    }
}
