/// Splits text into lines of at most `width` terminal cells, at spaces when possible.
enum TextWrap {
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if DisplayWidth.of(candidate) <= width {
                current = candidate
            } else {
                if !current.isEmpty { lines.append(current) }
                var rest = word
                while DisplayWidth.of(rest) > width {
                    var head = ""
                    for ch in rest where DisplayWidth.of(head + String(ch)) <= width { head.append(ch) }
                    if head.isEmpty { break }
                    lines.append(head)
                    rest = String(rest.dropFirst(head.count))
                }
                current = rest
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
