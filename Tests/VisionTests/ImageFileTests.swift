import Foundation
import Testing
import Vision

@Suite("Image files: decoding and bad input")
struct ImageFileTests {
    @Test func recognisesFormatsBySignatureNotName() throws {
        let jpeg = try ImageFile.readBytes(at: Fixtures.sample("obama.jpg"))
        let png = try ImageFile.readBytes(at: Fixtures.sample("32bit.png"))
        #expect(ImageFile.format(of: jpeg) == .jpeg)
        #expect(ImageFile.format(of: png) == .png)
        #expect(ImageFile.format(of: Array("hello".utf8)) == nil)
        // A JPEG with a .png name still decodes as JPEG.
        let renamed = try Fixtures.temporaryFile(jpeg, suffix: ".png")
        defer { try? FileManager.default.removeItem(atPath: renamed) }
        #expect(try ImageFile.load(renamed).width == 910)
    }

    @Test func missingFileNamesThePath() {
        let path = "/nonexistent/dir/visitor.jpg"
        #expect(throws: VisionError.unreadableFile(path: path, reason: "no such file")) { try ImageFile.load(path) }
    }

    @Test func directoryIsRejected() {
        let path = NSTemporaryDirectory()
        #expect(throws: VisionError.unreadableFile(path: path, reason: "it is a directory")) { try ImageFile.load(path) }
    }

    @Test func textFileIsNotAnImage() throws {
        let path = try Fixtures.temporaryFile(Array("not a photo\n".utf8), suffix: ".jpg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: VisionError.unsupportedImage(path: path)) { try ImageFile.load(path) }
    }

    @Test(arguments: ["obama.jpg", "32bit.png"])
    func truncatedImageIsCorruptAndNamed(photo: String) throws {
        let bytes = try ImageFile.readBytes(at: Fixtures.sample(photo))
        let path = try Fixtures.temporaryFile(Array(bytes.prefix(bytes.count / 3)), suffix: "-" + photo)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = thrownError { try ImageFile.load(path) } as? VisionError
        guard case .corruptImage(let named, _)? = error else {
            Issue.record("expected corruptImage for a truncated \(photo), got \(String(describing: error))")
            return
        }
        #expect(named == path)
        #expect(error?.description.contains(path) == true)
    }

    @Test func headerOnlyGarbageJPEGIsCorrupt() throws {
        let path = try Fixtures.temporaryFile([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46], suffix: ".jpg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: VisionError.self) { try ImageFile.load(path) }
    }

    @Test func pngAlphaIsDroppedNotBlended() throws {
        // PIL's convert("RGB") keeps the colour of fully transparent pixels; so must we.
        let png = try ImageFile.load(Fixtures.sample("32bit.png"))
        #expect(png.pixels.contains { $0 != 0 })
        #expect(png.pixels.count == png.width * png.height * 3)
    }

    @Test func decodedJPEGHasSensiblePixels() throws {
        let image = try Fixtures.load("obama.jpg")
        let mean = image.pixels.reduce(0) { $0 + Int($1) } / image.pixels.count
        #expect(mean > 30 && mean < 225)
    }
}

@Suite("JPEG decoder state")
struct JPEGDecoderStateTests {
    @Test func aCorruptImageDoesNotSpoilTheNextOne() throws {
        let good = try JPEGEncoder.encode(Image(width: 64, height: 48, pixels: [UInt8](repeating: 30, count: 64 * 48 * 3)))
        let decoder = JPEGDecoder()
        #expect(throws: ImageDecodeFailure.self) { try decoder.decode(Array(good.prefix(good.count / 2))) }
        let image = try decoder.decode(good)
        #expect(image.width == 64 && image.height == 48)
    }
}
