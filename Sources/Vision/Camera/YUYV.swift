/// YUYV 4:2:2 (two pixels in four bytes: Y0 U Y1 V) to RGB, with the BT.601
/// limited-range matrix UVC webcams use. Fixed-point integer arithmetic.
public enum YUYV {
    public static func toRGB(_ data: UnsafeRawBufferPointer, width: Int, height: Int, bytesPerLine: Int) -> Image? {
        guard width > 0, height > 0, width % 2 == 0, bytesPerLine >= width * 2, data.count >= bytesPerLine * (height - 1) + width * 2 else {
            return nil
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        out.withUnsafeMutableBufferPointer { rgb in
            for y in 0..<height {
                let row = y * bytesPerLine
                var o = y * width * 3
                var x = 0
                while x < width {
                    let i = row + x * 2
                    let y0 = Int(data[i]), u = Int(data[i + 1]) - 128, y1 = Int(data[i + 2]), v = Int(data[i + 3]) - 128
                    // Coefficients ×256: 1.164, 1.596, 0.392, 0.813, 2.017.
                    let ruv = 409 * v, guv = -100 * u - 208 * v, buv = 516 * u
                    let c0 = 298 * (y0 - 16) + 128, c1 = 298 * (y1 - 16) + 128
                    rgb[o] = UInt8(clamping: (c0 + ruv) >> 8)
                    rgb[o + 1] = UInt8(clamping: (c0 + guv) >> 8)
                    rgb[o + 2] = UInt8(clamping: (c0 + buv) >> 8)
                    rgb[o + 3] = UInt8(clamping: (c1 + ruv) >> 8)
                    rgb[o + 4] = UInt8(clamping: (c1 + guv) >> 8)
                    rgb[o + 5] = UInt8(clamping: (c1 + buv) >> 8)
                    o += 6
                    x += 2
                }
            }
        }
        return Image(width: width, height: height, pixels: out)
    }
}
