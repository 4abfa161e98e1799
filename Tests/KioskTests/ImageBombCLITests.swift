import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// Image bombs and non-files given to the batch commands: each is reported with the
/// reason, the other photos are still processed, the exit code says something failed,
/// and memory stays bounded (the commands run under a 2 GB address-space limit, far
/// below the 10.8 GB a 60000x60000 decode would ask for).
@Suite("kiosk batches against image bombs, FIFOs and devices", .serialized)
struct ImageBombCLITests {
    let root: String
    var db: String { root + "/kiosk.sqlite" }
    let bombPNG: String
    let bombJPEG: String
    static let refusal = "refused: 60000x60000 pixels is above the 50-megapixel limit"

    init() throws {
        root = NSTemporaryDirectory() + "kiosk-bombs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        bombPNG = root + "/bomb.png"
        try Data(ImageBombs.png(width: 60000, height: 60000)).write(to: URL(fileURLWithPath: bombPNG))
        bombJPEG = root + "/bomb.jpg"
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: KioskBinary.sample("obama.jpg"))))
        let bomb = try #require(ImageBombs.jpeg(good, width: 60000, height: 60000))
        try Data(bomb).write(to: URL(fileURLWithPath: bombJPEG))
    }

    /// `kiosk arguments` under a 2 GB address-space limit and a generous deadline (a
    /// hang shows as exit code 124 from timeout, not as a stuck test run).
    func boundedKiosk(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        Spawn.output(["timeout", "300", "prlimit", "--as=2000000000", KioskBinary.path] + arguments)
    }

    struct EncodedImage: Decodable {
        struct Face: Decodable { let box: [Int] }
        let image: String
        let faces: [Face]?
        let error: String?
    }

    @Test func encodeReportsTheBombsAndEncodesTheGoodPhoto() throws {
        let good = KioskBinary.sample("obama.jpg")
        let run = boundedKiosk(["encode", bombPNG, good, bombJPEG, "--json"])
        #expect(run.status == 1, "\(run.err)")
        #expect(run.err.contains("kiosk: \(bombPNG): \(Self.refusal)"), "\(run.err)")
        #expect(run.err.contains("kiosk: \(bombJPEG): \(Self.refusal)"), "\(run.err)")
        let images = try JSONDecoder().decode([EncodedImage].self, from: Data(run.out.utf8))
        #expect(images.map(\.image) == [bombPNG, good, bombJPEG])
        #expect(images[1].faces?.first?.box == [142, 617, 409, 349])
        #expect(images[0].error?.contains(Self.refusal) == true)
    }

    @Test func identifyAndImportGoOnAfterABomb() throws {
        let identify = boundedKiosk(["identify", bombPNG, KioskBinary.sample("obama.jpg"), "--db", db])
        #expect(identify.status == 1, "\(identify.err)")
        #expect(identify.err.contains(Self.refusal))
        #expect(identify.out.contains("obama.jpg: 1 face"), "\(identify.out)")

        let people = root + "/people/Barack Obama"
        try FileManager.default.createDirectory(atPath: people, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: people + "/a-bomb.png", withDestinationPath: bombPNG)
        try FileManager.default.createSymbolicLink(atPath: people + "/b-obama.jpg", withDestinationPath: KioskBinary.sample("obama.jpg"))
        let importRun = boundedKiosk(["import", root + "/people", "--db", db])
        #expect(importRun.status == 1, "\(importRun.err)")
        #expect(importRun.err.contains(people + "/a-bomb.png: " + Self.refusal), "\(importRun.err)")
        #expect(importRun.out.contains("Imported 1 person"), "\(importRun.out)")
    }

    @Test func evalReportsTheBombAndStillScoresTheOtherPhotos() throws {
        let gallery = root + "/gallery"
        for (person, photos) in [("Barack Obama", ["obama.jpg", "obama2.jpg"]), ("Joe Biden", ["biden.jpg"])] {
            try FileManager.default.createDirectory(atPath: gallery + "/" + person, withIntermediateDirectories: true)
            for photo in photos {
                try FileManager.default.createSymbolicLink(atPath: gallery + "/" + person + "/" + photo, withDestinationPath: KioskBinary.sample(photo))
            }
        }
        try FileManager.default.createSymbolicLink(atPath: gallery + "/Barack Obama/obama3.png", withDestinationPath: bombPNG)
        let run = boundedKiosk(["eval", "--gallery", gallery])
        #expect(run.status == 1, "\(run.err)")
        #expect(run.err.contains(gallery + "/Barack Obama/obama3.png: " + Self.refusal), "\(run.err)")
        #expect(run.err.contains("1 photo could not be read"), "\(run.err)")
        // Obama enrolled from obama.jpg, probed with obama2.jpg (the bomb counts as a photo
        // without a face), Biden as a stranger: the report is still printed.
        #expect(run.out.contains("1 people enrolled from 1 photo each (people with 2+ photos); 2 probes of them, 1 of strangers; 1 probes without a face"), "\(run.out)")
        #expect(run.out.contains("rank-1 accuracy: 100.00%"), "\(run.out)")
    }

    @Test func checkinRefusesABombWithAMessage() {
        for bomb in [bombPNG, bombJPEG] {
            let run = boundedKiosk(["checkin", bomb, "--db", db])
            #expect(run.status == 1, "\(run.err)")
            #expect(run.err.contains("kiosk: \(bomb): \(Self.refusal)"), "\(run.err)")
        }
    }

    @Test func devZeroIsRefusedAtOnce() {
        let run = boundedKiosk(["encode", "/dev/zero"])
        #expect(run.status == 1)
        #expect(run.err.contains("/dev/zero: cannot read the file (it is not a regular file (a device))"), "\(run.err)")
    }

    @Test func aFIFONamedLikeAPhotoDoesNotHang() throws {
        let fifo = root + "/x.jpg"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Nobody writes to it: a blocking open would wait forever (timeout's 124).
        let run = boundedKiosk(["encode", fifo, KioskBinary.sample("obama.jpg")])
        #expect(run.status == 1, "\(run.err)")
        #expect(run.err.contains("\(fifo): cannot read the file (it is not a regular file (a FIFO))"), "\(run.err)")
        #expect(run.out.contains("obama.jpg: 910x1137, 1 face"), "\(run.out)")
    }
}
