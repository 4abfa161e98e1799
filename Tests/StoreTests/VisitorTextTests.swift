import Foundation
import Testing
@testable import Store

/// Names and preferences are typed by anyone in the lobby (or arrive as `import` folder
/// names): each test is an attack the store must refuse, or a real name it must keep.
@Suite("Visitor text: names and preferences that could attack a terminal or the desk")
struct VisitorTextTests {
    /// Retitles the staff member's terminal, rings the bell, then clears the screen.
    static let terminalAttack = "\u{1B}]0;pwned\u{07}\u{1B}[2J"

    func message(_ body: () throws -> Void) -> String? {
        thrownError(body).map { "\($0)" }
    }

    @Test func escapeSequenceNameIsRefusedWithAClearMessage() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 40)
        let refusal = message { try database.enroll(enrollment("Mallory" + Self.terminalAttack, [factory.embedding()])) }
        let text = try #require(refusal)
        #expect(text.contains("name"))
        #expect(text.contains("U+001B"))
        #expect(!text.unicodeScalars.contains("\u{1B}"), "the message must not carry the attack itself")
        #expect(try database.personCount() == 0)
    }

    @Test(arguments: [
        ("\u{9B}2J", "U+009B"),  // C1 CSI: a one-byte escape sequence on 8-bit terminals
        ("\u{7F}", "U+007F"),
        ("Ana\nBob", "U+000A"),
        ("Ana\tBob", "U+0009"),
        ("evil\u{202E}gpj.exe", "U+202E"),  // right-to-left override
        ("\u{2066}Ana\u{2069}", "U+2066"),  // left-to-right isolate
        ("An\u{200B}a", "U+200B"),  // zero-width space: two names that look the same
        ("\u{FEFF}Ana", "U+FEFF"),
        ("Ana\u{2028}Bob", "U+2028"),
    ])
    func controlAndFormatCharactersAreRefused(name: String, code: String) throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 41)
        let text = try #require(message { try database.enroll(enrollment(name, [factory.embedding()])) })
        #expect(text.contains(code), "\(text)")
        #expect(try database.personCount() == 0)
    }

    @Test func bidiOverrideMessageSaysWhatItIs() throws {
        let text = try #require(message { _ = try VisitorText.normalized("evil\u{202E}gpj.exe", as: .name) })
        #expect(text == "The name contains a text-direction control character (U+202E), which is not allowed; type it again without it.")
    }

    @Test func aHundredThousandCharacterNameIsRefused() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 42)
        let text = try #require(message { try database.enroll(enrollment(String(repeating: "A", count: 100_000), [factory.embedding()])) })
        #expect(text == "The name is too long: at most 80 characters.")
        #expect(try database.personCount() == 0)
    }

    @Test func eightyCharactersAreAcceptedEightyOneAreNot() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 43)
        let longest = String(repeating: "Zoë ", count: 20).trimmingCharacters(in: .whitespaces) + "!"  // 80 characters
        #expect(longest.count == 80)
        try database.enroll(enrollment(longest, [factory.embedding()]))
        #expect(try database.people().map(\.name) == [longest])
        #expect(throws: StoreError.self) { try database.enroll(enrollment(longest + "x", [factory.embedding()])) }
        // Wide characters count as one character each, as a person counts them.
        try database.enroll(enrollment(String(repeating: "李", count: 80), [factory.embedding()]))
    }

    @Test func stackedCombiningMarksCannotHideAHugeName() throws {
        // One visible character carrying 10,000 accents: short to count, huge to store and draw.
        let zalgo = "a" + String(repeating: "\u{0301}", count: 10_000)
        #expect(zalgo.count == 1)
        let text = try #require(message { _ = try VisitorText.normalized(zalgo, as: .name) })
        #expect(text.contains("too long"))
        // A real name with a few combining marks is fine (Vietnamese: stacked diacritics).
        #expect(try VisitorText.normalized("Nguyễn Thị Ánh", as: .name) == "Nguyễn Thị Ánh")
    }

    @Test func decomposedInputIsStoredComposed() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 44)
        let decomposed = "Zoe\u{0308} A\u{030A}ngstro\u{0308}m"  // what macOS file names and some keyboards give
        let composed = "Zo\u{00EB} \u{00C5}ngstr\u{00F6}m"
        let person = try database.enroll(enrollment(decomposed, [factory.embedding()],
                                                    preferences: [("cafe\u{0301}", "cre\u{0300}me bru\u{0302}le\u{0301}e")]))
        let stored = try #require(try database.people().first?.name)
        #expect(Array(stored.unicodeScalars) == Array(composed.unicodeScalars))
        #expect(try database.person(matching: composed).id == person.id)
        let preference = try #require(try database.preferences(personId: person.id!).first)
        #expect(Array(preference.key.unicodeScalars) == Array("caf\u{00E9}".unicodeScalars))
        #expect(Array(preference.value.unicodeScalars) == Array("cr\u{00E8}me br\u{00FB}l\u{00E9}e".unicodeScalars))
    }

    @Test func namesAreTrimmedAndNotEmpty() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 45)
        try database.enroll(enrollment("  Ana Lima \n", [factory.embedding()]))
        #expect(try database.people().map(\.name) == ["Ana Lima"])
        #expect(message { try database.enroll(enrollment(" \u{3000} ", [factory.embedding()])) } == "A name is required.")
    }

    @Test func preferencesFollowTheSameRulesThroughEveryEntryPoint() throws {
        let database = try AppDatabase.inMemory()
        var factory = EmbeddingFactory(state: 46)
        let person = try database.enroll(enrollment("Priya", [factory.embedding()], preferences: [("drink", "tea")]))
        let id = try #require(person.id)

        let attackKey = try #require(message { try database.setPreferences(personId: id, [("drink" + Self.terminalAttack, "tea")]) })
        #expect(attackKey.contains("A preference name") && attackKey.contains("U+001B"))
        let attackValue = try #require(message { try database.setPreferences(personId: id, [("drink", "tea\u{202E}")]) })
        #expect(attackValue.contains("The value of the preference 'drink'") && attackValue.contains("U+202E"))
        #expect(message { try database.setPreferences(personId: id, [(String(repeating: "k", count: 33), "v")]) }
                == "A preference name is too long: at most 32 characters.")
        #expect(message { try database.setPreferences(personId: id, [("drink", String(repeating: "v", count: 201))]) }
                == "The value of the preference 'drink' is too long: at most 200 characters.")
        let tooMany = (0..<21).map { (key: "k\($0)", value: "v") }
        #expect(message { try database.setPreferences(personId: id, tooMany) } == "Too many preferences: at most 20.")
        // Enrollment applies the same rules.
        #expect(throws: StoreError.self) {
            try database.enroll(enrollment("Sam", [factory.embedding()], preferences: [("room", "21\u{1B}[2J")]))
        }
        // Nothing refused was stored; the limits themselves are accepted.
        #expect(try database.preferences(personId: id).map(\.value) == ["tea"])
        let atLimits = (0..<20).map { (key: String(repeating: "k", count: 30) + String(format: "%02d", $0), value: String(repeating: "v", count: 200)) }
        try database.setPreferences(personId: id, atLimits)
        #expect(try database.preferences(personId: id).count == 20)
    }
}
