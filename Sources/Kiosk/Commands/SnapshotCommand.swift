import ArgumentParser
import Foundation
import Vision

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save one frame from a source as a JPEG.",
        discussion: """
            Dark start-up frames (black while the camera's exposure settles) are skipped. \
            Sources: v4l2 (first camera), v4l2:/dev/videoN, v4l2:BY-ID-NAME, image:PATH, \
            dir:PATH, mjpeg:PATH, demo.
            """
    )

    @Option(help: "Where to take the frame from (default: the first camera).")
    var source: SourceSpec = .firstCamera

    @Option(help: ArgumentHelp("The JPEG file to write.", valueName: "path.jpg"))
    var out: String

    @Option(help: "Seconds to wait for a usable frame.")
    var timeout = 5.0

    func run() async throws {
        let spec = source
        let camera = LiveCamera(spec: spec)
        camera.start()
        defer { camera.stop() }
        guard let frame = await camera.nextUsableFrame(timeout: timeout) else {
            let status = camera.status
            switch status.state {
            case .failed(let reason), .reconnecting(let reason): printError("kiosk: \(reason)")
            default: printError("kiosk: no usable frame from \(spec) within \(timeout) s (only dark frames?)")
            }
            throw KioskError.reported(exitCode: 1)
        }
        do {
            let jpeg = try JPEGEncoder.encode(frame.image, quality: 92)
            try Data(jpeg).write(to: URL(fileURLWithPath: out))
        } catch {
            throw KioskError(exitCode: 1, "cannot write \(out): \(error)")
        }
        print("Saved \(frame.image.width)x\(frame.image.height) frame #\(frame.sequence) (\(frame.sourceFormat)) from \(camera.status.sourceName) to \(out)".terminalSafe)
    }
}
