import Testing
@testable import DeskCore
import Store
import Vision

@Suite("Check-in decision")
struct CheckInPolicyTests {
    let policy = CheckInPolicy(threshold: 0.55, margin: 0.06)

    /// A quality verdict from a synthetic face: `pattern` controls the problem found.
    func quality(width: Int = 120, brightness: UInt8 = 128, sharp: Bool = true) -> FaceQuality {
        let side = 200
        var pixels = [UInt8](repeating: brightness, count: side * side * 3)
        if sharp {
            for y in 0..<side { for x in 0..<side where (x / 3 + y / 3) % 2 == 0 {
                let i = (y * side + x) * 3
                let v = UInt8(clamping: Int(brightness) + 40)
                pixels[i] = v; pixels[i + 1] = v; pixels[i + 2] = v
            } }
        }
        let image = Image(width: side, height: side, pixels: pixels)
        return FaceQuality(image: image, box: FaceBox(left: 10, top: 10, right: 10 + width - 1, bottom: 10 + width - 1))
    }

    func match(_ distance: Double, runnerUp: Double? = nil) -> Identification {
        Identification(personId: 1, name: "Priya", distance: distance, runnerUp: runnerUp.map { (personId: 2, distance: $0) })
    }

    @Test func noFace() {
        #expect(policy.decide(quality: nil, identification: nil) == .noFace)
    }

    @Test func poorQualityComesBeforeRecognition() {
        #expect(policy.decide(quality: quality(width: 40), identification: match(0.2)) == .poorQuality(.tooSmall))
        #expect(policy.decide(quality: quality(brightness: 15), identification: match(0.2)) == .poorQuality(.tooDark))
        #expect(policy.decide(quality: quality(sharp: false), identification: match(0.2)) == .poorQuality(.blurry))
    }

    @Test func clearMatchIsReturning() {
        #expect(policy.decide(quality: quality(), identification: match(0.35, runnerUp: 0.8)) == .returning(match(0.35, runnerUp: 0.8)))
        #expect(policy.decide(quality: quality(), identification: match(0.35)) == .returning(match(0.35)))
    }

    @Test func closeRunnerUpIsAmbiguous() {
        #expect(policy.decide(quality: quality(), identification: match(0.40, runnerUp: 0.44)) == .ambiguous(match(0.40, runnerUp: 0.44)))
    }

    @Test func tooFarIsUnknown() {
        #expect(policy.decide(quality: quality(), identification: match(0.58)) == .unknown(closestDistance: 0.58))
        #expect(policy.decide(quality: quality(), identification: nil) == .unknown(closestDistance: nil))
    }

    @Test func thresholdIsInclusive() {
        #expect(policy.decide(quality: quality(), identification: match(0.55)) == .returning(match(0.55)))
    }

    // The asking band: beyond the greeting threshold, up to ask_threshold, the desk asks.
    let banded = CheckInPolicy(threshold: 0.45, margin: 0.05, askThreshold: 0.55)

    @Test func askingBandAsksInsteadOfTreatingAsNew() {
        #expect(banded.decide(quality: quality(), identification: match(0.50, runnerUp: 0.9)) == .ambiguous(match(0.50, runnerUp: 0.9)))
        #expect(banded.decide(quality: quality(), identification: match(0.50)) == .ambiguous(match(0.50)))
    }

    @Test func askingBandEdgesAreInclusive() {
        #expect(banded.decide(quality: quality(), identification: match(0.45)) == .returning(match(0.45)))
        #expect(banded.decide(quality: quality(), identification: match(0.45.nextUp)) == .ambiguous(match(0.45.nextUp)))
        #expect(banded.decide(quality: quality(), identification: match(0.55)) == .ambiguous(match(0.55)))
        #expect(banded.decide(quality: quality(), identification: match(0.55.nextUp)) == .unknown(closestDistance: 0.55.nextUp))
    }

    @Test func marginStillAppliesInsideTheGreetingBand() {
        #expect(banded.decide(quality: quality(), identification: match(0.30, runnerUp: 0.34)) == .ambiguous(match(0.30, runnerUp: 0.34)))
        #expect(banded.decide(quality: quality(), identification: match(0.30, runnerUp: 0.36)) == .returning(match(0.30, runnerUp: 0.36)))
    }

    @Test func askThresholdNeverNarrowsTheGreetingBand() {
        let inverted = CheckInPolicy(threshold: 0.5, margin: 0.05, askThreshold: 0.4)
        #expect(inverted.askThreshold == 0.5)
        #expect(inverted.decide(quality: quality(), identification: match(0.48)) == .returning(match(0.48)))
        #expect(inverted.decide(quality: quality(), identification: match(0.51)) == .unknown(closestDistance: 0.51))
        // Without an asking band given, nothing beyond the threshold is asked about.
        #expect(CheckInPolicy(threshold: 0.5, margin: 0.05).askThreshold == 0.5)
    }

    @Test func poorQualityComesBeforeTheAskingBand() {
        #expect(banded.decide(quality: quality(width: 40), identification: match(0.50)) == .poorQuality(.tooSmall))
    }

    @Test func configuredRuleIsTheDesksRule() {
        var config = KioskConfig()
        config.threshold = 0.42
        config.margin = 0.03
        config.askThreshold = 0.5
        #expect(config.checkInPolicy == CheckInPolicy(threshold: 0.42, margin: 0.03, askThreshold: 0.5))
    }

    @Test func strangerChanceGrowsWithTheGalleryAndTheThreshold() {
        #expect(abs(CheckInPolicy.impostorPairRate(atDistance: 0.55) - 1.11e-3) < 1e-12)
        let between = CheckInPolicy.impostorPairRate(atDistance: 0.525)
        #expect(between > 2.24e-4 && between < 1.11e-3)
        #expect(CheckInPolicy.strangerChance(within: 0.4, templates: 0) == 0)
        let small = CheckInPolicy.strangerChance(within: 0.4, templates: 100)
        let large = CheckInPolicy.strangerChance(within: 0.4, templates: 100_000)
        #expect(small < large && large < 1)
        #expect(CheckInPolicy.strangerChance(within: 0.5, templates: 100) > small)
    }

    @Test func theRuleMustTightenAsTheGalleryGrows() {
        let strict = CheckInPolicy(threshold: 0.375, margin: 0.1).largestSafeGallery()
        let loose = CheckInPolicy(threshold: 0.55, margin: 0.1).largestSafeGallery()
        #expect(loose < strict)
        // At the safe size the chance is within the limit, and beyond it the limit is passed.
        #expect(CheckInPolicy.strangerChance(within: 0.375, templates: strict) <= 0.01)
        #expect(CheckInPolicy.strangerChance(within: 0.375, templates: strict * 2) > 0.01)
    }
}
