import Foundation
import Vision

/// Camera frames made from one photo, as a webcam would deliver a short burst of a
/// visitor holding still: each frame frames the photo at 640x480 (as `kiosk bench`
/// does) a little larger or smaller and a few pixels off, then goes through MJPEG's JPEG
/// round trip. Deterministic: the same photo and seed give the same frames, so runs with
/// different burst lengths probe the same first frames.
enum BurstFrames {
    static let width = 640, height = 480
    /// Head movement between frames: up to this share of size, and this many pixels.
    static let scaleWobble = 0.03
    static let shiftWobble = 8

    static func make(from photo: Image, count: Int, seed: UInt64) throws -> [Image] {
        var random = SplitMix64(seed: seed)
        var frames: [Image] = []
        for _ in 0..<count {
            let scale = 1 + (random.unit() * 2 - 1) * scaleWobble
            let dx = Int((random.unit() * 2 - 1) * Double(shiftWobble)), dy = Int((random.unit() * 2 - 1) * Double(shiftWobble))
            let cover = max(Double(width) / Double(photo.width), Double(height) / Double(photo.height)) * scale
            let scaledWidth = max(width + 2 * shiftWobble, Int((Double(photo.width) * cover).rounded()))
            let scaledHeight = max(height + 2 * shiftWobble, Int((Double(photo.height) * cover).rounded()))
            let frame = photo.resized(width: scaledWidth, height: scaledHeight)
                .cropped(x: (scaledWidth - width) / 2 + dx, y: (scaledHeight - height) / 2 + dy, width: width, height: height)
            frames.append(try JPEGDecoder().decode(try JPEGEncoder.encode(frame, quality: 85)))
        }
        return frames
    }
}

/// A small, fast, seedable generator (SplitMix64), so synthetic frames repeat exactly.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
