import CPNGShim

/// Decodes PNG bytes (grey, RGB, RGBA, palette; 8 or 16 bit) to 8-bit RGB, dropping any
/// alpha channel the way PIL's `convert("RGB")` does.
public enum PNGDecoder {
    /// Decodes `data`; a PNG whose IHDR declares more than `maxPixels` is refused
    /// (`ImageDecodeFailure.tooLarge`) before the pixels are allocated.
    public static func decode(_ data: [UInt8], maxPixels: Int = ImageLimits.current.maxPixels) throws(ImageDecodeFailure) -> Image {
        var error = [CChar](repeating: 0, count: 256)
        var width = 0, height = 0
        let sized = data.withUnsafeBufferPointer { input in
            kiosk_png_size(input.baseAddress, input.count, &width, &height, &error, error.count)
        }
        guard sized == 0, width > 0, height > 0 else { throw ImageDecodeFailure(reason: message(error)) }
        if let problem = ImageLimits(maxPixels: maxPixels).problem(width: width, height: height) {
            throw ImageDecodeFailure(reason: problem, tooLarge: true)
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let status = data.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { output in
                kiosk_png_decode_rgb(input.baseAddress, input.count, output.baseAddress, output.count, &error, error.count)
            }
        }
        guard status == 0 else { throw ImageDecodeFailure(reason: message(error)) }
        return Image(width: width, height: height, pixels: pixels)
    }

    private static func message(_ buffer: [CChar]) -> String {
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "unreadable PNG" : text
    }
}
