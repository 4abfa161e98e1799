/// A detected face rectangle in image pixels. `right` and `bottom` are inclusive,
/// as in dlib; `score` is the detector's confidence (higher is surer).
public struct FaceBox: Sendable, Equatable, Hashable {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int
    public var score: Double

    public init(left: Int, top: Int, right: Int, bottom: Int, score: Double = 0) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
        self.score = score
    }

    public var width: Int { right - left + 1 }
    public var height: Int { bottom - top + 1 }
    public var area: Int { width * height }

    /// Intersection over union with `other` (0: apart, 1: the same box).
    public func overlap(with other: FaceBox) -> Double {
        let w = min(right, other.right) - max(left, other.left) + 1
        let h = min(bottom, other.bottom) - max(top, other.top) + 1
        guard w > 0, h > 0 else { return 0 }
        let intersection = Double(w * h)
        return intersection / (Double(area + other.area) - intersection)
    }

    /// The box as face_recognition reports it: (top, right, bottom, left), clipped to the
    /// image the way its `_trim_css_to_bounds` does (right and bottom may equal the size).
    public func cssClipped(toWidth width: Int, height: Int) -> [Int] {
        [max(top, 0), min(right, width), min(bottom, height), max(left, 0)]
    }
}
