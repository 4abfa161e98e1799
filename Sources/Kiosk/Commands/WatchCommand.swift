import ArgumentParser
import Foundation
import Vision
#if canImport(Glibc)
import Glibc
#endif

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a source for a while: frame rate, format, brightness, and every disconnection and recovery.",
        discussion: """
            For the engineer setting up the box: prints one line a second (or JSON lines \
            with --json) until --seconds have passed. Unplug and replug the camera to see \
            the kiosk notice and recover.
            """
    )

    @Option(help: "Where frames come from (v4l2, v4l2:DEVICE, image:, dir:, mjpeg:, demo).")
    var source: SourceSpec = .firstCamera

    @Option(help: "How long to watch.")
    var seconds = 10.0

    @Flag(help: "One JSON object per line: {\"t\", \"state\", \"reason\", \"fps\", \"frames\", \"format\", \"size\", \"brightness\", \"corrupt\"}.")
    var json = false

    struct Line: Encodable {
        let t: Double
        let state: String
        let reason: String?
        let fps: Double
        let frames: Int
        let format: String?
        let size: String?
        let brightness: Double?
        let corrupt: Int
        /// Median time to turn the device's frame into RGB, recent frames.
        let convert_ms: Double?
    }

    func run() async throws {
        let spec = source
        let camera = LiveCamera(spec: spec)
        camera.start()
        defer { camera.stop() }
        let start = monotonicSeconds()
        var lastSequence = -1, framesSeen = 0, lastState: LiveCamera.State?
        while monotonicSeconds() - start < seconds {
            try await Task.sleep(nanoseconds: 250_000_000)
            let status = camera.status
            let frame = camera.latest
            if let frame, frame.sequence != lastSequence { lastSequence = frame.sequence; framesSeen += 1 }
            let elapsed = monotonicSeconds() - start
            let changed = status.state != lastState
            lastState = status.state
            // One line a second, plus one at every state change.
            guard changed || Int(elapsed * 4) % 4 == 0 else { continue }
            let (state, reason): (String, String?) = {
                switch status.state {
                case .starting: return ("starting", nil)
                case .live: return ("live", nil)
                case .reconnecting(let r): return ("disconnected", r)
                case .failed(let r): return ("failed", r)
                }
            }()
            let line = Line(t: (elapsed * 100).rounded() / 100, state: state, reason: reason, fps: status.framesPerSecond,
                            frames: lastSequence + 1, format: frame?.sourceFormat,
                            size: frame.map { "\($0.image.width)x\($0.image.height)" },
                            brightness: frame.map { ($0.meanBrightness * 10).rounded() / 10 }, corrupt: status.corruptFramesSkipped,
                            convert_ms: status.conversionMilliseconds)
            // Written straight to the descriptor: a reader on a pipe sees each line at once.
            if json {
                writeLine(try jsonText(line))
            } else {
                writeLine(String(format: "%5.1f s  ", line.t) + "\(state)  \(Int(line.fps)) fps  \(line.size ?? "-") \(line.format ?? "")"
                          + (line.convert_ms.map { String(format: "  %.2f ms to RGB", $0) } ?? "")
                          + (reason.map { "  (\($0))" } ?? "") + (frame?.isDark == true ? "  dark" : ""))
            }
            if case .failed = status.state { throw KioskError.reported(exitCode: 1) }
        }
    }
}

/// A line on standard output, unbuffered.
func writeLine(_ text: String) {
    let line = text.terminalSafe + "\n"  // camera names and failure reasons come from the device
    _ = line.withCString { write(1, $0, strlen($0)) }
}
