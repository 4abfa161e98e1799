import Foundation
import Vision

/// Per-photo stage times reported by `kiosk encode --timings`.
struct ImageTimings {
    var decodeMs: Double
    var stages: StageTimings

    var dictionary: [String: Double] {
        ["decode": decodeMs, "detect": stages.detectMs, "landmarks": stages.landmarksMs, "embed": stages.embedMs]
    }

    func line(path: String, faces: Int) -> String {
        "\(path): decode \(ms(decodeMs)), detect \(ms(stages.detectMs)), landmarks \(ms(stages.landmarksMs)), "
            + "embed \(ms(stages.embedMs)) (\(faces) face\(faces == 1 ? "" : "s"))"
    }

    static func medianLine(_ all: [ImageTimings]) -> String {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
        return "median over \(all.count) photos: decode \(ms(median(all.map(\.decodeMs)))), "
            + "detect \(ms(median(all.map(\.stages.detectMs)))), landmarks \(ms(median(all.map(\.stages.landmarksMs)))), "
            + "embed \(ms(median(all.map(\.stages.embedMs))))"
    }
}

private func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }
