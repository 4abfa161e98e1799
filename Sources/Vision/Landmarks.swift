/// The five points of dlib's 5-point shape predictor, in image pixels:
/// 0-1 the right eye's corners, 2-3 the left eye's corners (as seen in the image:
/// the person's right eye is on the image's left), 4 the base of the nose.
public struct Landmarks: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public init(x: Int, y: Int) { self.x = x; self.y = y }
    }

    public var points: [Point]

    public init(points: [Point]) {
        precondition(points.count == 5, "the 5-point model yields exactly 5 landmarks")
        self.points = points
    }

    public var noseTip: Point { points[4] }

    /// Distance between the centres of the two eyes, a measure of the face's size in pixels.
    public var interocularDistance: Double {
        let rightEye = (Double(points[0].x + points[1].x) / 2, Double(points[0].y + points[1].y) / 2)
        let leftEye = (Double(points[2].x + points[3].x) / 2, Double(points[2].y + points[3].y) / 2)
        let dx = rightEye.0 - leftEye.0, dy = rightEye.1 - leftEye.1
        return (dx * dx + dy * dy).squareRoot()
    }
}
