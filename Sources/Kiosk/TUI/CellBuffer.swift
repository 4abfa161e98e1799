/// What the screen should show: a grid of cells that screens draw into. The renderer
/// compares it with the previous one and sends only the changed cells to the terminal.
struct CellBuffer: Equatable {
    let width: Int
    let height: Int
    private(set) var cells: [Cell]

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: CellStyle) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { self[column, row] = Cell(scalar: " ", style: style) }
        }
    }

    /// Writes `text` from (x, y), clipped at `maxWidth` cells (default: the buffer's edge).
    /// Returns the number of cells used. Wide characters take two cells and are never split.
    @discardableResult
    mutating func text(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for scalar in text.unicodeScalars {
            let cellWidth = DisplayWidth.of(scalar)
            // Combining marks are dropped rather than misaligned; controls and format
            // characters (escape sequences, bidi overrides in old data) never reach curses.
            if cellWidth == 0 { continue }
            if column + cellWidth > limit { break }
            if column >= 0 {
                self[column, y] = Cell(scalar: scalar, style: style)
                if cellWidth == 2 { self[column + 1, y] = Cell(scalar: " ", style: style, continuation: true) }
            }
            column += cellWidth
        }
        return column - x
    }

    /// Text centred in [x, x + width).
    mutating func centered(_ text: String, x: Int = 0, width w: Int? = nil, y: Int, style: CellStyle = .plain) {
        let span = w ?? width
        let used = DisplayWidth.of(text)
        self.text(text, x: x + max(0, (span - used) / 2), y: y, style: style, maxWidth: span)
    }

    /// A frame of box-drawing characters around the rectangle.
    mutating func box(x: Int, y: Int, width w: Int, height h: Int, style: CellStyle, title: String? = nil) {
        guard w >= 2, h >= 2 else { return }
        for column in x..<(x + w) {
            self[column, y] = Cell(scalar: "─", style: style)
            self[column, y + h - 1] = Cell(scalar: "─", style: style)
        }
        for row in y..<(y + h) {
            self[x, row] = Cell(scalar: "│", style: style)
            self[x + w - 1, row] = Cell(scalar: "│", style: style)
        }
        self[x, y] = Cell(scalar: "┌", style: style)
        self[x + w - 1, y] = Cell(scalar: "┐", style: style)
        self[x, y + h - 1] = Cell(scalar: "└", style: style)
        self[x + w - 1, y + h - 1] = Cell(scalar: "┘", style: style)
        if let title { text(" \(title) ", x: x + 2, y: y, style: style, maxWidth: w - 4) }
    }

    /// The characters only, one line per row, trailing spaces trimmed: what snapshot
    /// tests compare and what a person would read.
    var textLines: [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width where !self[column, row].continuation {
                line.unicodeScalars.append(self[column, row].scalar)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    var plainText: String { textLines.joined(separator: "\n") }
}
