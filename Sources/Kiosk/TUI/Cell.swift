/// A terminal colour as the screens ask for it; the renderer maps it to what the
/// terminal can show (24-bit, 256 colours, grey levels, or nothing with NO_COLOR).
enum TerminalColor: Hashable, Sendable {
    case standard
    case rgb(UInt8, UInt8, UInt8)

    static let white = TerminalColor.rgb(255, 255, 255)
    static let black = TerminalColor.rgb(0, 0, 0)
    static let accent = TerminalColor.rgb(80, 200, 120)
    static let warning = TerminalColor.rgb(240, 180, 40)
    static let danger = TerminalColor.rgb(230, 70, 70)
    static let muted = TerminalColor.rgb(150, 150, 150)
    static let panel = TerminalColor.rgb(30, 40, 60)
}

struct CellStyle: Hashable, Sendable {
    var foreground: TerminalColor = .standard
    var background: TerminalColor = .standard
    var bold = false
    var reverse = false
    var underline = false

    static let plain = CellStyle()
}

/// One character cell. A wide character (CJK, emoji) occupies its cell and the next,
/// which holds a `continuation` marker and is never drawn on its own.
struct Cell: Hashable, Sendable {
    var scalar: Unicode.Scalar
    var style: CellStyle
    var continuation = false

    static let blank = Cell(scalar: " ", style: .plain)
}
