import Testing
@testable import Kiosk
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

    @Test func ordinalsAndRelativeDates() {
        #expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(Ordinal.text)
            == ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"])
        let now = DateText.parse("2026-11-29 12:00")!
        #expect(DateText.relative(DateText.parse("2026-11-25 12:00")!, now: now) == "4 days ago")
        #expect(DateText.relative(now.addingTimeInterval(-30), now: now) == "just now")
        #expect(DateText.parse("not a date") == nil)
        #expect(DateText.parse("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
    }

    @Test func csvAndTableFormatting() {
        #expect(CSV.line(["plain", "a,b", "say \"hi\"", "two\nlines"]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"")
        var table = TextTable(headers: ["NAME", "N"])
        table.add(["李小龍", "1"])
        table.add(["Zoë", "2"])
        let lines = table.render().split(separator: "\n").map(String.init)
        // The second column starts at the same terminal cell on every line.
        let columns = lines.map { line -> Int in DisplayWidth.of(String(line[..<line.lastIndex(of: " ")!])) }
        #expect(Set(columns).count == 1)
    }
}
