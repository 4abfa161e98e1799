import Foundation
import Store
import Vision

/// The person a decision is about, as stored at the moment of the decision.
public struct VisitorCard: Sendable {
    public var personId: Int64
    public var name: String
    public var preferences: [(key: String, value: String)]
    /// What the visit would be if committed now (number, previous visit, counted or not).
    public var preview: VisitRecording
    public var thumbnailJPEG: [UInt8]?
    /// For an ambiguous match: the other person who is nearly as close.
    public var runnerUpName: String?
}

/// What the front desk decided about one captured picture. Nothing is written until
/// `FrontDesk.commit(_:)`: the TUI shows the greeting from this, the CLI prints it.
public struct CheckInDecision: Sendable {
    public var verdict: CheckInVerdict
    /// Faces in the picture (the largest is the one decided on).
    public var faceCount: Int
    public var face: Face?
    public var quality: FaceQuality?
    /// Which frame of a burst `face`'s box belongs to (0 for a single picture).
    public var frame = 0
    /// The matched person, for `.returning` and `.ambiguous`.
    public var visitor: VisitorCard?
    /// The visit to write: for `.returning`, and for `.ambiguous` once the visitor
    /// confirms ("Are you X?" - yes). Nothing is learned from an ambiguous match.
    public var visit: VisitCommit?
}

/// What became of a visit handed to `FrontDesk.commit(_:)`.
public enum CommitOutcome: Sendable, Equatable {
    /// Written now (or found already written).
    case written(CommittedVisit)
    /// The database refused it for now; it waits in the pending queue and is written later.
    case queued(reason: String)
    /// The person was erased meanwhile: nothing to record.
    case personGone
    /// Neither the database nor the queue took it (both failing): the visit is lost.
    case lost(reason: String)
}
