/// An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B with no row padding.
/// This is the one pixel layout the whole pipeline agrees on (decoders produce it,
/// the dlib shim reads it in place).
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "pixel buffer does not match \(width)x\(height) RGB")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The red, green and blue values at column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
