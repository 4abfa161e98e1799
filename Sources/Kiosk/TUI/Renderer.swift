/// Sends a cell buffer to the terminal, only the cells that changed since the last
/// frame (no flicker, little output over SSH). The only code that talks to the backend.
final class Renderer {
    private let terminal: TerminalBackend
    private var previous: CellBuffer?
    private(set) var cellsWrittenLastFrame = 0

    init(terminal: TerminalBackend) { self.terminal = terminal }

    /// Forget the screen's contents (after a resize): the next frame is drawn in full.
    func invalidate() {
        previous = nil
        terminal.invalidate()
    }

    func render(_ buffer: CellBuffer) {
        if let curses = terminal as? CursesTerminal, curses.takeRepaintRequest() { previous = nil }
        let full = previous == nil || previous!.width != buffer.width || previous!.height != buffer.height
        var written = 0
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                if cell.continuation { continue }
                if !full, previous![x, y] == cell {
                    // A wide character's second cell may have changed alone.
                    if x + 1 < buffer.width, buffer[x + 1, y] != previous![x + 1, y] { } else { continue }
                }
                terminal.put(x: x, y: y, cell: cell)
                written += 1
            }
        }
        // Pairs redefined while drawing this frame: draw it again in full right away.
        if let curses = terminal as? CursesTerminal, curses.takeRepaintRequest() {
            for y in 0..<buffer.height { for x in 0..<buffer.width where !buffer[x, y].continuation { terminal.put(x: x, y: y, cell: buffer[x, y]) } }
        }
        terminal.flush()
        previous = buffer
        cellsWrittenLastFrame = written
    }
}
