/// Splits text into lines of at most `width` terminal cells, at spaces when possible;
/// a word longer than a line is cut between characters (never inside one: an accent
/// stays with its letter, a wide character is never split).
///
/// One pass over the text with a running width per line, so the cost is linear in the
/// text's length: the greeting of a very long name must not stall the desk. (Measuring
/// each growing candidate line again, as before, was quadratic.)
enum TextWrap {
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        var currentIsEmpty = true

        func finishLine() {
            lines.append(current)
            current = ""
            currentWidth = 0
            currentIsEmpty = true
        }

        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let wordWidth = DisplayWidth.of(word)
            if currentIsEmpty ? wordWidth <= width : currentWidth + 1 + wordWidth <= width {
                if !currentIsEmpty {
                    current.append(" ")
                    currentWidth += 1
                }
                current.append(contentsOf: word)
                currentWidth += wordWidth
                currentIsEmpty = current.isEmpty
                continue
            }
            if !currentIsEmpty { finishLine() }
            if wordWidth <= width {
                current = String(word)
                currentWidth = wordWidth
                currentIsEmpty = current.isEmpty
                continue
            }
            // Longer than a whole line: cut it into line-sized pieces.
            for character in word {
                let characterWidth = DisplayWidth.of(character)
                if !currentIsEmpty && currentWidth + characterWidth > width { finishLine() }
                current.append(character)
                currentWidth += characterWidth
                currentIsEmpty = false
            }
        }
        if !currentIsEmpty { lines.append(current) }
        return lines
    }
}
