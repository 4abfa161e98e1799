import Foundation
import Testing
@testable import DeskCore

@Suite("Staff PIN hash")
struct PINHashTests {
    /// PBKDF2-HMAC-SHA256 known answers: RFC 7914 section 11 ("passwd"/"salt", 1 round;
    /// "Password"/"NaCl", 80,000 rounds; 64 bytes) and the widely published "password"/"salt"
    /// vectors (32 bytes). All re-checked against Python's hashlib.pbkdf2_hmac.
    @Test(arguments: [
        ("password", "salt", 1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        ("passwd", "salt", 1, 64,
         "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
        ("Password", "NaCl", 80_000, 64,
         "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
    ])
    func pbkdf2KnownAnswers(password: String, salt: String, iterations: Int, byteCount: Int, expected: String) {
        let derived = PINHash.pbkdf2(password: Array(password.utf8), salt: Array(salt.utf8),
                                     iterations: iterations, byteCount: byteCount)
        #expect(PINHash.hex(derived) == expected)
    }

    /// Made by the hand-written PBKDF2 this replaced (20,000 rounds), for the PIN "246810",
    /// and confirmed with Python's hashlib.
    static let oldHash = "pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a"

    @Test func hashFromTheOldCodeStillVerifiesAndAsksForAnUpgrade() {
        #expect(PINHash.check(pin: "246810", against: Self.oldHash) == .correct(needsUpgrade: true))
        #expect(PINHash.verify(pin: "246810", against: Self.oldHash))
        #expect(PINHash.needsUpgrade(Self.oldHash))
        #expect(PINHash.check(pin: "246811", against: Self.oldHash) == .wrong)
        #expect(!PINHash.verify(pin: "24681", against: Self.oldHash))
    }

    @Test func newHashUsesTodaysParametersAndVerifies() {
        let stored = PINHash.make(pin: "135790")
        let parts = stored.split(separator: "$")
        #expect(parts.count == 4)
        #expect(parts.first == "pbkdf2-sha256")
        #expect(Int(parts[1]) == PINHash.iterations)
        #expect(PINHash.iterations >= 600_000)
        #expect(parts[2].count == 32, "16 bytes of salt")
        #expect(parts[3].count == 64, "32 bytes of hash")
        #expect(!stored.contains("135790"))
        #expect(!PINHash.needsUpgrade(stored))
        #expect(PINHash.check(pin: "135790", against: stored) == .correct(needsUpgrade: false))
        #expect(PINHash.check(pin: "135791", against: stored) == .wrong)
    }

    @Test func eachHashHasItsOwnSalt() {
        let first = PINHash.make(pin: "135790", iterations: 1000)
        let second = PINHash.make(pin: "135790", iterations: 1000)
        #expect(first != second)
        #expect(first.split(separator: "$")[2] != second.split(separator: "$")[2])
        #expect(PINHash.verify(pin: "135790", against: first) && PINHash.verify(pin: "135790", against: second))
    }

    @Test func fewerRoundsOrAShortSaltNeedAnUpgrade() {
        let hash = String(repeating: "ab", count: 32)
        let sixteenBytes = String(repeating: "01", count: 16)
        #expect(!PINHash.needsUpgrade("pbkdf2-sha256$\(PINHash.iterations)$\(sixteenBytes)$\(hash)"))
        #expect(!PINHash.needsUpgrade("pbkdf2-sha256$\(PINHash.iterations + 1)$\(sixteenBytes)$\(hash)"))
        #expect(PINHash.needsUpgrade("pbkdf2-sha256$\(PINHash.iterations - 1)$\(sixteenBytes)$\(hash)"))
        #expect(PINHash.needsUpgrade("pbkdf2-sha256$\(PINHash.iterations)$0102030405060708$\(hash)"), "8-byte salt")
    }

    /// Each of these is refused as not matching, quickly: none is computed.
    @Test(arguments: [
        "",
        "garbage",
        "pbkdf2-sha256",
        "pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c743136",
        "pbkdf2-sha1$20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "PBKDF2-SHA256$20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$+20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$-20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$0$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$2e4$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$10000001$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$999999999999999999999$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$20000$$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c74313$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$20000$+b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$20000$zz696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
        "pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe54",
        "pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c743136$",
        "pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a$",
        " pbkdf2-sha256$20000$6b696f736b2d6f6c642d73616c743136$cb2d656adddcb7b69b61188efde2f6fbdd80c290c84d5773ef93092ee1fe546a",
    ])
    func malformedStoredHashesNeverMatch(stored: String) {
        #expect(PINHash.check(pin: "246810", against: stored) == .wrong)
        #expect(!PINHash.verify(pin: "246810", against: stored))
        #expect(PINHash.needsUpgrade(stored))
    }

    @Test func theWellFormedTwinOfTheMalformedCasesMatches() {
        // Guards the test above: the same PIN against the intact hash is correct, so the
        // refusals there come from the damage, not from the PIN.
        #expect(PINHash.check(pin: "246810", against: Self.oldHash).isCorrect)
        #expect(PINHash.check(pin: "246810", against: Self.oldHash.uppercased()
            .replacingOccurrences(of: "PBKDF2-SHA256", with: "pbkdf2-sha256")).isCorrect, "hex in upper case")
    }

    @Test(arguments: [
        ("123456", true),
        ("000000", true),
        (String(repeating: "9", count: 32), true),
        ("12345", false),
        ("", false),
        (String(repeating: "9", count: 33), false),
        ("12345a", false),
        (" 123456", false),
        ("123456\n", false),
        ("٠١٢٣٤٥", false),  // Arabic-Indic digits
        ("१२३४५६", false),  // Devanagari digits
        ("１２３４５６", false),  // full-width digits
        ("12345６", false),
        ("½23456", false),
    ])
    func onlySixToThirtyTwoASCIIDigitsAreAcceptable(pin: String, acceptable: Bool) {
        let refusal = PINHash.isAcceptable(pin: pin)
        #expect((refusal == nil) == acceptable, "\(pin): \(refusal ?? "accepted")")
        if let refusal { #expect(!refusal.isEmpty) }
    }

    @Test func refusalsSayWhatIsWrong() {
        #expect(PINHash.isAcceptable(pin: "12345")?.contains("at least 6") == true)
        #expect(PINHash.isAcceptable(pin: String(repeating: "1", count: 33))?.contains("at most 32") == true)
        #expect(PINHash.isAcceptable(pin: "٠١٢٣٤٥")?.contains("0 to 9") == true)
    }

    @Test func comparisonLooksAtEveryByte() {
        #expect(PINHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!PINHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!PINHash.constantTimeEqual([0, 2, 3], [1, 2, 3]))
        #expect(!PINHash.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    /// Prints how long one check of a PIN takes with today's parameters (run it in the
    /// release build: `swift test -c release --filter PINHashTests/verificationTime`).
    /// Only the answer is asserted, never the time.
    @Test func verificationTime() {
        let stored = PINHash.make(pin: "135790")
        var seconds: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            #expect(PINHash.check(pin: "135790", against: stored) == .correct(needsUpgrade: false))
            let elapsed = ContinuousClock.now - start
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let sorted = seconds.sorted()
        print("PIN verification, \(PINHash.iterations) PBKDF2-HMAC-SHA256 rounds: median \(String(format: "%.3f", sorted[2])) s "
            + "(runs: \(sorted.map { String(format: "%.3f", $0) }.joined(separator: ", ")))")
    }
}
