import Foundation
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

/// The decision rule, from the configuration (`recognition.threshold`, `recognition.margin`,
/// `recognition.ask_threshold`). Three bands of distance to the closest enrolled person:
///
///     0 ........ threshold ........ askThreshold ........
///       greet (if clear)    ask "Are you X?"     new visitor
///
/// A clear match is one whose runner-up (another person) is at least `margin` further
/// away; otherwise the desk asks. Asking costs the visitor one key press; greeting the
/// wrong person shows them someone else's name and preferences, so the greeting band is
/// kept where wrong greetings were not seen in measurement, and the asking band catches
/// most of the regulars just beyond it.
public struct CheckInPolicy: Equatable, Sendable {
    public var threshold: Double
    public var margin: Double
    /// Up to this distance the closest person is asked about rather than treated as new.
    /// Never below `threshold` (equal: no asking band).
    public var askThreshold: Double

    public init(threshold: Double, margin: Double, askThreshold: Double? = nil) {
        self.threshold = threshold
        self.margin = margin
        self.askThreshold = max(threshold, askThreshold ?? threshold)
    }

    /// - Parameters:
    ///   - quality: of the largest face, or nil when there is no face.
    ///   - identification: the gallery's answer for that face (nil: nobody enrolled).
    public func decide(quality: FaceQuality?, identification: Identification?) -> CheckInVerdict {
        guard let quality else { return .noFace }
        if let problem = quality.problem { return .poorQuality(problem) }
        return decide(identification: identification)
    }

    /// The recognition part alone, for a face that passed the quality checks.
    public func decide(identification: Identification?) -> CheckInVerdict {
        guard let identification, identification.distance <= askThreshold else {
            return .unknown(closestDistance: identification?.distance)
        }
        if identification.distance > threshold { return .ambiguous(identification) }
        if let runnerUp = identification.runnerUp, runnerUp.distance - identification.distance < margin {
            return .ambiguous(identification)
        }
        return .returning(identification)
    }
}

/// How the rule holds up as the gallery grows. A stranger is compared with every enrolled
/// template, so the chance that some template lies within the greeting distance grows
/// with their number even though each comparison's chance stays the same.
extension CheckInPolicy {
    /// Share of pairs of photos of two different people at most `distance` apart, measured
    /// on lfw-dev (all 7,255,541 different-person pairs among its 3,811 photos, dlib's
    /// ResNet descriptor, largest face). Below 0.375 the rate stops falling: the few pairs
    /// left are near-duplicate photos filed under two names.
    static let impostorPairRates: [(distance: Double, rate: Double)] = [
        (0.300, 6.89e-7), (0.350, 9.65e-7), (0.375, 1.10e-6), (0.400, 5.79e-6), (0.425, 1.45e-5),
        (0.450, 3.87e-5), (0.500, 2.24e-4), (0.550, 1.11e-3), (0.600, 5.58e-3), (0.650, 2.47e-2),
    ]

    /// The measured rate at `distance`, interpolated on a log scale between measured points.
    public static func impostorPairRate(atDistance distance: Double) -> Double {
        let table = impostorPairRates
        if distance <= table[0].distance { return table[0].rate }
        guard let upper = table.firstIndex(where: { $0.distance >= distance }) else { return table[table.count - 1].rate }
        let a = table[upper - 1], b = table[upper]
        let f = (distance - a.distance) / (b.distance - a.distance)
        return exp(log(a.rate) + f * (log(b.rate) - log(a.rate)))
    }

    /// Chance that a stranger's face lies within `distance` of at least one of `templates`
    /// enrolled templates (before the margin check, which removes part of these).
    public static func strangerChance(within distance: Double, templates: Int) -> Double {
        1 - pow(1 - impostorPairRate(atDistance: distance), Double(max(0, templates)))
    }

    /// The most templates for which a stranger comes within the greeting distance with a
    /// chance of at most `limit`; beyond it, the threshold should come down.
    public func largestSafeGallery(limit: Double = 0.01) -> Int {
        Int((log(1 - limit) / log(1 - Self.impostorPairRate(atDistance: threshold))).rounded(.down))
    }
}
