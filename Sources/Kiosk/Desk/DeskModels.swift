import Foundation
import Store
import Vision

/// What the greeting shows for a returning visitor.
struct Greeting: Equatable {
    var personId: Int64
    var name: String
    /// The visit number this check-in makes (not counted again within the cooldown).
    var visitNumber: Int
    var lastVisit: Date?
    var preferences: [EnrollmentForm.Preference]
    var distance: Double?
    var thumbnail: Image?
    /// False when the person checked in moments ago: greet, but do not count again.
    var countsAsNewVisit: Bool
    /// True for the greeting right after enrollment (the visit is already recorded).
    var justEnrolled = false
    /// The visit this greeting writes (nil right after enrollment: that one is written with the person).
    var visit: VisitCommit?
}

/// What recognition found for a capture, as the state machine needs it.
enum Recognition: Equatable {
    case returning(Greeting)
    case ambiguous(Greeting, runnerUpName: String)
    case unknown
    case noFace
    case poorQuality(FaceQuality.Problem)
}

/// A short message over the live preview ("No face found", ...), until a moment.
struct Notice: Equatable {
    enum Tone: Equatable { case info, warning, success }
    var text: String
    var tone: Tone
    var until: Double
}
