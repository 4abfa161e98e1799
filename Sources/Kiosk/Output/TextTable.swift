/// Renders rows as aligned text columns, measuring names by their width on a terminal
/// (CJK and emoji take two cells) so UTF-8 names line up. Cells hold stored data, so
/// control characters in them are shown escaped, never sent to the terminal.
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    init(headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let headers = self.headers.map(\.terminalSafe)
        let rows = self.rows.map { $0.map(\.terminalSafe) }
        var widths = headers.map { DisplayWidth.of($0) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], DisplayWidth.of(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - DisplayWidth.of(cell))
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}
