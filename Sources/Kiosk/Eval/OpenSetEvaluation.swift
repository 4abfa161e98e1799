import DeskCore
import Foundation
import Store
import Vision

/// Identification as the desk lives it: a gallery of enrolled regulars, probes of those
/// regulars and of strangers, each probe decided by the check-in rule. Pure (embeddings
/// in, counts out) so tests can drive it without photos.
struct OpenSetEvaluation {
    /// One person's photos, in file order: the embedding of each photo's largest face
    /// (nil: no face), and the enrollment template (jittered, when asked) for each photo.
    struct Person {
        let name: String
        let probes: [Embedding?]
        let templates: [Embedding?]
        /// Probes whose capture burst's frames disagreed: the desk asks rather than greets.
        let unsure: [Bool]

        init(name: String, probes: [Embedding?], templates: [Embedding?]? = nil, unsure: [Bool]? = nil) {
            self.name = name
            self.probes = probes
            self.templates = templates ?? probes
            self.unsure = unsure ?? probes.map { _ in false }
        }
    }

    /// Who is a regular and how they are enrolled: people with at least `minimumPhotos`
    /// photos are enrolled from their first `enrollPhotos` and probed with the photos
    /// from index `minimumPhotos - 1` on (so, for a fixed `minimumPhotos`, runs with
    /// different `enrollPhotos` probe the same photos). Everyone else walks up as a
    /// stranger with all of their photos.
    struct Split: Equatable {
        var enrollPhotos = 1
        var minimumPhotos = 2
    }

    /// What happened to the probes under one rule.
    struct Outcomes: Equatable, Encodable {
        var regular_probes = 0
        var stranger_probes = 0
        var regulars_without_face = 0
        var strangers_without_face = 0
        /// Regulars greeted by their own name.
        var regulars_greeted_correctly = 0
        /// Regulars greeted by someone else's name.
        var regulars_greeted_as_someone_else = 0
        /// Regulars asked "Are you X?", X being them or someone else.
        var regulars_asked_right_name = 0
        var regulars_asked_wrong_name = 0
        /// Regulars offered enrollment as if new.
        var regulars_treated_as_new = 0
        var strangers_greeted = 0
        var strangers_asked = 0
        var strangers_treated_as_new = 0

        /// Someone greeted by another person's name: the error a desk must not make.
        var wrong_person_greetings: Int { regulars_greeted_as_someone_else + strangers_greeted }
        var regulars_asked: Int { regulars_asked_right_name + regulars_asked_wrong_name }

        /// Counted over probes with a face.
        var regularsWithFace: Int { regular_probes - regulars_without_face }
        var strangersWithFace: Int { stranger_probes - strangers_without_face }

        mutating func count(regular: Bool, truth: Int64?, verdict: CheckInVerdict) {
            switch verdict {
            case .returning(let match):
                if !regular { strangers_greeted += 1 }
                else if match.personId == truth { regulars_greeted_correctly += 1 }
                else { regulars_greeted_as_someone_else += 1 }
            case .ambiguous(let match):
                if !regular { strangers_asked += 1 }
                else if match.personId == truth { regulars_asked_right_name += 1 }
                else { regulars_asked_wrong_name += 1 }
            case .unknown:
                if regular { regulars_treated_as_new += 1 } else { strangers_treated_as_new += 1 }
            case .noFace, .poorQuality:
                if regular { regulars_without_face += 1 } else { strangers_without_face += 1 }
            }
        }
    }

    struct Probe {
        let truth: Int64?
        let identification: Identification?
        let hasFace: Bool
        let unsure: Bool
        /// Whose photo it is and which of their photos (index into `people`, file order).
        let person: Int
        let photo: Int
    }

    let gallery: Gallery
    let probes: [Probe]
    let enrolledPeople: Int
    /// Regulars whose enrollment photos had no face at all (neither enrolled nor probed).
    let notEnrolled: Int

