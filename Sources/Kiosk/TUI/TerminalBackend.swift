import Foundation
import CNcursesShim
#if canImport(Glibc)
import Glibc
#endif

/// The terminal at the edge: curses in the kiosk, a recorder in tests.
protocol TerminalBackend: AnyObject {
    var size: (width: Int, height: Int) { get }
    var colorMode: ColorMode { get }
    func put(x: Int, y: Int, cell: Cell)
    func flush()
    /// Forget what is on screen and repaint everything on the next flush.
    func invalidate()
    func readKey(timeoutMilliseconds: Int) -> Key?
}

/// ncursesw. Colour pairs are managed here: each (foreground, background) combination
/// gets a pair number from a cache; when the cache is full it is emptied and the whole
/// screen repainted, so no cell ever shows a pair that was redefined under it.
final class CursesTerminal: TerminalBackend {
    let colorMode: ColorMode
    private var pairs: [PairKey: Int32] = [:]
    private let maxPairs: Int
    private(set) var needsFullRepaint = false

    private struct PairKey: Hashable { let foreground: Int; let background: Int }

    init(environment: [String: String]) throws {
        // The thread that owns the terminal is where deep recursion (layout, wrapping) would
        // overflow the stack: give it the crash handler's alternate stack.
        TerminalGuard.prepareCurrentThread()
        let direct = Self.directColorVariant(environment: environment)
        let colors = direct.map { kiosk_curses_start($0) } ?? kiosk_curses_start(nil)
        guard colors >= 0 else { throw TerminalError.cannotStart }
        colorMode = ColorMode.detect(environment: environment, terminalColors: Int(colors))
        maxPairs = max(0, Int(kiosk_curses_color_pairs()) - 1)
    }

    /// With COLORTERM=truecolor (or 24bit), the "-direct" terminfo entry of the terminal
    /// (xterm-256color -> xterm-direct, tmux-256color -> tmux-direct) when it is installed
    /// (package ncurses-term): curses then takes 24-bit colours as colour numbers.
    static func directColorVariant(environment: [String: String]) -> String? {
        let colorTerm = environment["COLORTERM"]?.lowercased() ?? ""
        guard colorTerm == "truecolor" || colorTerm == "24bit", let term = environment["TERM"], !term.contains("direct"),
              let family = term.split(separator: "-").first.map(String.init) else { return nil }
        let candidate = family + "-direct"
        let initial = String(candidate.prefix(1))
        let installed = ["/usr/share/terminfo", "/lib/terminfo", "/etc/terminfo"].contains {
            FileManager.default.fileExists(atPath: "\($0)/\(initial)/\(candidate)")
        }
        return installed ? candidate : nil
    }

    enum TerminalError: Error, CustomStringConvertible {
        case cannotStart
        var description: String { "cannot start the terminal (is TERM set, and is this a terminal?)" }
    }

    func stop() { kiosk_curses_stop() }

    var size: (width: Int, height: Int) {
        var rows: Int32 = 0, columns: Int32 = 0
        kiosk_curses_size(&rows, &columns)
        return (Int(columns), Int(rows))
    }

    /// True once after the pair cache was emptied: the renderer must redraw everything.
    func takeRepaintRequest() -> Bool {
        defer { needsFullRepaint = false }
        return needsFullRepaint
    }

    func put(x: Int, y: Int, cell: Cell) {
        var attributes: Int32 = 0
        if cell.style.bold { attributes |= 1 }
        if cell.style.reverse { attributes |= 2 }
        if cell.style.underline { attributes |= 4 }
        kiosk_curses_put(Int32(y), Int32(x), cell.scalar.value, pair(for: cell.style), attributes)
    }

    private func pair(for style: CellStyle) -> Int32 {
        guard colorMode != .none, maxPairs > 0 else { return 0 }
        let key = PairKey(foreground: colorMode.number(for: style.foreground), background: colorMode.number(for: style.background))
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        if pairs.count >= maxPairs {
            pairs.removeAll(keepingCapacity: true)
            needsFullRepaint = true
        }
        let pair = Int32(pairs.count + 1)
        kiosk_curses_define_pair(pair, Int32(key.foreground), Int32(key.background))
        pairs[key] = pair
        return pair
    }

    func flush() { kiosk_curses_refresh() }

    func invalidate() { kiosk_curses_clear() }

    /// True when the terminal is really gone (its pty hung up or was closed): poll(2)
    /// reports a hang-up or error on standard input. Only this ends the desk without a
    /// key; keys it cannot decode, however many, never do.
    var isLost: Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return errno != EINTR }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// The next key the desk understands; keys it cannot decode (F13, Ctrl-\\, stray
    /// escape sequences) are skipped without waiting again. Nil when none came in time.
    func readKey(timeoutMilliseconds: Int) -> Key? {
        var timeout = Int32(timeoutMilliseconds)
        for _ in 0..<4096 {
            var value: UInt32 = 0
            let kind = kiosk_curses_read_key(timeout, &value)
            guard kind >= 0 else { return nil }
            if let key = Key.decode(isFunctionKey: kind == 1, value: value) { return key }
            timeout = 0
        }
        return nil
    }
}
