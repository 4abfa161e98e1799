import Foundation
import Testing

/// `[images]` in the configuration sets how big a photo the kiosk agrees to decode.
@Suite("Image limits from the configuration")
struct ImageLimitConfigTests {
    @Test func aPhotoAboveTheConfiguredLimitIsRefusedByName() throws {
        let root = NSTemporaryDirectory() + "kiosk-limits-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/kiosk.toml"
        try "[images]\nmax_megapixels = 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let photo = KioskBinary.sample("obama.jpg")  // about 1.2 megapixels
        let refused = try KioskBinary.run(["encode", "--config", config, photo])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("obama.jpg"))
        #expect(refused.stderr.contains("1-megapixel limit"), "\(refused.stderr)")
        // With the default limit the same photo is read.
        let accepted = try KioskBinary.run(["encode", photo])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }
}