    init(people: [Person], split rule: Split) {
        var gallery = Gallery()
        var pending: [(truth: Int64?, embedding: Embedding?, unsure: Bool, person: Int, photo: Int)] = []
        var notEnrolled = 0
        for (index, person) in people.enumerated() {
            let id = Int64(index)
            if person.probes.count >= rule.minimumPhotos {
                let templates = person.templates.prefix(rule.enrollPhotos).compactMap { $0 }
                guard !templates.isEmpty else { notEnrolled += 1; continue }
                gallery.add(person: Store.Person(id: id, name: person.name, createdAt: Date(timeIntervalSince1970: 0), consentAt: nil, consentVersion: nil),
                            embeddings: templates)
                pending += zip(person.probes, person.unsure).enumerated().dropFirst(rule.minimumPhotos - 1).map {
                    (truth: id, embedding: $1.0, unsure: $1.1, person: index, photo: $0)
                }
            } else {
                pending += zip(person.probes, person.unsure).enumerated().map {
                    (truth: nil, embedding: $1.0, unsure: $1.1, person: index, photo: $0)
                }
            }
        }
        self.gallery = gallery
        self.enrolledPeople = gallery.personCount
        self.notEnrolled = notEnrolled
        // The search is done once; every rule below reuses its answers.
        self.probes = pending.map { probe in
            Probe(truth: probe.truth, identification: probe.embedding.flatMap { gallery.identify($0) }, hasFace: probe.embedding != nil,
                  unsure: probe.unsure, person: probe.person, photo: probe.photo)
        }
    }

    /// Rank-1: the closest enrolled person is the right one (regular probes with a face).
    var rank1: (correct: Int, of: Int) {
        let regulars = probes.filter { $0.truth != nil && $0.hasFace }
        return (regulars.filter { $0.identification?.personId == $0.truth }.count, regulars.count)
    }

    func outcomes(policy: CheckInPolicy) -> Outcomes {
        var result = Outcomes()
        for probe in probes {
            let regular = probe.truth != nil
            if regular { result.regular_probes += 1 } else { result.stranger_probes += 1 }
            // Quality checks aside: these are photos, the desk's capture checks do not apply.
            var verdict: CheckInVerdict = probe.hasFace ? policy.decide(identification: probe.identification) : .noFace
            if probe.unsure, case .returning(let match) = verdict { verdict = .ambiguous(match) }
            result.count(regular: regular, truth: probe.truth, verdict: verdict)
        }
        return result
    }

    /// Probes greeted by someone else's name under `policy`: whose photo, greeted as whom,
    /// at what distance. A handful at most; each one is worth looking at.
    func wrongGreetings(policy: CheckInPolicy) -> [(probe: Probe, greetedAs: Int64, distance: Double)] {
        probes.compactMap { probe in
            guard probe.hasFace, !probe.unsure, case .returning(let match) = policy.decide(identification: probe.identification),
                  match.personId != probe.truth else { return nil }
            return (probe, match.personId, match.distance)
        }
    }

    /// One row of the threshold curve.
    struct CurvePoint: Encodable {
        let threshold: Double
        let ask_threshold: Double
        let outcomes: Outcomes
    }

    /// Outcomes as the greeting threshold moves (no asking band, margin kept), and as the
    /// asking band widens above the configured greeting threshold.
    func curves(policy: CheckInPolicy, thresholds: [Double], askThresholds: [Double]) -> (greeting: [CurvePoint], asking: [CurvePoint]) {
        let greeting = thresholds.map { t in
            CurvePoint(threshold: t, ask_threshold: t, outcomes: outcomes(policy: CheckInPolicy(threshold: t, margin: policy.margin)))
        }
        let asking = askThresholds.filter { $0 >= policy.threshold }.map { a in
            CurvePoint(threshold: policy.threshold, ask_threshold: a,
                       outcomes: outcomes(policy: CheckInPolicy(threshold: policy.threshold, margin: policy.margin, askThreshold: a)))
        }
        return (greeting, asking)
    }
}
