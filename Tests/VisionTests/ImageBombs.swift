import Foundation

/// Files that declare far more pixels than they hold: what an attacker leaves in a
/// photo folder to make a decoder allocate gigabytes.
enum ImageBombs {
    /// A well-formed, tiny PNG whose IHDR says `width` x `height` RGB. Its IDAT holds at
    /// most the first row (up to 1 KB of black): the header alone is the threat, and at
    /// 1x1 the same bytes are a complete image.
    static func png(width: UInt32, height: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]  // 8-bit RGB, no interlace
        bytes += chunk("IHDR", ihdr)
        let firstRow = [UInt8](repeating: 0, count: min(1 + 3 * Int(width), 1024))  // filter byte + pixels
        bytes += chunk("IDAT", storedZlib(height == 0 ? [] : firstRow))
        bytes += chunk("IEND", [])
        return bytes
    }

    /// A zlib stream holding `data` uncompressed (one stored deflate block).
    private static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        let length = UInt16(data.count)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            + data + bigEndian(b << 16 | a)
    }

    /// `jpeg` with its frame header (SOF0-SOF2) changed to declare `width` x `height`.
    static func jpeg(_ jpeg: [UInt8], width: UInt16, height: UInt16) -> [UInt8]? {
        var bytes = jpeg
        var i = 2
        while i + 9 < bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if (0xC0...0xC2).contains(marker) {
                bytes[i + 5] = UInt8(height >> 8); bytes[i + 6] = UInt8(height & 0xFF)
                bytes[i + 7] = UInt8(width >> 8); bytes[i + 8] = UInt8(width & 0xFF)
                return bytes
            }
            i += 2 + length
        }
        return nil
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// CRC-32 as PNG chunks use it (ISO-HDLC, reflected 0xEDB88320).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
