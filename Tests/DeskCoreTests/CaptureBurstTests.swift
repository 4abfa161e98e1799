import Foundation
import Testing
@testable import DeskCore
import Store
import Vision

/// A capture's frames fused into one face: what is kept, what is left out, and what the
/// desk may conclude when the frames disagree.
@Suite("Capture burst")
struct CaptureBurstTests {
    var factory = FrontDeskTests.Embeddings()

    func face(_ embedding: Embedding, left: Int = 100) -> Face {
        Face(box: FaceBox(left: left, top: 100, right: left + 159, bottom: 259),
             landmarks: Landmarks(points: (0..<5).map { Landmarks.Point(x: left + 30 * $0, y: 150) }), embedding: embedding)
    }

    func shot(_ embedding: Embedding?, quality: FaceQuality? = nil, left: Int = 100) -> CaptureBurst.Shot {
        .init(face: embedding.map { face($0, left: left) }, quality: quality, faceCount: embedding == nil ? 0 : 1)
    }

    /// A measured quality: sharp and lit, or blurry (a flat grey face).
    func quality(width: Int = 160, sharp: Bool = true) -> FaceQuality {
        let side = 300
        var pixels = [UInt8](repeating: 128, count: side * side * 3)
        if sharp {
            for y in 0..<side { for x in 0..<side where (x / 3 + y / 3) % 2 == 0 {
                let i = (y * side + x) * 3
                pixels[i] = 168; pixels[i + 1] = 168; pixels[i + 2] = 168
            } }
        }
        return FaceQuality(image: Image(width: side, height: side, pixels: pixels),
                           box: FaceBox(left: 10, top: 10, right: 10 + width - 1, bottom: 10 + width - 1))
    }

    @Test mutating func framesOfOneStillFaceAreAveraged() throws {
        let ada = factory.next()
        let frames = [factory.near(ada, distance: 0.05), factory.near(ada, distance: 0.05), factory.near(ada, distance: 0.05)]
        let burst = CaptureBurst(frames.map { shot($0) })
        #expect(burst.fusedShots == [0, 1, 2])
        #expect(!burst.disagreed)
        let fused = try #require(burst.embedding)
        for i in 0..<Embedding.dimension {
            let mean = (frames[0].values[i] + frames[1].values[i] + frames[2].values[i]) / 3
            #expect(abs(fused.values[i] - mean) < 1e-6)
        }
        // The mean of three noisy frames is nearer the face than the frames are.
        #expect(fused.distance(to: ada) < frames.map { $0.distance(to: ada) }.min()!)
        #expect(burst.face?.embedding == fused, "the decided face carries the fused descriptor")
    }

    /// The attack: a second person leans into one frame of someone else's capture.
    @Test mutating func aFrameOfSomeoneElseIsLeftOutAndMarksTheCaptureUnsure() throws {
        let ada = factory.next(), eve = factory.next()
        let a1 = factory.near(ada, distance: 0.05), a2 = factory.near(ada, distance: 0.05)
        for order in [[a1, eve, a2], [eve, a1, a2], [a1, a2, eve]] {
            let burst = CaptureBurst(order.map { shot($0) })
            #expect(burst.fusedShots.count == 2)
            #expect(burst.disagreed)
            let fused = try #require(burst.embedding)
            #expect(fused.distance(to: ada) < 0.05, "the other person's frame was fused in")
            #expect(burst.representative.map { order[$0] != eve } == true)
        }
    }

    @Test mutating func twoFramesOfTwoPeopleDisagree() {
        let burst = CaptureBurst([shot(factory.next()), shot(factory.next())])
        #expect(burst.fusedShots.count == 1)
        #expect(burst.disagreed)
    }

    @Test mutating func framesWithoutAFaceOrOfPoorQualityAreLeftOutWithoutCountingAsDisagreement() throws {
        let ada = factory.next()
        let sharp = factory.near(ada, distance: 0.05)
        let burst = CaptureBurst([shot(nil), shot(factory.near(ada, distance: 0.05), quality: quality(sharp: false)),
                                  shot(sharp, quality: quality())])
        #expect(burst.fusedShots == [2])
        #expect(!burst.disagreed)
        #expect(burst.representative == 2)
        #expect(burst.embedding == sharp)
        #expect(burst.quality?.problem == nil)
    }

    @Test mutating func whenNoFrameIsUsableTheFirstFaceTellsWhy() {
        let none = CaptureBurst([shot(nil), shot(nil)])
        #expect(none.embedding == nil && none.representative == nil && none.face == nil)
        let blurry = CaptureBurst([shot(nil), shot(factory.next(), quality: quality(sharp: false))])
        #expect(blurry.embedding == nil)
        #expect(blurry.representative == 1)
        #expect(blurry.quality?.problem == .blurry)
        #expect(CaptureBurst([]).representative == nil)
    }

    @Test mutating func theSharpestFusedFrameStandsForTheCapture() {
        let ada = factory.next()
        let burst = CaptureBurst([shot(factory.near(ada, distance: 0.05), quality: quality(width: 80), left: 10),
                                  shot(factory.near(ada, distance: 0.05), quality: quality(width: 140), left: 20),
                                  shot(factory.near(ada, distance: 0.05), quality: quality(width: 100), left: 30)])
        #expect(burst.representative == 1)
        #expect(burst.face?.box.left == 20)
    }

    @Test mutating func theMostFacesInAnyFrameAreReported() {
        var shots = [shot(factory.next()), shot(factory.next())]
        shots[1].faceCount = 3
        #expect(CaptureBurst(shots).faceCount == 3)
    }
}
