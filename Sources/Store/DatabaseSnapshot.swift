import Foundation

/// Everything a visitor database holds, row by row with its ids: what `kiosk db copy`
/// reads from one backend and writes to the other (SQLite file to server and back), so
/// that people keep their ids and UUIDs, visits their history and consent records their
/// dates. The change log is not part of it: the target writes its own.
public struct DatabaseSnapshot: Sendable, Equatable {
    public struct PersonRow: Sendable, Equatable {
        public var id: Int64
        public var uuid: UUID
        public var name: String
        public var createdAt: Date
        public var consentAt: Date?
        public var consentVersion: String?
        public var notes: String
        public init(id: Int64, uuid: UUID, name: String, createdAt: Date, consentAt: Date?, consentVersion: String?, notes: String) {
            self.id = id; self.uuid = uuid; self.name = name; self.createdAt = createdAt
            self.consentAt = consentAt; self.consentVersion = consentVersion; self.notes = notes
        }
    }

    public struct PreferenceRow: Sendable, Equatable {
        public var personId: Int64
        public var position: Int
        public var key: String
        public var value: String
        public init(personId: Int64, position: Int, key: String, value: String) {
            self.personId = personId; self.position = position; self.key = key; self.value = value
        }
    }

    public struct TemplateRow: Sendable, Equatable {
        public var id: Int64
        public var personId: Int64
        public var embedding: [UInt8]
        public var model: String
        public var quality: Double
        public var createdAt: Date
        public var source: String
        public var visitUuid: UUID?
        public init(id: Int64, personId: Int64, embedding: [UInt8], model: String, quality: Double, createdAt: Date, source: String,
                    visitUuid: UUID?) {
            self.id = id; self.personId = personId; self.embedding = embedding; self.model = model
            self.quality = quality; self.createdAt = createdAt; self.source = source; self.visitUuid = visitUuid
        }
    }

    public struct ThumbnailRow: Sendable, Equatable {
        public var personId: Int64
        public var jpeg: [UInt8]
        public var createdAt: Date
        public init(personId: Int64, jpeg: [UInt8], createdAt: Date) {
            self.personId = personId; self.jpeg = jpeg; self.createdAt = createdAt
        }
    }

    public struct VisitRow: Sendable, Equatable {
        public var id: Int64
        public var uuid: UUID
        public var personId: Int64
        public var time: Date
        public var kioskId: String
        public var distance: Double?
        public var quality: Double?
        public init(id: Int64, uuid: UUID, personId: Int64, time: Date, kioskId: String, distance: Double?, quality: Double?) {
            self.id = id; self.uuid = uuid; self.personId = personId; self.time = time
            self.kioskId = kioskId; self.distance = distance; self.quality = quality
        }
    }

    public struct SettingRow: Sendable, Equatable {
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    public var people: [PersonRow] = []
    public var preferences: [PreferenceRow] = []
    public var templates: [TemplateRow] = []
    public var thumbnails: [ThumbnailRow] = []
    public var visits: [VisitRow] = []
    public var settings: [SettingRow] = []
    public var auditEvents: [AuditEvent] = []

    public init() {}

    /// A one-line account: "3 people, 9 templates, 12 visits, ...".
    public var summary: String {
        "\(people.count) people, \(templates.count) templates, \(thumbnails.count) thumbnails, \(visits.count) visits, "
            + "\(preferences.count) preferences, \(settings.count) settings, \(auditEvents.count) audit events"
    }

    /// Dates rounded to the millisecond (what the SQLite file keeps), for comparing copies.
    public func roundedToMilliseconds() -> DatabaseSnapshot {
        func r(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000) }
        var copy = self
        copy.people = people.map { var p = $0; p.createdAt = r(p.createdAt); p.consentAt = p.consentAt.map(r); return p }
        copy.templates = templates.map { var t = $0; t.createdAt = r(t.createdAt); return t }
        copy.thumbnails = thumbnails.map { var t = $0; t.createdAt = r(t.createdAt); return t }
        copy.visits = visits.map { var v = $0; v.time = r(v.time); return v }
        copy.auditEvents = auditEvents.map { var a = $0; a.time = r(a.time); return a }
        return copy
    }
}
