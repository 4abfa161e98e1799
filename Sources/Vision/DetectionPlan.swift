/// Where and how hard to look for faces. Detection is the slowest stage (HOG over an
/// image pyramid), and its cost grows with the pixels searched: a visitor standing at
/// the desk has a large face, found on a half-size frame in a fraction of the time.
/// A plan is a list of attempts; the first that finds a face wins, so a close visitor
/// takes the fast path and a distant one is still found.
public struct DetectionPlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// 0.5 searches a half-size copy (faces of 160 px and more); 1 the frame itself.
        public var scale: Double
        /// Times the searched image is doubled first (each step finds faces half as large).
        public var upsample: Int

        public init(scale: Double, upsample: Int) {
            self.scale = scale
            self.upsample = upsample
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

    /// For camera frames: half size (faces from ~160 px: a visitor within about half a
    /// metre of a 640x480 webcam), then full size, then full size upsampled once if
    /// `upsample` allows it (faces down to ~40 px).
    public static func camera(upsample: Int) -> DetectionPlan {
        var steps = [Step(scale: 0.5, upsample: 0), Step(scale: 1, upsample: 0)]
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
