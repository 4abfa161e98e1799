import DeskCore
import Foundation
import Vision

/// How steady a face's descriptor is across a recorded video, one frame at a time and
/// fused over bursts as the desk fuses a capture's frames. The video is cut into
/// back-to-back bursts; for each pair of neighbouring bursts it compares the first
/// frame's descriptor with the next burst's first (what a one-frame capture would see a
/// moment later), and the fused descriptors with each other. The smaller the distance
/// between two moments of one face, the further that face stays from the greeting
/// threshold's edge. Pure (descriptors in, figures out).
struct FrameSequenceEvaluation {
    struct Report: Encodable, Equatable {
        var frames = 0
        var frames_with_face = 0
        var burst_frames = 0
        var bursts = 0
        /// Bursts with a face in at least one frame.
        var bursts_with_face = 0
        var bursts_disagreed = 0
        var frames_left_out = 0
        /// Neighbouring bursts both with a face: the distance between their first frames'
        /// descriptors, and between their fused descriptors.
        var neighbour_pairs = 0
        var single_frame_distance_p50: Double?
        var single_frame_distance_p90: Double?
        var fused_distance_p50: Double?
        var fused_distance_p90: Double?
    }

    /// `faces`: the largest face's descriptor in each frame, in order (nil: no face).
    static func evaluate(_ faces: [Embedding?], burst: Int, agreementDistance: Double = CaptureBurst.agreementDistance) -> Report {
        var report = Report(frames: faces.count, frames_with_face: faces.compactMap { $0 }.count, burst_frames: burst)
        var fused: [Embedding?] = []
        var first: [Embedding?] = []
        for start in stride(from: 0, to: faces.count - burst + 1, by: burst) {
            let window = Array(faces[start..<(start + burst)])
            let shots = window.map { CaptureBurst.Shot(face: $0.map(Self.face), quality: nil, faceCount: $0 == nil ? 0 : 1) }
            let capture = CaptureBurst(shots, agreementDistance: agreementDistance)
            report.bursts += 1
            if capture.embedding != nil { report.bursts_with_face += 1 }
            if capture.disagreed { report.bursts_disagreed += 1 }
            report.frames_left_out += window.compactMap { $0 }.count - capture.fusedShots.count
            fused.append(capture.embedding)
            first.append(window.compactMap { $0 }.first)
        }
        var single: [Double] = [], together: [Double] = []
        for i in fused.indices.dropLast() {
            guard let a = fused[i], let b = fused[i + 1], let fa = first[i], let fb = first[i + 1] else { continue }
            together.append(a.distance(to: b))
            single.append(fa.distance(to: fb))
        }
        report.neighbour_pairs = single.count
        report.single_frame_distance_p50 = percentile(single, 0.5)
        report.single_frame_distance_p90 = percentile(single, 0.9)
        report.fused_distance_p50 = percentile(together, 0.5)
        report.fused_distance_p90 = percentile(together, 0.9)
        return report
    }

    /// A face holding only a descriptor: the burst needs nothing else.
    private static func face(_ embedding: Embedding) -> Face {
        Face(box: FaceBox(left: 0, top: 0, right: 0, bottom: 0), landmarks: Landmarks(points: Array(repeating: .init(x: 0, y: 0), count: 5)), embedding: embedding)
    }

    private static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}
