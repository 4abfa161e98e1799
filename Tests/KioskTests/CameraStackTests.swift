import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// Capture through a real V4L2 layer: PipeWire's pw-v4l2 serves a GStreamer source of a
/// real face photo as /dev/video0 to the kiosk binary, which does the real ioctl dance.
/// scripts/camera-stack starts and stops the whole private stack.
@Suite("Camera through PipeWire's V4L2 layer", .serialized,
       .enabled(if: CameraStack.available, "PipeWire's V4L2 layer is not installed (scripts/setup --camera-test-stack installs it)"))
struct CameraStackTests {
    @Test(arguments: ["YUYV", "MJPEG"])
    func capturedFrameShowsTheFace(format: String) throws {
        let stack = try CameraStack()
        defer { stack.stop() }
        let photo = KioskBinary.sample("obama.jpg")
        let serial = try stack.source(name: "face-\(format.lowercased())", image: photo, format: format)
        let out = stack.directory + "/frame.jpg"
        let snapshot = stack.run(serial: serial, ["snapshot", "--source", "v4l2:/dev/video0", "--out", out])
        #expect(snapshot.status == 0, "snapshot failed: \(snapshot.err)\n\(stack.logs)")
        #expect(snapshot.out.contains("640x480"))
        #expect(snapshot.out.contains(format == "YUYV" ? "(YUYV)" : "(MJPG)"))

        // The same photo scaled to 640x480 directly (fitted with side bars, as the source does).
        let reference = try Self.fitted(ImageFile.load(photo), width: 640, height: 480)
        let referencePath = stack.directory + "/reference.png"
        try Data(JPEGEncoder.encode(reference, quality: 95)).write(to: URL(fileURLWithPath: referencePath))
        let encoded = try KioskBinary.run(["encode", "--json", out, referencePath])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        struct Entry: Decodable { struct Face: Decodable { let embedding: [Float] }; let faces: [Face] }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(encoded.stdout.utf8))
        let captured = try #require(entries[0].faces.first, "no face in the captured \(format) frame")
        let direct = try #require(entries[1].faces.first)
        let distance = Embedding(captured.embedding).distance(to: Embedding(direct.embedding))
        #expect(distance < 0.1, "captured \(format) frame is \(distance) from the directly scaled photo")
    }

    @Test func camerasListsTheSource() throws {
        let stack = try CameraStack()
        defer { stack.stop() }
        let serial = try stack.source(name: "front-desk-cam", image: KioskBinary.sample("biden.jpg"), format: "YUYV")
        let listed = stack.run(serial: serial, ["cameras", "/dev/video0"])
        #expect(listed.status == 0, "\(listed.err)")
        #expect(listed.out.contains("front-desk-cam"))
        #expect(listed.out.contains("YUYV"))
        #expect(listed.out.contains("640x480"))
    }

    @Test func disconnectIsReportedAndCaptureResumesOnANewSource() throws {
        let stack = try CameraStack()
        defer { stack.stop() }
        _ = try stack.source(name: "first", image: KioskBinary.sample("obama.jpg"), format: "YUYV")
        let log = stack.directory + "/watch.jsonl"
        // No target serial: the layer opens the first source there is, so a new source is
        // picked up after the first one dies.
        let watcher = try #require(stack.start(serial: "-", ["watch", "--source", "v4l2:/dev/video0", "--seconds", "25", "--json"], stdout: log))
        defer { kill(watcher, SIGTERM); _ = Spawn.wait(watcher) }
        #expect(Self.waitForLine(in: log, timeout: 12) { $0.contains("\"state\":\"live\"") && !$0.contains("\"frames\":0") } != nil,
                "no frames before the unplug:\n\(Self.read(log))\n\(stack.logs)")
        stack.stopSource(name: "first")
        #expect(Self.waitForLine(in: log, timeout: 8) { $0.contains("\"state\":\"disconnected\"") } != nil,
                "the loss was not reported:\n\(Self.read(log))")
        _ = try stack.source(name: "second", image: KioskBinary.sample("biden.jpg"), format: "YUYV")
        // A live line after the first disconnected one.
        let deadline = Date().addingTimeInterval(12)
        var resumed: String?
        while Date() < deadline && resumed == nil {
            let lines = Self.read(log).split(separator: "\n").map(String.init)
            if let cut = lines.firstIndex(where: { $0.contains("\"state\":\"disconnected\"") }) {
                resumed = lines[(cut + 1)...].first { $0.contains("\"state\":\"live\"") }
            }
            if resumed == nil { usleep(100_000) }
        }
        #expect(resumed != nil, "capture did not resume on the new source:\n\(Self.read(log))\n\(stack.logs)")
    }

    @Test func recordedMJPEGWithCorruptFramesReplays() throws {
        let directory = NSTemporaryDirectory() + "kiosk-mjpeg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let frame = try JPEGEncoder.encode(Self.fitted(ImageFile.load(KioskBinary.sample("obama.jpg")), width: 320, height: 240))
        var stream: [UInt8] = []
        for i in 0..<10 { stream += i == 4 ? Array(frame.prefix(frame.count / 3)) : i == 6 ? [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 7, count: 500) : frame }
        let path = directory + "/recording.mjpeg"
        try Data(stream).write(to: URL(fileURLWithPath: path))
        let run = try KioskBinary.run(["watch", "--source", "mjpeg:" + path, "--seconds", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        struct Line: Decodable { let state: String; let corrupt: Int; let frames: Int }
        let lines = run.stdout.split(separator: "\n").compactMap { try? JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        let last = try #require(lines.last, "no output:\n\(run.stdout)")
        #expect(last.state == "live")
        #expect(last.frames > 10, "the recording did not keep playing")
        // Two damaged frames per pass through the 10-frame recording.
        #expect(last.corrupt >= 2 && last.corrupt % 2 == 0, "damaged frames counted: \(last.corrupt)")
    }

    static func fitted(_ image: Image, width: Int, height: Int) -> Image {
        let scale = min(Double(width) / Double(image.width), Double(height) / Double(image.height))
        let w = Int((Double(image.width) * scale).rounded()), h = Int((Double(image.height) * scale).rounded())
        let scaled = image.resized(width: w, height: h)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let x0 = (width - w) / 2, y0 = (height - h) / 2
        for y in 0..<h {
            let src = y * w * 3, dst = ((y0 + y) * width + x0) * 3
            pixels.replaceSubrange(dst..<(dst + w * 3), with: scaled.pixels[src..<(src + w * 3)])
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    static func waitForLine(in path: String, timeout: Double, where match: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = read(path).split(separator: "\n").map(String.init).last(where: match) { return line }
            usleep(100_000)
        }
        return nil
    }
}

/// scripts/camera-stack: a private PipeWire with GStreamer sources, for one test.
final class CameraStack {
    static let script = KioskBinary.repositoryRoot + "/scripts/camera-stack"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/pw-v4l2") && FileManager.default.isExecutableFile(atPath: "/usr/bin/gst-launch-1.0")
    }

    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "kiosk-cam-\(UUID().uuidString.prefix(8))"
        let started = Spawn.output(["bash", Self.script, "start", directory])
        guard started.status == 0 else { throw StackError.failed("start: \(started.err)") }
    }

    enum StackError: Error { case failed(String) }

    func source(name: String, image: String, format: String) throws -> String {
        let result = Spawn.output(["bash", Self.script, "source", directory, name, image, format])
        let serial = result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !serial.isEmpty else { throw StackError.failed("source \(name): \(result.err)") }
        return serial
    }

    func stopSource(name: String) { Spawn.run(["bash", Self.script, "stop-source", directory, name]) }

    /// Runs kiosk under the V4L2 layer, aimed at `serial` ("-": the first source).
    func run(serial: String, _ arguments: [String]) -> (status: Int32, out: String, err: String) {
        Spawn.output(["bash", Self.script, "run", directory, serial, "--", KioskBinary.path] + arguments)
    }

    func start(serial: String, _ arguments: [String], stdout: String) -> pid_t? {
        Spawn.start(["bash", Self.script, "run", directory, serial, "--", KioskBinary.path] + arguments, stdout: stdout,
                    stderr: directory + "/kiosk-stderr.log")
    }

    var logs: String {
        let logDir = directory + "/logs"
        return ((try? FileManager.default.contentsOfDirectory(atPath: logDir)) ?? []).map { name in
            "--- \(name)\n" + String(((try? String(contentsOfFile: logDir + "/" + name, encoding: .utf8)) ?? "").suffix(1500))
        }.joined(separator: "\n")
    }

    func stop() {
        Spawn.run(["bash", Self.script, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
