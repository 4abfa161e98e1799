/// How many colours to use, from the environment and what the terminal reports.
enum ColorMode: Equatable {
    /// NO_COLOR set, or a terminal without colours: shapes and shading only.
    case none
    /// 8 or 16 colours: grey levels (black, dark grey, light grey, white).
    case grey
    /// The xterm 256-colour palette (the default).
    case palette256
    /// 24-bit colour (COLORTERM=truecolor or 24bit, and a terminal that takes direct colours).
    case direct

    static func detect(environment: [String: String], terminalColors: Int) -> ColorMode {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        if terminalColors <= 0 { return .none }
        if terminalColors < 256 { return .grey }
        let colorTerm = environment["COLORTERM"]?.lowercased() ?? ""
        if (colorTerm == "truecolor" || colorTerm == "24bit") && terminalColors >= 1 << 24 { return .direct }
        return .palette256
    }

    /// The terminal colour number for `color` in this mode (-1: the terminal's default).
    func number(for color: TerminalColor) -> Int {
        guard case let .rgb(r, g, b) = color else { return -1 }
        switch self {
        case .none: return -1
        case .direct: return Int(r) << 16 | Int(g) << 8 | Int(b)
        case .palette256: return Self.xterm256(r, g, b)
        case .grey:
            let luma = (299 * Int(r) + 587 * Int(g) + 114 * Int(b)) / 1000
            return luma < 48 ? 0 : luma < 112 ? 8 : luma < 192 ? 7 : 15
        }
    }

    /// Nearest entry of the xterm palette: the 6x6x6 cube (16-231) or the grey ramp (232-255).
    static func xterm256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        func cubeIndex(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let levels = [0, 95, 135, 175, 215, 255]
        let (ri, gi, bi) = (cubeIndex(r), cubeIndex(g), cubeIndex(b))
        let cube = 16 + 36 * ri + 6 * gi + bi
        let cubeError = sq(levels[ri] - Int(r)) + sq(levels[gi] - Int(g)) + sq(levels[bi] - Int(b))
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = average > 238 ? 23 : max(0, (average - 3) / 10)
        let greyLevel = 8 + 10 * greyIndex
        let greyError = sq(greyLevel - Int(r)) + sq(greyLevel - Int(g)) + sq(greyLevel - Int(b))
        return greyError < cubeError ? 232 + greyIndex : cube
    }

    private static func sq(_ v: Int) -> Int { v * v }
}
