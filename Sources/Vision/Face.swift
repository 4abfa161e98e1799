/// One face found in an image: where it is, its landmarks and its descriptor.
public struct Face: Sendable, Equatable {
    public var box: FaceBox
    public var landmarks: Landmarks
    public var embedding: Embedding

    public init(box: FaceBox, landmarks: Landmarks, embedding: Embedding) {
        self.box = box
        self.landmarks = landmarks
        self.embedding = embedding
    }
}

/// Wall-clock milliseconds spent in each stage of one analysis.
public struct StageTimings: Sendable, Equatable {
    public var detectMs: Double = 0
    public var landmarksMs: Double = 0
    public var embedMs: Double = 0
    /// The detection step that found the faces (nil: no face found).
    public var detectedBy: DetectionPlan.Step?

    public init() {}
}

/// Measures a block in milliseconds with the monotonic clock.
public func measureMilliseconds<T, E: Error>(_ milliseconds: inout Double, _ body: () throws(E) -> T) throws(E) -> T {
    let start = ContinuousClock.now
    let result = try body()
    milliseconds += Vision.milliseconds(since: start)
    return result
}

/// Milliseconds elapsed since `start` on the monotonic clock.
public func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}
