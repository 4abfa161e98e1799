import Foundation
import Testing
import Vision

/// The CNN (MMOD) detector and the photo plan that falls back to it when HOG finds no face.
@Suite("CNN detector and photo fallback")
struct CNNDetectorTests {
    func requireCNN(_ engine: FaceEngine) throws {
        guard engine.cnnAvailable else {
            Issue.record("mmod_human_face_detector.dat is missing in \(Fixtures.models.directory). Run scripts/setup first.")
            throw VisionError.modelMissing(path: Fixtures.models.directory + "/mmod_human_face_detector.dat")
        }
    }

    /// face_recognition's own test of its CNN detector (test_cnn_raw_face_locations):
    /// one face in obama.jpg, top 144 and bottom 389, each within 25 px. (It upsamples
    /// once; the face is 267 px tall, so upsample 0 finds it too, 4x cheaper.)
    @Test func findsTheFaceFaceRecognitionsTestExpects() async throws {
        let engine = try Fixtures.requireEngine()
        try requireCNN(engine)
        let boxes = try await engine.detectCNN(in: try Fixtures.load("obama.jpg"), upsample: 0)
        #expect(boxes.count == 1)
        #expect(abs((boxes.first?.top ?? 0) - 144) <= 25)
        #expect(abs((boxes.first?.bottom ?? 0) - 389) <= 25)
    }

    @Test func photoPlanUsesHOGWhenHOGFindsTheFace() async throws {
        let engine = try Fixtures.requireEngine()
        let image = try Fixtures.load("obama.jpg")
        var timings = StageTimings()
        let faces = try await engine.faces(in: image, plan: .photo(upsample: 1), timings: &timings)
        #expect(faces.count == 1)
        #expect(timings.detectedBy?.detector == .hog)
        // Same face, same box as face_recognition's search: the fallback changes nothing here.
        #expect(faces.first?.box == (try await engine.faces(in: image, upsample: 1)).first?.box)
    }

    @Test func photoPlanFallsBackToTheCNNWhenHOGFindsNothing() async throws {
        let engine = try Fixtures.requireEngine()
        try requireCNN(engine)
        let small = try Fixtures.load("obama.jpg").halved()
        let image = Self.hogMiss(small)
        #expect(try await engine.detect(in: image, upsample: 1).isEmpty, "HOG should miss the turned face")
        var timings = StageTimings()
        let faces = try await engine.faces(in: image, plan: .photo(upsample: 0), timings: &timings)
        #expect(faces.count == 1)
        #expect(timings.detectedBy?.detector == .cnn)
        // And the embedding is Obama's: close to the upright photo's (the aligner turns
        // the face upright from the landmarks).
        let upright = try #require(try await engine.faces(in: small, upsample: 0).first)
        if let face = faces.first { #expect(face.embedding.distance(to: upright.embedding) < 0.45) }
    }

    @Test func photoPlanReportsNoFaceWhenNeitherFindsOne() async throws {
        let engine = try Fixtures.requireEngine()
        let grey = Image(width: 200, height: 160, pixels: [UInt8](repeating: 120, count: 200 * 160 * 3))
        var timings = StageTimings()
        #expect(try await engine.faces(in: grey, plan: .photo(upsample: 1), timings: &timings).isEmpty)
        #expect(timings.detectedBy == nil)
    }

    /// LFW photos of lfw-dev where HOG (upsample 1) finds no face and the CNN finds one.
    @Test func lfwPhotosHOGMissesAreFoundByTheCNN() async throws {
        guard let shared = Fixtures.sharedFaces else {
            print("skipped: \(Fixtures.sharedFacesMissing)")
            return
        }
        let engine = try Fixtures.requireEngine()
        try requireCNN(engine)
        for name in Self.lfwHOGMisses {
            let path = shared + "/lfw-dev/" + name.split(separator: "_").dropLast().joined(separator: "_") + "/" + name + ".jpg"
            let image = try ImageFile.load(path)
            #expect(try await engine.detect(in: image, upsample: 1).isEmpty, "HOG found a face in \(name)")
            var timings = StageTimings()
            let faces = try await engine.faces(in: image, plan: .photo(upsample: 1), timings: &timings)
            #expect(!faces.isEmpty && timings.detectedBy?.detector == .cnn, "no CNN face in \(name)")
        }
    }

    @Test func jitteredDescriptorIsReproducibleAndNearThePlainOne() async throws {
        let engine = try Fixtures.requireEngine()
        let image = try Fixtures.load("obama.jpg")
        let face = try #require(try await engine.faces(in: image, upsample: 1).first)
        let a = try await engine.embedding(in: image, box: face.box, landmarks: face.landmarks, jitters: 5).embedding
        let b = try await engine.embedding(in: image, box: face.box, landmarks: face.landmarks, jitters: 5).embedding
        #expect(a == b)
        #expect(a != face.embedding)
        #expect(a.distance(to: face.embedding) < 0.2)
    }

    static let lfwHOGMisses = ["Abdoulaye_Wade_0003", "Jane_Fonda_0002", "Morgan_Freeman_0002"]

    /// The photo turned 60 degrees in the image plane: HOG's frontal detector misses the
    /// face (at upsample 0 and 1), the CNN finds it.
    static func hogMiss(_ image: Image) -> Image { rotated(image, degrees: 60) }

    /// Nearest-neighbour rotation about the centre, same size, grey outside.
    static func rotated(_ image: Image, degrees: Double) -> Image {
        let angle = degrees * .pi / 180, c = cos(angle), s = sin(angle)
        let cx = Double(image.width) / 2, cy = Double(image.height) / 2
        var out = [UInt8](repeating: 128, count: image.pixels.count)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let sx = Int((c * dx + s * dy + cx).rounded()), sy = Int((-s * dx + c * dy + cy).rounded())
                guard sx >= 0, sy >= 0, sx < image.width, sy < image.height else { continue }
                let d = (y * image.width + x) * 3, src = (sy * image.width + sx) * 3
                out[d] = image.pixels[src]; out[d + 1] = image.pixels[src + 1]; out[d + 2] = image.pixels[src + 2]
            }
        }
        return Image(width: image.width, height: image.height, pixels: out)
    }
}
