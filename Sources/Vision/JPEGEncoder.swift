import CTurboJPEG

/// Encodes RGB images as JPEG with libjpeg-turbo (face thumbnails, snapshots).
public enum JPEGEncoder {
    public static func encode(_ image: Image, quality: Int = 85) throws(ImageDecodeFailure) -> [UInt8] {
        guard let handle = tjInitCompress() else { throw ImageDecodeFailure(reason: "tjInitCompress failed") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &buffer, &size, Int32(TJSAMP_420.rawValue), Int32(max(1, min(100, quality))), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            throw ImageDecodeFailure(reason: tjGetErrorStr2(handle).map { String(cString: $0) } ?? "JPEG encoding failed")
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
