import Foundation

/// Serves a still photo as a live camera: the same frame at a steady rate.
public final class ImageFileSource: FrameSource {
    public let path: String
    public let fps: Double
    public var name: String { "image \(path)" }
    public let corruptFramesSkipped = 0
    private var image: Image?
    private var pacer: Pacer

    public init(path: String, fps: Double = 15) {
        self.path = path
        self.fps = fps
        self.pacer = Pacer(fps: fps)
    }

    public func open() throws(CaptureError) {
        do { image = try ImageFile.load(path) } catch { throw .unreadable(path: path, reason: "\(error)") }
        pacer = Pacer(fps: fps)
    }

    public func nextFrame(timeout: Double) throws(CaptureError) -> Frame {
        guard let image else { throw .disconnected(path: path, reason: "not open") }
        let (time, sequence) = pacer.waitForNext()
        return Frame(image: image, timestamp: time, sequence: sequence, sourceFormat: "still")
    }

    public func close() { image = nil }
}

/// A slideshow of the photos in a directory (sorted by name), `secondsPerPhoto` each,
/// delivered as frames at `fps`. Unreadable photos are skipped and counted.
public final class DirectorySource: FrameSource {
    public let directory: String
    public let fps: Double
    public let secondsPerPhoto: Double
    public var name: String { "slideshow \(directory)" }
    public private(set) var corruptFramesSkipped = 0
    private var paths: [String] = []
    private var current: (index: Int, image: Image)?
    private var pacer: Pacer

    public init(directory: String, fps: Double = 15, secondsPerPhoto: Double = 3) {
        self.directory = directory
        self.fps = fps
        self.secondsPerPhoto = secondsPerPhoto
        self.pacer = Pacer(fps: fps)
    }

    public func open() throws(CaptureError) {
        paths = ImageFile.photos(in: directory)
        guard !paths.isEmpty else { throw .unreadable(path: directory, reason: "no JPEG or PNG photos in this directory") }
        current = nil
        pacer = Pacer(fps: fps)
    }

    public func nextFrame(timeout: Double) throws(CaptureError) -> Frame {
        guard !paths.isEmpty else { throw .disconnected(path: directory, reason: "not open") }
        let (time, sequence) = pacer.waitForNext()
        let wanted = Int(Double(sequence) / (fps * secondsPerPhoto)) % paths.count
        if current?.index != wanted {
            var index = wanted
            for _ in 0..<paths.count {
                if let image = try? ImageFile.load(paths[index]) { current = (index, image); break }
                corruptFramesSkipped += 1
                index = (index + 1) % paths.count
            }
        }
        guard let image = current?.image else { throw .unreadable(path: directory, reason: "no photo in it can be read") }
        return Frame(image: image, timestamp: time, sequence: sequence, sourceFormat: "photo")
    }

    public func close() {
        paths = []
        current = nil
    }
}

/// Replays a recorded MJPEG stream (JPEG images one after another, as `ffmpeg -f mjpeg`
/// or a webcam dump writes them) at `fps`, looping. Damaged frames are skipped and
/// counted, never shown.
public final class MJPEGFileSource: FrameSource {
    public let path: String
    public let fps: Double
    public var name: String { "recording \(path)" }
    public private(set) var corruptFramesSkipped = 0
    private var frames: [ArraySlice<UInt8>] = []
    private var position = 0
    private let jpeg = JPEGDecoder()
    private var pacer: Pacer

    public init(path: String, fps: Double = 15) {
        self.path = path
        self.fps = fps
        self.pacer = Pacer(fps: fps)
    }

    public func open() throws(CaptureError) {
        let bytes: [UInt8]
        do { bytes = try ImageFile.readBytes(at: path) } catch { throw .unreadable(path: path, reason: "\(error)") }
        frames = Self.split(bytes)
        guard !frames.isEmpty else { throw .unreadable(path: path, reason: "no JPEG frames in this file") }
        position = 0
        pacer = Pacer(fps: fps)
    }

    /// Cuts a stream at each start-of-image marker (FF D8 FF). A frame runs to the next
    /// marker, so a truncated frame stays separate and simply fails to decode.
    static func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var starts: [Int] = []
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0xFF && bytes[i + 1] == 0xD8 && bytes[i + 2] == 0xFF { starts.append(i); i += 3 } else { i += 1 }
        }
        return starts.enumerated().map { n, start in bytes[start..<(n + 1 < starts.count ? starts[n + 1] : bytes.count)] }
    }

    public func nextFrame(timeout: Double) throws(CaptureError) -> Frame {
        guard !frames.isEmpty else { throw .disconnected(path: path, reason: "not open") }
        for _ in 0..<frames.count {
            let data = frames[position]
            position = (position + 1) % frames.count
            if let image = try? jpeg.decode(Array(data)) {
                let (time, sequence) = pacer.waitForNext()
                return Frame(image: image, timestamp: time, sequence: sequence, sourceFormat: "MJPG file")
            }
            corruptFramesSkipped += 1
        }
        throw .unreadable(path: path, reason: "no frame in the recording can be decoded")
    }

    public func close() { frames = [] }
}

/// Sleeps until the next frame is due at a steady rate. If the consumer is late,
/// frames are skipped (the sequence number jumps) rather than delivered late.
struct Pacer {
    let interval: Double
    private var start = -1.0
    private var last = -1

    init(fps: Double) { interval = 1 / max(0.1, fps) }

    mutating func waitForNext() -> (time: Double, sequence: Int) {
        let now = monotonicSeconds()
        if start < 0 { start = now; last = 0; return (now, 0) }
        var next = last + 1
        let due = start + Double(next) * interval
        if due > now {
            usleep(useconds_t((due - now) * 1_000_000))
        } else {
            next = Int((now - start) / interval)  // late: jump to the frame due now
            if next <= last { next = last + 1 }
        }
        last = next
        return (monotonicSeconds(), next)
    }
}
