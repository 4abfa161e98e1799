import Foundation

/// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.
/// Cells are visitor-typed text opened by staff in a spreadsheet, so a cell that a
/// spreadsheet would run as a formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`) is
/// neutralised as OWASP advises: a single quote in front makes it plain text. The same
/// text is often printed on a terminal (`kiosk people --format csv`), so control and
/// format characters other than line feeds are shown as visible escapes (`\u{1B}`), as
/// everywhere else the kiosk prints stored text; the kiosk never stores them itself.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map { quoted(neutralised($0.terminalSafeLines)) }.joined(separator: ",")
    }

    static func document(headers: [String], rows: [[String]]) -> String {
        ([line(headers)] + rows.map(line)).joined(separator: "\r\n") + "\r\n"
    }

    /// Characters that make a spreadsheet read a cell as a formula (or, for tab and
    /// carriage return, hide one behind them).
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `field` with a leading `'` when it starts with a formula character. Numbers such
    /// as "-0.5" stay numbers only if a caller has no negative values; ours has none
    /// (distances, counts and ids are never negative).
    static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, formulaStarts.contains(first) else { return field }
        return "'" + field
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
