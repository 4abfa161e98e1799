import ArgumentParser
import Foundation
import Vision

struct EncodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Find faces in photos and print their boxes, landmarks and 128-D embeddings.",
        discussion: """
            Boxes are (top, right, bottom, left) in pixels, clipped to the image, as \
            face_recognition reports them; faces are listed largest first. A photo without \
            a face gives an empty list. A photo that cannot be read is reported on stderr \
            and the others are still processed (exit code 1 at the end).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("JPEG or PNG photos.", valueName: "photo"))
    var photos: [String]

    @Flag(help: "Print JSON: [{\"image\", \"faces\": [{\"box\", \"landmarks\", \"embedding\"}]}].")
    var json = false

    @Option(help: "Times to upsample before detection (default: recognition.upsample from the config, 1).")
    var upsample: Int?

    @Flag(help: "Search for faces as the kiosk does in camera frames (half size first; recognition.fast_detection) instead of exactly as face_recognition.")
    var cameraPlan = false

    @Option(help: ArgumentHelp("hog (face_recognition's default, the kiosk's for frames), cnn (dlib's MMOD network alone), or hog-then-cnn (CNN only when HOG finds nothing, as for enrollment photos).", valueName: "detector"))
    var detector: DetectorChoice = .hog

    @Flag(help: "Report the time of each stage (decode, detect, landmarks, embed) per photo and their medians.")
    var timings = false

    func validate() throws {
        if cameraPlan && detector != .hog { throw ValidationError("--camera-plan applies to the HOG detector only.") }
        if photos.isEmpty { throw ValidationError("Give at least one photo.") }
        if let upsample, !(0...4).contains(upsample) { throw ValidationError("--upsample must be between 0 and 4.") }
    }

    func run() async throws {
        let config = try global.loadConfig()
        let engine = try await global.loadEngine()
        let upsample = self.upsample ?? config.upsample
        let plan: DetectionPlan
        switch detector {
        case .hog: plan = cameraPlan ? .camera(upsample: upsample) : .exact(upsample: upsample)
        case .cnn: plan = DetectionPlan(steps: [.init(scale: 1, upsample: upsample, detector: .cnn)])
        case .hogThenCNN: plan = .photo(upsample: upsample)
        }
        if detector != .hog && !engine.cnnAvailable {
            throw KioskError(exitCode: 3, "the CNN detector's model is missing in \(global.modelFiles.directory) (run scripts/setup)")
        }
        let jpeg = JPEGDecoder()
        var results: [EncodedImage] = []
        var failures = 0
        var allTimings: [ImageTimings] = []

        for path in photos {
            do {
                let (image, faces, entry) = try await encode(path, engine: engine, plan: plan, jpeg: jpeg)
                allTimings.append(entry)
                results.append(EncodedImage(path: path, image: image, faces: faces, timings: timings ? entry : nil))
                if !json { printHuman(path: path, image: image, faces: faces) }
                if timings && !json { printError(entry.line(path: path, faces: faces.count)) }
            } catch {
                failures += 1
                printError("kiosk: \(error)")
                results.append(EncodedImage(path: path, error: "\(error)"))
            }
        }

        if json { print(try jsonText(results)) }
        if timings && allTimings.count > 1 { printError(ImageTimings.medianLine(allTimings)) }
        if failures > 0 { throw KioskError.reported(exitCode: 1) }
    }

    /// Reads, decodes and analyses one photo. (Untyped `throws` on purpose: typed throws
    /// across this async call crashed the Swift 6.3 SIL verifier.)
    private func encode(_ path: String, engine: FaceEngine, plan: DetectionPlan, jpeg: JPEGDecoder) async throws
        -> (Image, [Face], ImageTimings)
    {
        var decodeMs = 0.0
        let start = ContinuousClock.now
        let image = try ImageFile.decode(try ImageFile.readBytes(at: path), path: path, jpeg: jpeg)
        decodeMs = milliseconds(since: start)
        var stages = StageTimings()
        let faces = try await engine.faces(in: image, plan: plan, timings: &stages)
        return (image, faces, ImageTimings(decodeMs: decodeMs, stages: stages))
    }

    private func printHuman(path: String, image: Image, faces: [Face]) {
        print("\(path): \(image.width)x\(image.height), \(faces.count) face\(faces.count == 1 ? "" : "s")".terminalSafe)
        for (i, face) in faces.enumerated() {
            let css = face.box.cssClipped(toWidth: image.width, height: image.height)
            let head = face.embedding.values.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: " ")
            print("  face \(i + 1): box top \(css[0]) right \(css[1]) bottom \(css[2]) left \(css[3]), embedding [\(head) ...]")
        }
    }
}

enum DetectorChoice: String, ExpressibleByArgument, CaseIterable {
    case hog, cnn
    case hogThenCNN = "hog-then-cnn"
}

/// One photo's entry in `kiosk encode --json`.
struct EncodedImage: Encodable {
    struct FaceJSON: Encodable {
        let box: [Int]
        let landmarks: [[Int]]
        let embedding: [Float]
        let quality: QualityJSON

        /// The contract's face object: box as face_recognition reports it (clipped), landmarks, embedding.
        init(_ face: Face, in image: Image) {
            let quality = FaceQuality(image: image, box: face.box)
            box = face.box.cssClipped(toWidth: image.width, height: image.height)
            landmarks = face.landmarks.points.map { [$0.x, $0.y] }
            embedding = face.embedding.values
            self.quality = QualityJSON(score: quality.score, face_width: quality.faceWidth,
                                       brightness: (quality.brightness * 10).rounded() / 10,
                                       sharpness: (quality.sharpness * 100).rounded() / 100,
                                       problem: quality.problem?.rawValue)
        }
    }

    /// The capture checks of FaceQuality, so thresholds can be checked on real photos.
    struct QualityJSON: Encodable {
        let score: Double
        let face_width: Int
        let brightness: Double
        let sharpness: Double
        let problem: String?
    }

    let image: String
    var faces: [FaceJSON]?
    var error: String?
    var timingsMs: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case image, faces, error
        case timingsMs = "timings_ms"
    }

    init(path: String, image: Image, faces: [Face], timings: ImageTimings?) {
        self.image = path
        self.faces = faces.map { FaceJSON($0, in: image) }
        self.timingsMs = timings?.dictionary
    }

    init(path: String, error: String) {
        self.image = path
        self.error = error
    }
}

func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // JSONEncoder escapes C0 controls only; C1, DEL and format characters are escaped here.
    return String(decoding: try encoder.encode(value), as: UTF8.self).jsonTerminalSafe
}
