import Foundation
import Store
import Vision

/// The largest face of a picture with its quality, and how many faces there were.
struct FaceAnalysis: Sendable {
    var face: Face?
    var quality: FaceQuality?
    var faceCount: Int
}

/// What a check-in did: the verdict, and for a returning visitor what was recorded.
struct CheckInResult: Sendable {
    var verdict: CheckInVerdict
    var faceCount: Int
    var recording: VisitRecording?
    var preferences: [(key: String, value: String)] = []
}

/// The front desk's work on the face engine, the gallery and the database, shared by
/// the CLI and the TUI. An actor: the gallery changes as people enroll and are erased.
actor FrontDesk {
    let engine: FaceEngine
    let database: AppDatabase
    let config: KioskConfig
    private(set) var gallery: Gallery

    init(engine: FaceEngine, database: AppDatabase, config: KioskConfig) throws(StoreError) {
        self.engine = engine
        self.database = database
        self.config = config
        self.gallery = try database.loadGallery()
    }

    var policy: CheckInPolicy { CheckInPolicy(threshold: config.threshold, margin: config.margin) }

    func analyze(_ image: Image) async throws(VisionError) -> FaceAnalysis {
        let faces = try await engine.faces(in: image, plan: config.cameraDetectionPlan)
        guard let largest = faces.first else { return FaceAnalysis(face: nil, quality: nil, faceCount: 0) }
        return FaceAnalysis(face: largest, quality: FaceQuality(image: image, box: largest.box), faceCount: faces.count)
    }

    func identify(_ embedding: Embedding) -> Identification? { gallery.identify(embedding) }

    func name(of personId: Int64) -> String? { gallery.names[personId] }

    /// The front-desk verdict for a picture, nothing written: the CLI's check-in and the
    /// TUI's capture both start here.
    func decide(_ image: Image) async throws(VisionError) -> (analysis: FaceAnalysis, verdict: CheckInVerdict) {
        let analysis = try await analyze(image)
        let identification = analysis.face.flatMap { gallery.identify($0.embedding) }
        return (analysis, policy.decide(quality: analysis.quality, identification: identification))
    }

    /// Decides, and for a returning visitor records the visit (subject to the cooldown).
    func checkIn(_ image: Image, now: Date = Date()) async throws -> CheckInResult {
        let (analysis, verdict) = try await decide(image)
        var result = CheckInResult(verdict: verdict, faceCount: analysis.faceCount)
        if case .returning(let match) = verdict {
            result.recording = try database.recordVisit(
                personId: match.personId, kioskId: config.kioskId, distance: match.distance,
                quality: analysis.quality?.score, cooldown: TimeInterval(config.cooldownMinutes * 60), now: now)
            result.preferences = try database.preferences(personId: match.personId)
            if let face = analysis.face, let quality = analysis.quality, result.recording?.counted == true {
                learn(personId: match.personId, embedding: face.embedding, distance: match.distance, quality: quality)
            }
        }
        return result
    }

    /// A match this close, on a good picture, becomes an extra template of the person
    /// (at most 5 per person, the oldest replaced), so recognition follows a face that
    /// changes. Closer than `learnBelow` but not a near copy of a stored template.
    static let learnBelow = 0.4
    static let alreadyKnownBelow = 0.15

    /// Records what a confident check-in teaches; reloads the person's templates in the gallery.
    func learn(personId: Int64, embedding: Embedding, distance: Double, quality: FaceQuality) {
        guard distance < Self.learnBelow, distance > Self.alreadyKnownBelow, quality.problem == nil else { return }
        guard (try? database.addMatchTemplate(personId: personId, embedding: embedding, quality: quality.score)) == true else { return }
        // Only this person's rows change in the gallery.
        guard let embeddings = try? database.embeddings(personId: personId), let name = gallery.names[personId] else { return }
        gallery.remove(personId: personId)
        gallery.add(person: Person(id: personId, name: name, createdAt: Date(), consentAt: nil, consentVersion: nil), embeddings: embeddings)
    }

    /// Stores a person and adds them to the gallery at once.
    func enroll(_ enrollment: Enrollment, now: Date = Date()) throws(StoreError) -> Person {
        let person = try database.enroll(enrollment, now: now)
        gallery.add(person: person, embeddings: enrollment.templates.map(\.embedding))
        return person
    }

    func forget(personId: Int64) throws(StoreError) {
        try database.forget(personId: personId)
        gallery.remove(personId: personId)
    }

    /// A JPEG of the aligned face chip, for the person's thumbnail (nil when disabled).
    func thumbnail(of face: Face, in image: Image) async throws -> [UInt8]? {
        guard config.thumbnails else { return nil }
        let chip = try await engine.embedding(in: image, box: face.box, landmarks: face.landmarks, wantChip: true).chip
        return try chip.map { try JPEGEncoder.encode($0, quality: 85) }
    }
}
