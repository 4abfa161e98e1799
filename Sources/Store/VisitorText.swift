import Foundation

/// The rules for text that visitors, receptionists and import folders put into the
/// database: names, preference keys and values. Anyone at the lobby keyboard can type
/// them and staff terminals and spreadsheets later show them, so stored text is
/// NFC-normalised, bounded in length, and free of characters that steer a terminal or
/// hide what the text says (controls, bidi overrides, invisible format characters).
public enum VisitorText {
    /// Longest name, in characters as a person counts them (grapheme clusters).
    public static let nameLimit = 80
    /// Longest preference key ("drink").
    public static let keyLimit = 32
    /// Longest preference value ("oat latte, no sugar").
    public static let valueLimit = 200
    /// Most preferences one person can have.
    public static let preferenceLimit = 20
    /// A grapheme may carry a few combining marks (Vietnamese, Indic scripts), not
    /// hundreds: this bounds stored bytes per character, so a short-looking name cannot
    /// hide megabytes of stacked accents.
    public static let scalarsPerCharacter = 4

    /// What the text is, for messages a receptionist reads ("the name", "the preference 'drink'").
    public enum Field: Sendable, Equatable {
        case name
        case preferenceKey
        case preferenceValue(key: String)

        var label: String {
            switch self {
            case .name: return "The name"
            case .preferenceKey: return "A preference name"
            case .preferenceValue(let key): return "The value of the preference '\(key)'"
            }
        }

        public var limit: Int {
            switch self {
            case .name: return VisitorText.nameLimit
            case .preferenceKey: return VisitorText.keyLimit
            case .preferenceValue: return VisitorText.valueLimit
            }
        }
    }

    /// True for characters refused anywhere in visitor text: C0 and C1 controls and DEL
    /// (general category Cc: they drive terminals), format characters (Cf: bidi
    /// overrides and isolates U+202A-U+202E and U+2066-U+2069, zero-width spaces and
    /// joiners U+200B-U+200F, U+FEFF) and the line and paragraph separators.
    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// True when `character` holds no refused scalar (what the kiosk form accepts as typed).
    public static func isAllowed(_ character: Character) -> Bool {
        !character.unicodeScalars.contains(where: isRefused)
    }

    /// `text` NFC-normalised and trimmed of surrounding white space (a pasted trailing
    /// newline is forgiven; one inside is refused), or a message saying
    /// which field is wrong and why. Refused characters are named by code point (U+202E),
    /// never echoed, since echoing them is the attack.
    public static func normalized(_ text: String, as field: Field) throws(StoreError) -> String {
        let composed = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        if let refused = composed.unicodeScalars.first(where: isRefused) {
            throw .invalidInput("\(field.label) contains \(describe(refused)), which is not allowed; type it again without it.")
        }
        // Scalars first: a huge text is refused without counting its grapheme clusters.
        if composed.unicodeScalars.count > field.limit * scalarsPerCharacter || composed.count > field.limit {
            throw .invalidInput("\(field.label) is too long: at most \(field.limit) characters.")
        }
        return composed
    }

    /// "a control character (U+001B)", "a text-direction control character (U+202E)".
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069:
            return "a text-direction control character (\(code))"
        case 0x0A, 0x0D, 0x2028, 0x2029:
            return "a line break (\(code))"
        default:
            return scalar.properties.generalCategory == .format
                ? "an invisible formatting character (\(code))" : "a control character (\(code))"
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
