import Crypto
import _CryptoExtras

/// Staff PINs are stored as PBKDF2-HMAC-SHA256 (a salted, deliberately slow hash),
/// never in plain text. Format: "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX".
///
/// The iteration count and salt travel with the hash, so hashes made with older, weaker
/// parameters (20,000 iterations before) still verify; `check` tells the caller when a
/// correct PIN was checked against such a hash so that it can store a fresh one.
public enum PINHash {
    /// OWASP asks at least 600,000 rounds of PBKDF2-HMAC-SHA256. 2,000,000 puts one check
    /// at about 0.3 s in the release build on the desk's 2 cores (0.09 s at 600,000):
    /// slow for anyone guessing offline, quick enough for staff at the keyboard.
    public static let iterations = 2_000_000

    /// A stored hash claiming more rounds than this is treated as not matching: a damaged or
    /// planted count must not hold the desk (4 billion rounds take about 10 minutes, and
    /// more than UInt32.max would trap in BoringSSL's interface).
    public static let maximumIterations = 10_000_000

    public static let saltByteCount = 16
    static let hashByteCount = 32
    static let scheme = "pbkdf2-sha256"

    /// The outcome of checking a PIN against a stored hash.
    public enum Verification: Equatable, Sendable {
        case wrong
        /// `needsUpgrade` is true when the stored hash uses weaker parameters than
        /// `make` uses today: store `make(pin:)` for this PIN after a correct entry.
        case correct(needsUpgrade: Bool)

        public var isCorrect: Bool { self != .wrong }
    }

    public static func make(pin: String, salt: [UInt8]? = nil, iterations: Int = iterations) -> String {
        precondition((1...maximumIterations).contains(iterations), "PBKDF2 iterations out of range")
        let salt = salt ?? randomSalt()
        precondition(!salt.isEmpty, "a PIN hash needs a salt")
        let hash = pbkdf2(password: Array(pin.utf8), salt: salt, iterations: iterations)
        return "\(scheme)$\(iterations)$\(hex(salt))$\(hex(hash))"
    }

    public static func check(pin: String, against stored: String) -> Verification {
        guard let parameters = StoredHash(stored) else { return .wrong }
        let actual = pbkdf2(password: Array(pin.utf8), salt: parameters.salt, iterations: parameters.iterations,
                            byteCount: parameters.hash.count)
        guard constantTimeEqual(actual, parameters.hash) else { return .wrong }
        return .correct(needsUpgrade: parameters.isWeakerThanToday)
    }

    public static func verify(pin: String, against stored: String) -> Bool {
        check(pin: pin, against: stored).isCorrect
    }

    /// True when `stored` was made with weaker parameters than `make` uses today (or cannot
    /// be read at all). It says nothing about whether any PIN matches it.
    public static func needsUpgrade(_ stored: String) -> Bool {
        StoredHash(stored)?.isWeakerThanToday ?? true
    }

    public static let minimumDigits = 6
    public static let maximumDigits = 32

    /// Nil when `pin` may become the staff PIN, else the reason it may not. Only the ASCII
    /// digits 0-9 count: other scripts' digits look alike on screen but hash differently,
    /// and a kiosk keypad cannot type them.
    public static func isAcceptable(pin: String) -> String? {
        guard pin.unicodeScalars.allSatisfy({ $0.isASCII && ("0"..."9").contains($0) }) else {
            return "A PIN is made of the digits 0 to 9 only."
        }
        if pin.utf8.count < minimumDigits { return "A PIN needs at least \(minimumDigits) digits." }
        if pin.utf8.count > maximumDigits { return "A PIN has at most \(maximumDigits) digits." }
        return nil
    }

    /// PBKDF2-HMAC-SHA256 (RFC 8018) from swift-crypto. The callers check the parameters
    /// first; BoringSSL refuses only on allocation failure.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int = hashByteCount) -> [UInt8] {
        do {
            // "unsafeUnchecked" only because the checked variant refuses fewer than 210,000
            // rounds, and hashes stored before this change have 20,000.
            let key = try KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: .sha256,
                                                         outputByteCount: byteCount, unsafeUncheckedRounds: iterations)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            preconditionFailure("PBKDF2 failed: \(error)")
        }
    }

    static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()  // the operating system's CSPRNG
        return (0..<saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Compares every byte whatever the first difference, so the time taken does not tell
    /// an attacker how much of a guess was right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Nil unless `text` is an even number of ASCII hex digits (no sign, no spaces).
    static func bytes(fromHex text: Substring) -> [UInt8]? {
        let ascii = Array(text.utf8)
        guard ascii.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(ascii.count / 2)
        var index = 0
        while index < ascii.count {
            guard let high = nibble(ascii[index]), let low = nibble(ascii[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// A stored hash taken apart, or nil when it is not one this code could have written
    /// (unknown scheme, absurd iteration count, empty or oversized salt, wrong hash size).
    struct StoredHash {
        let iterations: Int
        let salt: [UInt8]
        let hash: [UInt8]

        init?(_ stored: String) {
            let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == PINHash.scheme else { return nil }
            // Digits only: Int("+20000") and Int("-1") parse, and neither belongs here.
            let count = parts[1]
            guard !count.isEmpty, count.utf8.count <= String(PINHash.maximumIterations).utf8.count,
                  count.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let iterations = Int(count), (1...PINHash.maximumIterations).contains(iterations) else { return nil }
            guard let salt = PINHash.bytes(fromHex: parts[2]), (1...64).contains(salt.count),
                  let hash = PINHash.bytes(fromHex: parts[3]), hash.count == PINHash.hashByteCount else { return nil }
            self.iterations = iterations
            self.salt = salt
            self.hash = hash
        }

        var isWeakerThanToday: Bool {
            iterations < PINHash.iterations || salt.count < PINHash.saltByteCount
        }
    }
}
