import Foundation
import Vision

/// The few camera frames of one capture, made into the one face the desk decides on.
///
/// A single frame can catch a blink, motion blur or a head half turned away. Frames a
/// few tens of milliseconds apart that show one person give descriptors close to each
/// other, and their mean is a steadier estimate of that face than any one of them. A
/// frame whose face disagrees with the rest (someone else leaned in, a bad frame) is
/// left out, and a capture whose frames disagreed is never greeted outright: the desk
/// asks "Are you X?" instead.
///
/// Pure (faces in, one face out), so tests drive every case without a camera.
public struct CaptureBurst: Sendable {
    /// What the engine found in one frame: its largest face, that face's quality and the
    /// number of faces.
    public struct Shot: Sendable {
        public var face: Face?
        public var quality: FaceQuality?
        public var faceCount: Int

        public init(face: Face?, quality: FaceQuality?, faceCount: Int) {
            self.face = face
            self.quality = quality
            self.faceCount = faceCount
        }
    }

    /// Frames whose descriptors lie further than this from the burst's most central one
    /// are taken for another face. Two photos of different people come this close about
    /// once in 170,000 pairs (lfw-dev), while one person's frames 67 ms apart in a moving
    /// performance video were 0.24 apart at the median: at 0.3, 13 of 36 three-frame
    /// bursts of that video counted as disagreeing, at 0.4, 3 (`kiosk eval --frames`).
    public static let agreementDistance = 0.4

    public let shots: [Shot]
    /// Indices of the shots that were fused (usable face, agreeing with the centre).
    public let fusedShots: [Int]
    /// The shot standing for the capture: the best-quality fused shot, else the first
    /// shot with a face (its quality problem is what the desk reports), else nil.
    public let representative: Int?
    /// The mean descriptor of the fused shots (nil: no usable face in any frame).
    public let embedding: Embedding?

    /// Usable faces were left out because they disagreed with the others.
    public let disagreed: Bool

    /// The face to decide on: the representative frame's box and landmarks with the
    /// fused descriptor.
    public var face: Face? {
        guard let representative, var face = shots[representative].face else { return nil }
        if let embedding { face.embedding = embedding }
        return face
    }

    public var quality: FaceQuality? { representative.flatMap { shots[$0].quality } }
    /// The most faces seen in one frame.
    public var faceCount: Int { shots.map(\.faceCount).max() ?? 0 }

    public init(_ shots: [Shot], agreementDistance: Double = CaptureBurst.agreementDistance) {
        self.shots = shots
        let usable = Self.usable(shots)
        guard !usable.isEmpty else {
            fusedShots = []
            disagreed = false
            embedding = nil
            representative = shots.firstIndex { $0.face != nil }
            return
        }
        // The most central usable face: the smallest sum of distances to the others.
        let embeddings = usable.map { shots[$0].face!.embedding }
        let sums = embeddings.map { a in embeddings.reduce(0) { $0 + a.distance(to: $1) } }
        let centre = embeddings[sums.indices.min { sums[$0] < sums[$1] }!]
        let fused = usable.filter { shots[$0].face!.embedding.distance(to: centre) <= agreementDistance }
        fusedShots = fused
        disagreed = fused.count < usable.count
        embedding = Self.mean(fused.map { shots[$0].face!.embedding })
        representative = fused.max { (shots[$0].quality?.score ?? 0) < (shots[$1].quality?.score ?? 0) }
    }

    /// Shots with a face of usable quality (a face whose quality was not measured, as in
    /// `kiosk eval`'s photos, counts as usable).
    private static func usable(_ shots: [Shot]) -> [Int] {
        shots.indices.filter { shots[$0].face != nil && shots[$0].quality?.problem == nil }
    }

    static func mean(_ embeddings: [Embedding]) -> Embedding {
        var sum = [Double](repeating: 0, count: Embedding.dimension)
        for embedding in embeddings {
            for i in 0..<Embedding.dimension { sum[i] += Double(embedding.values[i]) }
        }
        return Embedding(sum.map { Float($0 / Double(embeddings.count)) })
    }
}
