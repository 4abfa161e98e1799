#if canImport(Glibc)
import Glibc
#endif

/// One picture from a frame source, ready for analysis.
public struct Frame: Sendable {
    public let image: Image
    /// Seconds on the monotonic clock when the frame was captured (or produced).
    public let timestamp: Double
    /// Counts frames delivered by this source, from 0; gaps mean frames were dropped.
    public let sequence: Int
    /// What the source delivered before conversion to RGB: "MJPG", "YUYV", "JPEG file"...
    public let sourceFormat: String
    /// Mean luma, 0-255 (sampled).
    public let meanBrightness: Double

    /// IR and cheap webcams deliver black frames while their exposure settles at
    /// start-up: such frames are shown but never analysed.
    public var isDark: Bool { meanBrightness < Frame.darkThreshold }
    public static let darkThreshold = 16.0

    public init(image: Image, timestamp: Double, sequence: Int, sourceFormat: String) {
        self.image = image
        self.timestamp = timestamp
        self.sequence = sequence
        self.sourceFormat = sourceFormat
        self.meanBrightness = Frame.meanBrightness(of: image)
    }

    /// Mean luma over about 4000 sampled pixels: enough to tell a black frame, cheap.
    static func meanBrightness(of image: Image) -> Double {
        let count = image.width * image.height
        let step = max(1, count / 4096)
        var sum = 0, samples = 0
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < count {
                sum += (299 * Int(p[i * 3]) + 587 * Int(p[i * 3 + 1]) + 114 * Int(p[i * 3 + 2])) / 1000
                samples += 1
                i += step
            }
        }
        return samples == 0 ? 0 : Double(sum) / Double(samples)
    }
}

/// Seconds on the monotonic clock (CLOCK_MONOTONIC, the clock V4L2 timestamps use).
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
