import Store
import Vision

/// The front-desk verdict for one captured face, before anything is written.
/// Pure: the CLI's `checkin` and the TUI both use it, and tests drive every path.
public enum CheckInVerdict: Equatable, Sendable {
    /// A clear match: greet this person.
    case returning(Identification)
    /// Nobody enrolled is close enough: offer enrollment.
    case unknown(closestDistance: Double?)
    /// The closest person is close enough, but another person is nearly as close: ask.
    case ambiguous(Identification)
    /// No face in the picture.
    case noFace
    /// A face, but not good enough to decide on.
    case poorQuality(FaceQuality.Problem)

    public var status: String {
        switch self {
        case .returning: return "returning"
        case .unknown: return "unknown"
        case .ambiguous: return "ambiguous"
        case .noFace: return "no_face"
        case .poorQuality: return "poor_quality"
        }
    }
}

/// Thresholds from the configuration (`recognition.threshold`, `recognition.margin`).
public struct CheckInPolicy: Equatable, Sendable {
    public var threshold: Double
    public var margin: Double

    public init(threshold: Double, margin: Double) {
        self.threshold = threshold
        self.margin = margin
    }

    /// - Parameters:
    ///   - quality: of the largest face, or nil when there is no face.
    ///   - identification: the gallery's answer for that face (nil: nobody enrolled).
    public func decide(quality: FaceQuality?, identification: Identification?) -> CheckInVerdict {
        guard let quality else { return .noFace }
        if let problem = quality.problem { return .poorQuality(problem) }
        guard let identification, identification.distance <= threshold else {
            return .unknown(closestDistance: identification?.distance)
        }
        if let runnerUp = identification.runnerUp, runnerUp.distance - identification.distance < margin {
            return .ambiguous(identification)
        }
        return .returning(identification)
    }
}
