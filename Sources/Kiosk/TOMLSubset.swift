import Foundation

/// A reader for the small part of TOML the kiosk's configuration uses: `[section]`
/// headers, `key = value` lines with strings, integers, floats and booleans, and `#`
/// comments. Anything else is an error with its line number, never silently ignored.
enum TOMLSubset {
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
    }

    struct ParseError: Error, Equatable, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    /// Returns `section.key` -> value (keys before any section have no prefix).
    static func parse(_ text: String) throws(ParseError) -> [String: Value] {
        var result: [String: Value] = [:]
        var section = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingWhitespace()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw ParseError(line: lineNumber, message: "a section header looks like [name]")
                }
                section = String(line.dropFirst().dropLast()).trimmingWhitespace()
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: lineNumber, message: "expected key = value")
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            let rawValue = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw ParseError(line: lineNumber, message: "invalid key '\(key)'")
            }
            let fullKey = section.isEmpty ? key : section + "." + key
            guard result[fullKey] == nil else { throw ParseError(line: lineNumber, message: "\(fullKey) is set twice") }
            result[fullKey] = try value(rawValue, line: lineNumber)
        }
        return result
    }

    private static func value(_ raw: String, line: Int) throws(ParseError) -> Value {
        if raw == "true" { return .boolean(true) }
        if raw == "false" { return .boolean(false) }
        if raw.hasPrefix("\"") {
            guard raw.count >= 2, raw.hasSuffix("\"") else { throw ParseError(line: line, message: "unterminated string") }
            return .string(unescape(String(raw.dropFirst().dropLast())))
        }
        let digits = raw.replacingOccurrences(of: "_", with: "")
        if let integer = Int(digits) { return .integer(integer) }
        if let float = Double(digits), float.isFinite { return .float(float) }
        throw ParseError(line: line, message: "cannot read the value '\(raw)' (strings need double quotes)")
    }

    /// Removes a `#` comment that is not inside a string.
    private static func stripComment(_ line: String) -> String {
        var inString = false
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if character == "\"" && previous != "\\" { inString.toggle() }
            if character == "#" && !inString { return String(line.prefix(offset)) }
            previous = character
        }
        return line
    }

    private static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\n", with: "\n")
            .replacingOccurrences(of: "\\\\", with: "\\")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

}
