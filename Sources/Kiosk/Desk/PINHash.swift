import Foundation
import Vision

/// Staff PINs are stored as PBKDF2-HMAC-SHA256 (a salted, deliberately slow hash),
/// never in plain text. Format: "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX".
enum PINHash {
    static let iterations = 20_000

    static func make(pin: String, salt: [UInt8]? = nil, iterations: Int = iterations) -> String {
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        let hash = pbkdf2(password: Array(pin.utf8), salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(hex(salt))$\(hex(hash))"
    }

    static func verify(pin: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), iterations > 0,
              let salt = bytes(fromHex: parts[2]), let expected = bytes(fromHex: parts[3]) else { return false }
        let actual = pbkdf2(password: Array(pin.utf8), salt: salt, iterations: iterations)
        // Constant-time comparison.
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var key = key.count > 64 ? SHA256.digest(of: key) : key
        key += [UInt8](repeating: 0, count: 64 - key.count)
        let inner = SHA256.digest(of: key.map { $0 ^ 0x36 } + message)
        return SHA256.digest(of: key.map { $0 ^ 0x5c } + inner)
    }

    /// PBKDF2 with one 32-byte block (RFC 8018).
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var u = hmac(key: password, message: salt + [0, 0, 0, 1])
        var result = u
        for _ in 1..<max(1, iterations) {
            u = hmac(key: password, message: u)
            for i in 0..<result.count { result[i] ^= u[i] }
        }
        return result
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(fromHex text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
