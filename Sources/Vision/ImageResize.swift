extension Image {
    /// Bilinear resampling to `width` x `height` (pixel centres aligned, as most
    /// resizers do). Used to make camera-sized frames and downscaled detection inputs.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth > 0 && newHeight > 0)
        if newWidth == width && newHeight == height { return self }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let scaleX = Double(width) / Double(newWidth), scaleY = Double(height) / Double(newHeight)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<newHeight {
                    let sy = max(0, min(Double(height - 1), (Double(y) + 0.5) * scaleY - 0.5))
                    let y0 = Int(sy), y1 = min(y0 + 1, height - 1)
                    let fy = sy - Double(y0)
                    for x in 0..<newWidth {
                        let sx = max(0, min(Double(width - 1), (Double(x) + 0.5) * scaleX - 0.5))
                        let x0 = Int(sx), x1 = min(x0 + 1, width - 1)
                        let fx = sx - Double(x0)
                        for c in 0..<3 {
                            let a = Double(src[(y0 * width + x0) * 3 + c]), b = Double(src[(y0 * width + x1) * 3 + c])
                            let d = Double(src[(y1 * width + x0) * 3 + c]), e = Double(src[(y1 * width + x1) * 3 + c])
                            let top = a + (b - a) * fx, bottom = d + (e - d) * fx
                            dst[(y * newWidth + x) * 3 + c] = UInt8(clamping: Int((top + (bottom - top) * fy).rounded()))
                        }
                    }
                }
            }
        }
        return Image(width: newWidth, height: newHeight, pixels: out)
    }

    /// The rectangle starting at (`x`, `y`), clipped to the image.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> Image {
        let left = max(0, min(x, width - 1)), top = max(0, min(y, height - 1))
        let w = max(1, min(cropWidth, width - left)), h = max(1, min(cropHeight, height - top))
        var out = [UInt8]()
        out.reserveCapacity(w * h * 3)
        for row in top..<(top + h) {
            out.append(contentsOf: pixels[((row * width + left) * 3)..<((row * width + left + w) * 3)])
        }
        return Image(width: w, height: h, pixels: out)
    }

    /// Scaled to cover `width` x `height` and centre-cropped to exactly that size: how a
    /// camera would frame the same scene.
    public func filling(width targetWidth: Int, height targetHeight: Int) -> Image {
        let scale = max(Double(targetWidth) / Double(width), Double(targetHeight) / Double(height))
        let scaledWidth = max(targetWidth, Int((Double(width) * scale).rounded()))
        let scaledHeight = max(targetHeight, Int((Double(height) * scale).rounded()))
        return resized(width: scaledWidth, height: scaledHeight)
            .cropped(x: (scaledWidth - targetWidth) / 2, y: (scaledHeight - targetHeight) / 2,
                     width: targetWidth, height: targetHeight)
    }
}
