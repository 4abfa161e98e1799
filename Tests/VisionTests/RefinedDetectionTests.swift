import Testing
import Vision

/// The camera plan's refinement: a face found on the half-size frame is searched again at
/// full size, near its box only, and must come out with the exact search's box (the one
/// face_recognition's search of the whole frame finds), so that its landmarks and
/// descriptor are the exact search's too.
@Suite("Refined camera detection")
struct RefinedDetectionTests {
    /// A sample photo made into a 640x480 camera frame with the face as large as a visitor's
    /// at the desk (a third of the frame's width): the region around the face, scaled.
    /// (The samples are portraits of several megapixels; filled into 640x480 whole, their
    /// faces fall outside the middle band.)
    static func frame(_ name: String) async throws -> Image {
        let engine = try Fixtures.requireEngine()
        let photo = try Fixtures.load(name)
        let face = try #require(try await engine.detect(in: photo, upsample: 0).max { $0.area < $1.area })
        let width = min(photo.width, face.width * 3), height = min(photo.height, width * 3 / 4)
        let x = max(0, min(photo.width - width, (face.left + face.right) / 2 - width / 2))
        let y = max(0, min(photo.height - height, (face.top + face.bottom) / 2 - height / 2))
        return photo.cropped(x: x, y: y, width: width, height: height).resized(width: 640, height: 480)
    }

    @Test(arguments: [
        ("obama.jpg", 1), ("biden.jpg", 1), ("obama2.jpg", 1), ("obama3.jpg", 1),
        ("obama.jpg", 0), ("biden.jpg", 0),
    ])
    func refinedBoxIsTheExactSearchsBox(photo: String, upsample: Int) async throws {
        let engine = try Fixtures.requireEngine()
        let frame = try await Self.frame(photo)
        let exact = try await engine.detect(in: frame, upsample: upsample)
        try #require(!exact.isEmpty, "the exact search finds the face in \(photo)")

        let (boxes, step) = try await engine.detectReportingStep(in: frame, plan: .camera(upsample: upsample, refine: true))
        // The face is large in a 640x480 frame: the half-size step finds it, so the box
        // went through the refinement.
        #expect(step?.scale == 0.5)
        #expect(step?.refineUpsample == upsample)
        try #require(!boxes.isEmpty)
        for box in boxes {
            let match = exact.max { $0.overlap(with: box) < $1.overlap(with: box) }!
            #expect(box.corners == match.corners, "refined \(box) against the exact search's \(match)")
            #expect(abs(box.score - match.score) < 1e-9)
        }

        // And what follows the box: the descriptor is the exact search's.
        let refinedFace = try #require(try await engine.faces(in: frame, plan: .camera(upsample: upsample, refine: true)).first)
        let exactFace = try #require(try await engine.faces(in: frame, plan: .exact(upsample: upsample)).first)
        #expect(refinedFace.embedding.distance(to: exactFace.embedding) < 1e-6)
    }

    /// The half-size box on its own is a different box (the reason for refining): if this
    /// stopped holding, the test above would prove nothing about the refinement.
    @Test func halfSizeBoxDiffersFromTheExactOne() async throws {
        let engine = try Fixtures.requireEngine()
        var differing = 0
        for photo in ["obama.jpg", "biden.jpg", "obama2.jpg", "obama3.jpg"] {
            let frame = try await Self.frame(photo)
            let exact = try await engine.detect(in: frame, upsample: 1)
            let coarse = try await engine.detect(in: frame, plan: .camera(upsample: 1, refine: false))
            if let box = coarse.first, !exact.map(\.corners).contains(box.corners) { differing += 1 }
        }
        #expect(differing > 0)
    }

    @Test func searchNearTheFaceFindsWhatTheWholeSearchFindsThere() async throws {
        let engine = try Fixtures.requireEngine()
        let frame = try await Self.frame("obama.jpg")
        let exact = try #require(try await engine.detect(in: frame, upsample: 1).first)
        // A box of about the face's size, shifted and scaled as a coarse search's box is.
        let near = FaceBox(left: exact.left + exact.width / 10, top: exact.top - exact.height / 12,
                           right: exact.right - exact.width / 8, bottom: exact.bottom - exact.height / 10, score: 0)
        let found = try await engine.detect(in: frame, upsample: 1, near: near)
        #expect(found.map(\.corners).contains(exact.corners))
        #expect(try await engine.refine(near, in: frame, upsample: 1).corners == exact.corners)
    }

    @Test func refinementThatFindsNothingKeepsTheCoarseBox() async throws {
        let engine = try Fixtures.requireEngine()
        // A flat grey frame: no face anywhere, so the search near the box finds none.
        let blank = Image(width: 640, height: 480, pixels: [UInt8](repeating: 128, count: 640 * 480 * 3))
        let box = FaceBox(left: 200, top: 120, right: 399, bottom: 319, score: 0.5)
        #expect(try await engine.detect(in: blank, upsample: 1, near: box).isEmpty)
        #expect(try await engine.refine(box, in: blank, upsample: 1) == box)

        // A face elsewhere in the frame does not replace a box that does not overlap it.
        let frame = try await Self.frame("obama.jpg")
        let face = try #require(try await engine.detect(in: frame, upsample: 1).first)
        let corner = FaceBox(left: 0, top: 0, right: 99, bottom: 99, score: 0.1)
        #expect(corner.overlap(with: face) == 0)
        #expect(try await engine.refine(corner, in: frame, upsample: 1) == corner)
    }
}

extension FaceBox {
    /// The rectangle without the score.
    var corners: [Int] { [left, top, right, bottom] }
}
