import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// Image bombs and files that are not photos: refused from the header or the file's
/// metadata, before anything large is allocated or a read can block.
@Suite("Image limits: bombs, huge files, FIFOs and devices")
struct ImageLimitsTests {
    func reason(_ body: () throws -> Image) -> VisionError? { thrownError(body) as? VisionError }

    @Test func pngDeclaring60000x60000IsRefusedFromItsHeader() throws {
        let bytes = ImageBombs.png(width: 60000, height: 60000)
        #expect(bytes.count < 2_000, "a 1 KB file")
        let path = try Fixtures.temporaryFile(bytes, suffix: ".png")
        defer { unlink(path) }
        let error = reason { try ImageFile.load(path) }
        #expect(error == .imageTooLarge(path: path, reason: "60000x60000 pixels is above the 50-megapixel limit"))
        #expect(error?.description.contains(path) == true)
    }

    @Test func theCraftedPNGIsOtherwiseValid() throws {
        // The same file at 1x1 decodes: the refusal above is about the size, not damage.
        let path = try Fixtures.temporaryFile(ImageBombs.png(width: 1, height: 1), suffix: ".png")
        defer { unlink(path) }
        let image = try ImageFile.load(path)
        #expect(image.width == 1 && image.height == 1)
    }

    @Test func jpegWhoseFrameHeaderDeclares60000x60000IsRefused() throws {
        let good = try ImageFile.readBytes(at: Fixtures.sample("obama.jpg"))
        let bomb = try #require(ImageBombs.jpeg(good, width: 60000, height: 60000))
        let path = try Fixtures.temporaryFile(bomb, suffix: ".jpg")
        defer { unlink(path) }
        #expect(reason { try ImageFile.load(path) } == .imageTooLarge(path: path, reason: "60000x60000 pixels is above the 50-megapixel limit"))
        // The decoder refuses it too when used directly (camera frames take this path).
        let failure = thrownError { try JPEGDecoder().decode(bomb) } as? ImageDecodeFailure
        #expect(failure?.tooLarge == true)
    }

    @Test func thePixelLimitIsAParameter() throws {
        let path = Fixtures.sample("obama.jpg")  // 910x1137
        let strict = ImageLimits(maxPixels: 500_000)
        #expect(reason { try ImageFile.load(path, limits: strict) } == .imageTooLarge(path: path, reason: "910x1137 pixels is above the 0.5-megapixel limit"))
        #expect(try ImageFile.load(path, limits: ImageLimits(maxPixels: 2_000_000)).width == 910)
    }

    @Test func filesAboveTheSizeLimitAreNotRead() throws {
        let path = Fixtures.sample("obama.jpg")
        let limits = ImageLimits(maxFileBytes: 1 << 20 / 16)  // 64 KiB
        let error = thrownError { try ImageFile.readBytes(at: path, limits: limits) } as? VisionError
        guard case .imageTooLarge(let named, let why)? = error else {
            Issue.record("expected imageTooLarge, got \(String(describing: error))")
            return
        }
        #expect(named == path)
        #expect(why.hasSuffix("above the 0.1 MiB limit"))
        #expect(ImageLimits.standard.maxFileBytes == 64 << 20)
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let path = NSTemporaryDirectory() + "kiosk-fifo-\(UUID().uuidString).jpg"
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        // Nobody ever writes to it: a blocking open or read would hang this test forever.
        #expect(reason { try ImageFile.load(path) } == .unreadableFile(path: path, reason: "it is not a regular file (a FIFO)"))
    }

    @Test func devZeroIsRefusedBeforeReading() {
        #expect(reason { try ImageFile.load("/dev/zero") } == .unreadableFile(path: "/dev/zero", reason: "it is not a regular file (a device)"))
    }

    @Test func limitMessagesAreReadable() {
        #expect(ImageLimits.standard.problem(width: 7071, height: 7071) == nil)
        #expect(ImageLimits.standard.problem(width: 8000, height: 8000) == "8000x8000 pixels is above the 50-megapixel limit")
        #expect(ImageLimits.standard.problem(width: Int.max, height: 3) != nil, "an overflowing product is refused, not wrapped")
        #expect(ImageLimits.standard.problem(fileBytes: 80 << 20) == "the file is 80 MiB, above the 64 MiB limit")
    }
}
