import ArgumentParser
import Vision

struct CamerasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cameras",
        abstract: "List the capture devices: path, stable names, driver, card, formats and sizes.",
        discussion: """
            Use a stable name (from /dev/v4l/by-id, the same after a reboot or in another \
            USB port) with --source v4l2:NAME. Pass DEVICE to probe one node directly.
            """
    )

    @Argument(help: ArgumentHelp("Probe only this device (a path, opened directly).", valueName: "device"))
    var device: String?

    @Flag(help: "Print JSON.")
    var json = false

    struct CameraJSON: Encodable {
        struct Format: Encodable { let fourcc: String; let description: String; let sizes: [String] }
        let path: String
        let stable_names: [String]
        let driver: String
        let card: String
        let formats: [Format]
    }

    func run() async throws {
        var cameras: [CameraDiscovery.Camera] = []
        var problems: [(String, CaptureError)] = []
        if let device {
            do { cameras = [try CameraDiscovery.describe(path: device)] } catch { problems = [(device, error)] }
        } else {
            (cameras, problems) = CameraDiscovery.cameras()
        }
        if json {
            print(try jsonText(cameras.map { camera in
                CameraJSON(path: camera.path, stable_names: camera.stableNames, driver: camera.driver, card: camera.card,
                           formats: camera.formats.map { .init(fourcc: $0.fourcc.description, description: $0.description,
                                                               sizes: $0.sizes.map(\.description)) })
            }))
        } else {
            for camera in cameras {
                print("\(camera.path): \(camera.card) (driver \(camera.driver))".terminalSafe)
                for name in camera.stableNames { print("  also \(name)".terminalSafe) }
                for format in camera.formats {
                    let sizes = format.sizes.isEmpty ? "any size" : format.sizes.map(\.description).joined(separator: " ")
                    print("  \(format.fourcc.description.padding(toLength: 4, withPad: " ", startingAt: 0))  \(format.description): \(sizes)".terminalSafe)
                }
            }
            if cameras.isEmpty && problems.isEmpty { print("No camera found. Plug in a USB webcam, or use --source demo.") }
        }
        for (_, problem) in problems { printError("kiosk: \(problem)") }
        if cameras.isEmpty { throw KioskError.reported(exitCode: 1) }
    }
}
