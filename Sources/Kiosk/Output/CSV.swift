/// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map { field in
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }.joined(separator: ",")
    }

    static func document(headers: [String], rows: [[String]]) -> String {
        ([line(headers)] + rows.map(line)).joined(separator: "\r\n") + "\r\n"
    }
}
