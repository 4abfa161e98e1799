import Foundation
import Testing
import Vision

/// End-to-end: the real `kiosk` binary on real photos.
@Suite("kiosk CLI", .serialized)
struct CLITests {
    struct EncodedImage: Decodable {
        struct Face: Decodable {
            let box: [Int]
            let landmarks: [[Int]]
            let embedding: [Float]
        }
        let image: String
        let faces: [Face]?
        let error: String?
    }

    @Test func encodeJSONFollowsTheContract() throws {
        let run = try KioskBinary.run(["encode", "--json", KioskBinary.sample("obama.jpg"), KioskBinary.sample("32bit.png")])
        #expect(run.status == 0, "\(run.stderr)")
        let images = try JSONDecoder().decode([EncodedImage].self, from: Data(run.stdout.utf8))
        #expect(images.map(\.image) == [KioskBinary.sample("obama.jpg"), KioskBinary.sample("32bit.png")])
        let face = try #require(images[0].faces?.first)
        #expect(face.box == [142, 617, 409, 349])
        #expect(face.landmarks.count == 5)
        #expect(face.landmarks[4] == [496, 295])
        #expect(face.embedding.count == 128)
        #expect(images[1].faces?.first?.box[0] == 290)
    }

    @Test func badFilesAreNamedAndTheOthersStillProcessed() throws {
        let text = NSTemporaryDirectory() + "kiosk-cli-\(UUID().uuidString).jpg"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        defer { try? FileManager.default.removeItem(atPath: text) }
        let missing = "/nonexistent/visitor.jpg"
        let run = try KioskBinary.run(["encode", "--json", missing, text, KioskBinary.sample("biden.jpg")])
        #expect(run.status == 1)
        #expect(run.stderr.contains(missing))
        #expect(run.stderr.contains(text))
        let images = try JSONDecoder().decode([EncodedImage].self, from: Data(run.stdout.utf8))
        #expect(images.count == 3)
        #expect(images[0].error != nil && images[1].error != nil)
        #expect(images[2].faces?.count == 1)
    }

    @Test func missingModelsExitWithCode3AndTheFix() throws {
        let empty = NSTemporaryDirectory() + "kiosk-empty-models-\(UUID().uuidString)"
        let run = try KioskBinary.run(["encode", "--models", empty, KioskBinary.sample("obama.jpg")])
        #expect(run.status == 3)
        #expect(run.stderr.contains(empty + "/shape_predictor_5_face_landmarks.dat"))
        #expect(run.stderr.contains("scripts/setup"))
        let doctor = try KioskBinary.run(["doctor"], environment: ["KIOSK_MODELS": empty])
        #expect(doctor.status == 3)
        #expect(doctor.stdout.contains("FAIL"))
    }

    @Test func compareSaysSameAndDifferent() throws {
        let same = try KioskBinary.run(["compare", KioskBinary.sample("obama.jpg"), KioskBinary.sample("obama2.jpg")])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("same person"))
        let different = try KioskBinary.run(["compare", "--json", KioskBinary.sample("obama.jpg"), KioskBinary.sample("biden.jpg")])
        #expect(different.status == 0)
        struct Result: Decodable { let distance: Double; let tolerance: Double; let same_person: Bool }
        let result = try JSONDecoder().decode(Result.self, from: Data(different.stdout.utf8))
        #expect(!result.same_person)
        #expect(result.distance > 0.6)
        #expect(result.tolerance == 0.55)
    }

    @Test func compareWithoutAFaceFails() throws {
        let run = try KioskBinary.run(["compare", KioskBinary.sample("obama.jpg"), "/nonexistent/b.jpg"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("/nonexistent/b.jpg"))
    }

    @Test func doctorIsGreenAfterSetup() throws {
        let run = try KioskBinary.run(["doctor"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("SHA-256 matches"))
        #expect(run.stdout.contains("OpenBLAS"))
    }

    @Test func usageErrorsExitWith2() throws {
        #expect(try KioskBinary.run(["encode"]).status == 2)
        #expect(try KioskBinary.run(["encode", "--upsample", "9", "x.jpg"]).status == 2)
        #expect(try KioskBinary.run(["no-such-command"]).status == 2)
    }

    /// Paths and numbers given to `kiosk eval`'s video and burst options: a missing
    /// folder is named, out-of-range values are refused before any work.
    @Test func evalRefusesAMissingFramesFolderAndBadBurstValues() throws {
        let missing = NSTemporaryDirectory() + "kiosk-no-frames-\(UUID().uuidString)"
        let run = try KioskBinary.run(["eval", "--frames", missing])
        #expect(run.status == 1)
        #expect(run.stderr.contains(missing), "\(run.stderr)")
        for arguments in [["--frames", missing, "--burst", "0"], ["--frames", missing, "--frame-step", "0"],
                          ["--gallery", missing, "--burst", "11"], ["--pairs", missing, "--root", missing, "--burst", "3"]] {
            let refused = try KioskBinary.run(["eval"] + arguments)
            #expect(refused.status != 0 && refused.status != 1, "\(arguments): \(refused.status) \(refused.stderr)")
            #expect(refused.stderr.contains("--burst") || refused.stderr.contains("--frame-step"), "\(arguments): \(refused.stderr)")
        }
    }
}
