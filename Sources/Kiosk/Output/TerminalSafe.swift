/// Stored text (names, preferences, kiosk ids, camera names, paths) made safe to print
/// on a terminal. A name written raw can retitle or clear the staff member's terminal
/// (`ESC]0;...BEL`, `ESC[2J`), and the C1 byte CSI (U+009B) does the same on terminals
/// that honour 8-bit controls; a bidi override makes text read differently from what it
/// is. Such characters are shown as visible escapes (`\u{1B}`) instead.
extension String {
    /// Every C0/C1 control, DEL, line or paragraph separator and Unicode format character
    /// (bidi overrides and isolates, zero-width characters, U+FEFF) replaced by `\u{XX}`.
    var terminalSafe: String { TerminalSafe.escape(self, keepingNewlines: false) }

    /// Like `terminalSafe`, but line feeds stay: for messages made of several lines.
    var terminalSafeLines: String { TerminalSafe.escape(self, keepingNewlines: true) }

    /// JSON text with the characters JSONEncoder leaves raw (DEL, C1 controls such as
    /// the one-byte CSI U+009B, bidi and other format characters) written as `\uXXXX`
    /// escapes: the same JSON value, safe to print on a terminal.
    var jsonTerminalSafe: String {
        guard unicodeScalars.contains(where: TerminalSafe.needsEscape) else { return self }
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            guard TerminalSafe.needsEscape(scalar) else {
                result.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {  // surrogate pairs above U+FFFF, as JSON requires
                let hex = String(unit, radix: 16, uppercase: false)
                result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            }
        }
        return String(result)
    }
}

enum TerminalSafe {
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    static func escape(_ text: String, keepingNewlines: Bool) -> String {
        func escaped(_ scalar: Unicode.Scalar) -> Bool { needsEscape(scalar) && !(keepingNewlines && scalar == "\n") }
        // Nearly all text is clean: return it untouched without building a copy.
        guard text.unicodeScalars.contains(where: escaped) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if escaped(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}
