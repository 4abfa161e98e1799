/// Where and how hard to look for faces. Detection is the slowest stage (HOG over an
/// image pyramid), and its cost grows with the pixels searched: a visitor standing at
/// the desk has a large face, found on a half-size frame in a fraction of the time.
/// A plan is a list of attempts; the first that finds a face wins, so a close visitor
/// takes the fast path and a distant one is still found.
public struct DetectionPlan: Sendable, Equatable {
    /// dlib's two face detectors.
    public enum Detector: String, Sendable, Equatable {
        /// Histogram of oriented gradients with a linear classifier: fast, frontal faces.
        case hog
        /// The MMOD convolutional network (mmod_human_face_detector.dat): 10-100x slower
        /// on a CPU, also finds turned, tilted, dim and partly hidden faces.
        case cnn
    }

    public struct Step: Sendable, Equatable {
        /// 0.5 searches a half-size copy (faces of 160 px and more); 1 the frame itself.
        public var scale: Double
        /// Times the searched image is doubled first (each step finds faces half as large).
        public var upsample: Int
        public var detector: Detector
        /// For a half-size step: find each box again as the exact search (full size, upsampled
        /// this many times) finds it, scanning only the pyramid levels near the box's size and
        /// the region around it (`FaceEngine.refine`), and keep that box. A box found at half
        /// size is on another grid than the exact search's, and the landmarks and descriptor
        /// follow the box; the refined box is the exact search's box. nil: keep the half-size box.
        public var refineUpsample: Int?

        public init(scale: Double, upsample: Int, detector: Detector = .hog, refineUpsample: Int? = nil) {
            self.scale = scale
            self.upsample = upsample
            self.detector = detector
            self.refineUpsample = refineUpsample
        }
    }

    public var steps: [Step]

    public init(steps: [Step]) {
        precondition(!steps.isEmpty, "a detection plan needs at least one step")
        self.steps = steps
    }

    /// One search of the full image, exactly as face_recognition does it.
    public static func exact(upsample: Int) -> DetectionPlan {
        DetectionPlan(steps: [Step(scale: 1, upsample: upsample)])
    }

    /// For photos (enroll, import, eval): face_recognition's HOG search, and only when it
    /// finds nothing, the CNN detector on the same image. A photo costs what it did unless
    /// HOG fails; then the CNN's time is added (see BENCHMARKS.md). Without the CNN model
    /// file the engine skips that step.
    public static func photo(upsample: Int) -> DetectionPlan {
        DetectionPlan(steps: [Step(scale: 1, upsample: upsample), Step(scale: 1, upsample: upsample, detector: .cnn)])
    }

    /// For camera frames: half size (faces from ~160 px: a visitor within about half a
    /// metre of a 640x480 webcam), then full size, then full size upsampled once if
    /// `upsample` allows it (faces down to ~40 px).
    /// With `refine`, a face found at half size is found again with the box the exact search
    /// (`upsample`) gives it, from a few pyramid levels around its box (see
    /// `Step.refineUpsample`; its cost is in BENCHMARKS.md).
    public static func camera(upsample: Int, refine: Bool = false) -> DetectionPlan {
        var steps = [Step(scale: 0.5, upsample: 0, refineUpsample: refine ? upsample : nil), Step(scale: 1, upsample: 0)]
        if upsample >= 1 { steps.append(Step(scale: 1, upsample: upsample)) }
        return DetectionPlan(steps: steps)
    }
}

extension Image {
    /// Half width and height, each output pixel the mean of a 2x2 block: the cheapest
    /// good downscale (no aliasing from skipping pixels).
    public func halved() -> Image {
        let w = width / 2, h = height / 2
        guard w > 0, h > 0 else { return self }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let stride = width * 3
                for y in 0..<h {
                    let row0 = (2 * y) * stride, row1 = row0 + stride
                    for x in 0..<w {
                        let s = 6 * x
                        let d = (y * w + x) * 3
                        for c in 0..<3 {
                            let sum = Int(src[row0 + s + c]) + Int(src[row0 + s + 3 + c]) + Int(src[row1 + s + c]) + Int(src[row1 + s + 3 + c])
                            dst[d + c] = UInt8((sum + 2) >> 2)
                        }
                    }
                }
            }
        }
        return Image(width: w, height: h, pixels: out)
    }
}
