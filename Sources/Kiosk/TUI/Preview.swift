import Vision

/// Draws a camera image into a rectangle of cells with upper-half blocks (U+2580):
/// each cell shows two pixels, the top one as the character's colour and the bottom
/// one as the background, so a 120x40 area shows 120x80 pixels. Without colours it
/// falls back to shading characters by brightness.
struct Preview {
    /// Where the image landed, to place overlays (face box) on it.
    struct Placement: Equatable {
        let x: Int, y: Int, width: Int, height: Int  // in cells
        let imageWidth: Int, imageHeight: Int

        /// Image pixel rectangle to a cell rectangle.
        func cells(for box: FaceBox) -> (x: Int, y: Int, width: Int, height: Int) {
            let sx = Double(width) / Double(imageWidth), sy = Double(height * 2) / Double(imageHeight)
            let left = x + Int(Double(max(0, box.left)) * sx)
            let top = y + Int(Double(max(0, box.top)) * sy / 2)
            let right = x + Int(Double(min(imageWidth - 1, box.right)) * sx)
            let bottom = y + Int(Double(min(imageHeight - 1, box.bottom)) * sy / 2)
            return (left, top, max(2, right - left + 1), max(2, bottom - top + 1))
        }
    }

    /// Fits the image in the area keeping its proportions, centred.
    static func placement(image: Image, x: Int, y: Int, width: Int, height: Int) -> Placement? {
        guard width > 0, height > 0 else { return nil }
        let scale = min(Double(width) / Double(image.width), Double(height * 2) / Double(image.height))
        let w = max(1, min(width, Int(Double(image.width) * scale)))
        let h = max(1, min(height, Int(Double(image.height) * scale / 2)))
        return Placement(x: x + (width - w) / 2, y: y + (height - h) / 2, width: w, height: h,
                         imageWidth: image.width, imageHeight: image.height)
    }

    @discardableResult
    static func draw(_ image: Image, into buffer: inout CellBuffer, x: Int, y: Int, width: Int, height: Int,
                     colorMode: ColorMode) -> Placement? {
        guard let place = placement(image: image, x: x, y: y, width: width, height: height) else { return nil }
        let pixelRows = place.height * 2
        image.pixels.withUnsafeBufferPointer { pixels in
            // Mean colour of the source area behind one output pixel (up to 3x3 samples).
            func sample(_ column: Int, _ row: Int) -> (UInt8, UInt8, UInt8) {
                let x0 = column * image.width / place.width, x1 = max(x0 + 1, (column + 1) * image.width / place.width)
                let y0 = row * image.height / pixelRows, y1 = max(y0 + 1, (row + 1) * image.height / pixelRows)
                let stepX = max(1, (x1 - x0) / 3), stepY = max(1, (y1 - y0) / 3)
                var r = 0, g = 0, b = 0, n = 0
                var sy = y0
                while sy < min(y1, image.height) {
                    var sx = x0
                    while sx < min(x1, image.width) {
                        let i = (sy * image.width + sx) * 3
                        r += Int(pixels[i]); g += Int(pixels[i + 1]); b += Int(pixels[i + 2]); n += 1
                        sx += stepX
                    }
                    sy += stepY
                }
                n = max(n, 1)
                return (UInt8(r / n), UInt8(g / n), UInt8(b / n))
            }
            for row in 0..<place.height {
                for column in 0..<place.width {
                    let top = sample(column, row * 2), bottom = sample(column, row * 2 + 1)
                    let cell: Cell
                    if colorMode == .none {
                        let luma = (Int(top.0) + Int(top.1) + Int(top.2) + Int(bottom.0) + Int(bottom.1) + Int(bottom.2)) / 6
                        let shades: [Unicode.Scalar] = [" ", "░", "▒", "▓", "█"]
                        cell = Cell(scalar: shades[min(4, luma * 5 / 256)], style: .plain)
                    } else {
                        cell = Cell(scalar: "▀", style: CellStyle(foreground: .rgb(top.0, top.1, top.2),
                                                                  background: .rgb(bottom.0, bottom.1, bottom.2)))
                    }
                    buffer[place.x + column, place.y + row] = cell
                }
            }
        }
        return place
    }

    /// Outlines the face box on the preview.
    static func drawFaceBox(_ box: FaceBox, placement: Placement, into buffer: inout CellBuffer, label: String? = nil) {
        let r = placement.cells(for: box)
        let style = CellStyle(foreground: .accent, background: .standard, bold: true)
        buffer.box(x: r.x, y: r.y, width: r.width, height: r.height, style: style)
        if let label { buffer.text(label, x: r.x, y: max(0, r.y - 1), style: style, maxWidth: max(r.width, 20)) }
    }
}
