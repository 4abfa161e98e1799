import DeskCore
import Testing
import Vision
@testable import Kiosk

@Suite("Evaluation: pairs file and metrics")
struct EvalMetricsTests {
    @Test func parsesTheLFWFormat() throws {
        let file = try PairsFile.parse("2\t1\nAnn\t1\t2\nAnn\t1\tBob\t3\nCid\t2\t10\nCid\t1\tDee\t12\n", root: "/r")
        #expect(file.folds == 2)
        #expect(file.pairs.count == 4)
        #expect(file.pairs[0] == .init(first: "/r/Ann/Ann_0001.jpg", second: "/r/Ann/Ann_0002.jpg", samePerson: true, fold: 0))
        #expect(file.pairs[1] == .init(first: "/r/Ann/Ann_0001.jpg", second: "/r/Bob/Bob_0003.jpg", samePerson: false, fold: 0))
        #expect(file.pairs[2].second == "/r/Cid/Cid_0010.jpg")
        #expect(file.pairs[3].fold == 1)
    }

    @Test(arguments: [
        ("", "empty"),
        ("x y\nAnn 1 2\n", "header"),
        ("1 1\nAnn 1 2\n", "announces 2 pairs"),
        ("1 1\nAnn 1 Bob 2\nAnn 1 2\n", "same-person pair was expected"),
        ("1 1\nAnn one 2\nAnn 1 Bob 2\n", "expected Name i j"),
    ])
    func rejectsMalformedFiles(text: String, expected: String) {
        do {
            _ = try PairsFile.parse(text, root: "/r")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    typealias S = VerificationMetrics.Scored

    @Test func accuracyAndNoFacePairs() {
        let metrics = VerificationMetrics(pairs: [
            S(distance: 0.3, samePerson: true, fold: 0), S(distance: .infinity, samePerson: true, fold: 0),
            S(distance: 0.8, samePerson: false, fold: 0), S(distance: 0.5, samePerson: false, fold: 0),
        ])
        // 0.3 same ✓, no-face same ✗, 0.8 different ✓, 0.5 different ✗ at 0.6.
        #expect(metrics.accuracy(threshold: 0.6) == 0.5)
        #expect(metrics.accuracy(threshold: 0.4) == 0.75)
    }

    @Test func tenFoldPicksThresholdsOnTheOtherFolds() {
        // Perfectly separable at any threshold in (0.5, 0.7): every fold scores 100%.
        var pairs: [S] = []
        for fold in 0..<10 {
            pairs.append(S(distance: 0.4 + Double(fold) * 0.01, samePerson: true, fold: fold))
            pairs.append(S(distance: 0.7 + Double(fold) * 0.01, samePerson: false, fold: fold))
        }
        let result = VerificationMetrics(pairs: pairs).tenFold()
        #expect(result.folds == 10)
        #expect(result.accuracyMean == 1)
        #expect(result.accuracyStd == 0)
        #expect(result.thresholdMean > 0.49 && result.thresholdMean < 0.7)
    }

    @Test func tarAtFARUsesTheImpostorQuantile() {
        var pairs: [S] = (0..<100).map { S(distance: 0.5 + Double($0) * 0.005, samePerson: false, fold: 0) }
        pairs += [0.3, 0.45, 0.502, 0.51, 0.9].map { S(distance: $0, samePerson: true, fold: 0) }
        let metrics = VerificationMetrics(pairs: pairs)
        // FAR 1e-2 allows 1 of 100 impostors: threshold just under the 2nd smallest (0.505).
        let far2 = metrics.tar(atFAR: 1e-2)
        #expect(far2.allowedFalseAccepts == 1)
        #expect(far2.tar == 3.0 / 5.0)
        // FAR 1e-3 cannot be resolved with 100 impostors: nothing below the smallest may pass.
        let far3 = metrics.tar(atFAR: 1e-3)
        #expect(far3.allowedFalseAccepts == 0)
        #expect(far3.tar == 2.0 / 5.0)
    }

    @Test func protocolUsesTheFoldsOfTheHeader() throws {
        // A "5 1" header: five folds of one same and one different pair; the protocol runs
        // over those five folds, not ten.
        var text = "5\t1\n"
        for fold in 0..<5 { text += "P\(fold)\t1\t2\nP\(fold)\t1\tQ\(fold)\t1\n" }
        let file = try PairsFile.parse(text, root: "/r")
        let scored = file.pairs.map { S(distance: $0.samePerson ? 0.4 : 0.8, samePerson: $0.samePerson, fold: $0.fold) }
        let result = VerificationMetrics(pairs: scored).tenFold()
        #expect(result.folds == 5)
        #expect(result.accuracyMean == 1)
    }

    // Open-set identification on hand-placed embeddings: A and B are far apart (2.83);
    // distances to a person are set by an offset along an axis of its own.
    static func point(_ person: Int, offset: Float = 0, axis: Int = 100) -> Embedding {
        var values = [Float](repeating: 0, count: 128)
        values[person] = 2
        values[axis] += offset
        return Embedding(values)
    }

    static let people: [OpenSetEvaluation.Person] = [
        // A: enrolled from photo 0; photo 1 at 0.3; photo 2 has no face.
        .init(name: "A", probes: [point(0), point(0, offset: 0.3, axis: 100), nil]),
        // B: enrolled from photo 0; photo 1 at 0.5.
        .init(name: "B", probes: [point(1), point(1, offset: 0.5, axis: 101)]),
        // C: one photo, a stranger who looks like A (0.4 away).
        .init(name: "C", probes: [point(0, offset: 0.4, axis: 102)]),
    ]

    @Test func openSetCountsEveryOutcomeOfTheRule() {
        let evaluation = OpenSetEvaluation(people: Self.people, split: .init(enrollPhotos: 1, minimumPhotos: 2))
        #expect(evaluation.enrolledPeople == 2)
        let o = evaluation.outcomes(policy: CheckInPolicy(threshold: 0.35, margin: 0.05, askThreshold: 0.45))
        #expect(o.regular_probes == 3 && o.stranger_probes == 1)
        #expect(o.regulars_greeted_correctly == 1)   // A at 0.3
        #expect(o.regulars_without_face == 1)        // A's photo 2
        #expect(o.regulars_treated_as_new == 1)      // B at 0.5
        #expect(o.strangers_asked == 1)              // C, 0.4 from A: in the asking band
        #expect(o.wrong_person_greetings == 0)
        // A wider greeting band greets the stranger as A: a wrong-person greeting.
        let loose = evaluation.outcomes(policy: CheckInPolicy(threshold: 0.42, margin: 0.05))
        #expect(loose.strangers_greeted == 1 && loose.wrong_person_greetings == 1)
        #expect(evaluation.rank1.correct == 2 && evaluation.rank1.of == 2)
    }

    @Test func openSetEnrollsFromSeveralPhotosAndProbesTheSamePhotos() {
        // Regulars need 3 photos: only A; B and C walk up as strangers with all their photos.
        let one = OpenSetEvaluation(people: Self.people, split: .init(enrollPhotos: 1, minimumPhotos: 3))
        let two = OpenSetEvaluation(people: Self.people, split: .init(enrollPhotos: 2, minimumPhotos: 3))
        for evaluation in [one, two] {
            #expect(evaluation.enrolledPeople == 1)
            let o = evaluation.outcomes(policy: CheckInPolicy(threshold: 0.35, margin: 0.05))
            #expect(o.regular_probes == 1 && o.regulars_without_face == 1)  // A's photo 2 in both runs
            #expect(o.stranger_probes == 3)
        }
        #expect(one.gallery.templateCount == 1)
        #expect(two.gallery.templateCount == 2)
    }

    @Test func openSetUsesTheEnrollmentTemplatesGiven() {
        // B's jittered template is what the gallery holds: its probe is now 0.1 away, not 0.5.
        var people = Self.people
        people[1] = .init(name: "B", probes: people[1].probes, templates: [Self.point(1, offset: 0.4, axis: 101), nil])
        let evaluation = OpenSetEvaluation(people: people, split: .init(enrollPhotos: 1, minimumPhotos: 2))
        let o = evaluation.outcomes(policy: CheckInPolicy(threshold: 0.35, margin: 0.05))
        #expect(o.regulars_greeted_correctly == 2)
    }

    @Test func aRegularWithoutAnEnrollmentFaceIsLeftOut() {
        let people: [OpenSetEvaluation.Person] = [.init(name: "A", probes: [nil, Self.point(0)]), Self.people[1]]
        let evaluation = OpenSetEvaluation(people: people, split: .init(enrollPhotos: 1, minimumPhotos: 2))
        #expect(evaluation.enrolledPeople == 1 && evaluation.notEnrolled == 1)
        #expect(evaluation.outcomes(policy: CheckInPolicy(threshold: 0.35, margin: 0.05)).regular_probes == 1)
    }

    @Test func aProbeWhoseBurstDisagreedIsAskedNotGreeted() {
        var people = Self.people
        people[0] = .init(name: "A", probes: people[0].probes, unsure: [false, true, false])
        let evaluation = OpenSetEvaluation(people: people, split: .init(enrollPhotos: 1, minimumPhotos: 2))
        let o = evaluation.outcomes(policy: CheckInPolicy(threshold: 0.35, margin: 0.05, askThreshold: 0.45))
        #expect(o.regulars_greeted_correctly == 0)
        #expect(o.regulars_asked_right_name == 1)
    }

    @Test func aVideoIsCutIntoBurstsAndTheirNeighboursCompared() throws {
        // A face drifting by 0.1 per frame, one frame without a face, one frame left over.
        let drift = (0..<6).map { Self.point(0, offset: 0.1 * Float($0), axis: 100) }
        let frames: [Embedding?] = drift.prefix(3).map { $0 } + [nil] + drift.suffix(2).map { $0 } + [Self.point(0)]
        let report = FrameSequenceEvaluation.evaluate(frames, burst: 3)
        #expect(report.frames == 7 && report.frames_with_face == 6)
        #expect(report.bursts == 2 && report.bursts_with_face == 2)
        #expect(report.bursts_disagreed == 0 && report.frames_left_out == 0)
        #expect(report.neighbour_pairs == 1)
        // First frames 0.0 and 0.4 apart; the fused means (0.1 and 0.45) 0.35 apart.
        let single = try #require(report.single_frame_distance_p50)
        let fused = try #require(report.fused_distance_p50)
        #expect(fused < single)
        // A burst mixing the two people leaves the odd frame out.
        let mixed = FrameSequenceEvaluation.evaluate([Self.point(0), Self.point(1), Self.point(0)], burst: 3)
        #expect(mixed.bursts_disagreed == 1 && mixed.frames_left_out == 1)
        #expect(FrameSequenceEvaluation.evaluate([Self.point(0)], burst: 3).bursts == 0)
    }

    @Test func burstFramesRepeatForAPhotoAndDifferFromEachOther() throws {
        var pixels = [UInt8](repeating: 0, count: 250 * 250 * 3)
        for i in pixels.indices { pixels[i] = UInt8((i * 7 + i / 750) % 251) }
        let photo = Image(width: 250, height: 250, pixels: pixels)
        let a = try BurstFrames.make(from: photo, count: 3, seed: EvalCommand.seed("x/y.jpg"))
        let b = try BurstFrames.make(from: photo, count: 3, seed: EvalCommand.seed("x/y.jpg"))
        #expect(a.map(\.pixels) == b.map(\.pixels))
        #expect(a.allSatisfy { $0.width == 640 && $0.height == 480 })
        #expect(a[0].pixels != a[1].pixels && a[1].pixels != a[2].pixels)
        #expect(EvalCommand.seed("x/y.jpg") != EvalCommand.seed("x/z.jpg"))
    }
}
