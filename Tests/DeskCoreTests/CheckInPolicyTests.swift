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

}
