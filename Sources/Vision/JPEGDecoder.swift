import CTurboJPEG

/// Decodes JPEG bytes to RGB with libjpeg-turbo. Uses the accurate integer DCT and
/// smooth chroma upsampling (TurboJPEG's defaults), which are what PIL uses, so pixels
/// match what face_recognition sees. One decoder holds one TurboJPEG handle: use it
/// from one task at a time.
public final class JPEGDecoder {
    private var handle: tjhandle

    public init() {
        handle = Self.newHandle()
    }

    deinit { tjDestroy(handle) }

    private static func newHandle() -> tjhandle {
        // tjInitDecompress only fails when out of memory.
        guard let handle = tjInitDecompress() else { fatalError("tjInitDecompress failed: out of memory") }
        return handle
    }

    /// After a failed decode TurboJPEG 2.1 keeps the error in the handle and fails the
    /// next, valid image too (seen with a truncated frame followed by a good one), so a
    /// failure replaces the handle: one corrupt camera frame must not cost two.
    private func failure() -> ImageDecodeFailure {
        let failure = ImageDecodeFailure(reason: lastError())
        tjDestroy(handle)
        handle = Self.newHandle()
        return failure
    }

    /// Image size from the header, without decoding.
    public func size(of data: [UInt8]) throws(ImageDecodeFailure) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colorspace)
        }
        guard status == 0, width > 0, height > 0 else { throw failure() }
        return (Int(width), Int(height))
    }

    /// Decodes `data`; an image declaring more than `maxPixels` is refused from its
    /// header (`ImageDecodeFailure.tooLarge`) before the pixels are allocated.
    public func decode(_ data: [UInt8], maxPixels: Int = ImageLimits.current.maxPixels) throws(ImageDecodeFailure) -> Image {
        let (width, height) = try size(of: data)
        if let problem = ImageLimits(maxPixels: maxPixels).problem(width: width, height: height) {
            throw ImageDecodeFailure(reason: problem, tooLarge: true)
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let status = data.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { output in
                tjDecompress2(handle, input.baseAddress, UInt(input.count), output.baseAddress,
                              Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), 0)
            }
        }
        // TurboJPEG returns -1 with a *warning* for recoverable damage such as a
        // truncated scan (the missing rows stay grey). A kiosk must not recognise a
        // half-grey face, so any error or warning rejects the image.
        guard status == 0 else { throw failure() }
        return Image(width: width, height: height, pixels: pixels)
    }

    private func lastError() -> String {
        guard let message = tjGetErrorStr2(handle) else { return "unknown JPEG error" }
        return String(cString: message)
    }
}

/// Why a decoder rejected the bytes (the caller adds the file name).
public struct ImageDecodeFailure: Error, Equatable {
    public let reason: String
    /// The header was readable but declares more pixels than allowed: refused, not damaged.
    public let tooLarge: Bool

    public init(reason: String, tooLarge: Bool = false) {
        self.reason = reason
        self.tooLarge = tooLarge
    }
}
