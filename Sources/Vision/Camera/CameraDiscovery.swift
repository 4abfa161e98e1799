import Foundation

/// Finds the capture devices on this machine: `/dev/video*` nodes that can capture
/// video (UVC cameras also expose metadata nodes, which are left out), with their
/// stable names from `/dev/v4l/by-id` and `/dev/v4l/by-path` (the same across reboots
/// and USB ports, unlike the numbers).
public enum CameraDiscovery {
    public struct Camera: Sendable, Equatable {
        public let path: String
        public let stableNames: [String]
        public let driver: String
        public let card: String
        public let formats: [OfferedFormat]
    }

    /// `/dev/video*` nodes, sorted by number.
    public static func nodes(in directory: String = "/dev") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("video") && Int($0.dropFirst(5)) != nil }
            .sorted { Int($0.dropFirst(5))! < Int($1.dropFirst(5))! }
            .map { directory + "/" + $0 }
    }

    /// by-id and by-path links pointing at `node`.
    public static func stableNames(of node: String) -> [String] {
        var names: [String] = []
        for directory in ["/dev/v4l/by-id", "/dev/v4l/by-path"] {
            for link in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = directory + "/" + link
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map({ resolve($0, relativeTo: directory) }) == node {
                    names.append(path)
                }
            }
        }
        return names.sorted()
    }

    private static func resolve(_ destination: String, relativeTo directory: String) -> String {
        destination.hasPrefix("/") ? destination : URL(fileURLWithPath: directory + "/" + destination).standardizedFileURL.path
    }

    /// Opens each node and keeps those that capture video. Nodes that cannot be opened
    /// are returned in `problems` with the reason (busy, permission...).
    public static func cameras() -> (cameras: [Camera], problems: [(String, CaptureError)]) {
        var cameras: [Camera] = []
        var problems: [(String, CaptureError)] = []
        for node in nodes() {
            let device = V4L2Device(path: node)
            do {
                try device.open()
                defer { device.close() }
                let caps = try device.capabilities()
                guard caps.canCapture else { continue }
                cameras.append(Camera(path: node, stableNames: stableNames(of: node), driver: caps.driver, card: caps.card,
                                      formats: try device.formats()))
            } catch {
                problems.append((node, error))
            }
        }
        return (cameras, problems)
    }

    /// Probes one explicitly named device (opened directly, without `stat`).
    public static func describe(path: String) throws(CaptureError) -> Camera {
        let device = V4L2Device(path: path)
        try device.open()
        defer { device.close() }
        let caps = try device.capabilities()
        guard caps.canCapture else { throw .notACaptureDevice(path: path, card: caps.card) }
        return Camera(path: path, stableNames: stableNames(of: path), driver: caps.driver, card: caps.card,
                      formats: try device.formats())
    }
}
