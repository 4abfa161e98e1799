import Testing
import Vision

/// The assertions of face_recognition 1.3.0's own test suite
/// (tests/test_face_recognition.py in its sdist), on the same photos.
@Suite("face_recognition 1.3.0 parity")
struct FaceRecognitionParityTests {
    @Test func loadsJPEGWithPILShape() throws {
        let image = try Fixtures.load("obama.jpg")
        #expect(image.height == 1137 && image.width == 910)
    }

    @Test func loads32BitPNGAsRGB() throws {
        let image = try Fixtures.load("32bit.png")
        #expect(image.height == 1200 && image.width == 626)
        #expect(image.pixels.count == 1200 * 626 * 3)
    }

    @Test func rawFaceLocations() async throws {
        let engine = try Fixtures.requireEngine()
        let boxes = try await engine.detect(in: try Fixtures.load("obama.jpg"), upsample: 1)
        #expect(boxes.count == 1)
        #expect(boxes.first?.top == 142)
        #expect(boxes.first?.bottom == 409)
    }

    @Test func rawFaceLocations32BitImage() async throws {
        let engine = try Fixtures.requireEngine()
        let boxes = try await engine.detect(in: try Fixtures.load("32bit.png"), upsample: 1)
        #expect(boxes.count == 1)
        #expect(boxes.first?.top == 290)
        #expect(boxes.first?.bottom == 558)
    }

    @Test(arguments: [
        ("obama.jpg", [142, 617, 409, 349]),
        ("obama_partial_face.jpg", [142, 191, 365, 0]),
        ("obama_partial_face2.jpg", [142, 551, 409, 349]),
    ])
    func faceLocations(photo: String, expected: [Int]) async throws {
        let engine = try Fixtures.requireEngine()
        let image = try Fixtures.load(photo)
        let boxes = try await engine.detect(in: image, upsample: 1)
        #expect(boxes.count == 1)
        #expect(boxes.first?.cssClipped(toWidth: image.width, height: image.height) == expected)
    }

    @Test func smallModelNoseTip() async throws {
        let engine = try Fixtures.requireEngine()
        let image = try Fixtures.load("obama.jpg")
        let box = try #require(try await engine.detect(in: image).first)
        let landmarks = try await engine.landmarks(in: image, box: box)
        #expect(landmarks.noseTip == Landmarks.Point(x: 496, y: 295))
    }

    @Test func encodingsHave128Values() async throws {
        let engine = try Fixtures.requireEngine()
        let faces = try await engine.faces(in: try Fixtures.load("obama.jpg"))
        #expect(faces.count == 1)
        #expect(faces.first?.embedding.values.count == 128)
    }

    @Test func faceDistanceAndCompareAtTolerance06() async throws {
        let engine = try Fixtures.requireEngine()
        func encoding(_ name: String) async throws -> Embedding {
            try #require(try await engine.faces(in: try Fixtures.load(name)).first).embedding
        }
        let obama = try await encoding("obama.jpg")
        for same in ["obama2.jpg", "obama3.jpg", "obama_partial_face.jpg", "obama_partial_face2.jpg"] {
            let distance = obama.distance(to: try await encoding(same))
            #expect(distance <= 0.6, "obama.jpg vs \(same): \(distance)")
        }
        let biden = obama.distance(to: try await encoding("biden.jpg"))
        #expect(biden > 0.6, "obama.jpg vs biden.jpg: \(biden)")
    }

    @Test func imageWithoutFaceGivesNoFaces() async throws {
        let engine = try Fixtures.requireEngine()
        // A flat grey-brown picture, and the top-left corner of a real photo (sky/background).
        let flat = Image(width: 320, height: 240, pixels: [UInt8](repeating: 120, count: 320 * 240 * 3))
        #expect(try await engine.faces(in: flat).isEmpty)
        let photo = try Fixtures.load("obama.jpg")
        var corner = [UInt8]()
        for y in 0..<120 { corner += photo.pixels[(y * photo.width) * 3..<(y * photo.width + 200) * 3] }
        #expect(try await engine.faces(in: Image(width: 200, height: 120, pixels: corner)).isEmpty)
    }

    @Test func facesAreSortedLargestFirst() {
        let small = FaceBox(left: 0, top: 0, right: 9, bottom: 9)
        let large = FaceBox(left: 0, top: 0, right: 99, bottom: 99)
        let medium = FaceBox(left: 5, top: 5, right: 54, bottom: 54)
        #expect(FaceEngine.largestFirst([small, large, medium]) == [large, medium, small])
    }
}
