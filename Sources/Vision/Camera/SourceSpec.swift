import Foundation

/// What `--source` (and the camera setting) names:
/// `v4l2` (first capture device), `v4l2:/dev/videoN`, `v4l2:NAME` (a /dev/v4l/by-id
/// name), `image:PATH`, `dir:PATH`, `mjpeg:PATH` or `demo`.
public enum SourceSpec: Sendable, Equatable, CustomStringConvertible {
    case firstCamera
    case camera(path: String)
    case image(path: String)
    case directory(path: String)
    case mjpeg(path: String)
    case demo

    public static func parse(_ text: String) throws(CaptureError) -> SourceSpec {
        let (kind, rest): (String, String) = {
            guard let colon = text.firstIndex(of: ":") else { return (text, "") }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }()
        switch kind {
        case "v4l2":
            if rest.isEmpty { return .firstCamera }
            if rest.hasPrefix("/") { return .camera(path: rest) }
            return .camera(path: "/dev/v4l/by-id/" + rest)
        case "image", "dir", "mjpeg":
            guard !rest.isEmpty else { throw .invalidSource("--source \(kind): needs a path, as in \(kind):/path") }
            return kind == "image" ? .image(path: rest) : kind == "dir" ? .directory(path: rest) : .mjpeg(path: rest)
        case "demo": return .demo
        default:
            throw .invalidSource("unknown source '\(text)': use v4l2[:DEVICE], image:PATH, dir:PATH, mjpeg:PATH or demo")
        }
    }

    public var description: String {
        switch self {
        case .firstCamera: return "v4l2"
        case .camera(let path): return "v4l2:\(path)"
        case .image(let path): return "image:\(path)"
        case .directory(let path): return "dir:\(path)"
        case .mjpeg(let path): return "mjpeg:\(path)"
        case .demo: return "demo"
        }
    }

    /// Builds the source. `.firstCamera` resolves to the first capture device, or throws
    /// `.noCamera` so the caller can say so and fall back to the demo.
    public func makeSource(size: FrameSize = FrameSize(width: 640, height: 480), fps: Int = 30,
                           samples: String = DataDirectory.samples()) throws(CaptureError) -> FrameSource {
        switch self {
        case .firstCamera:
            guard let first = CameraDiscovery.cameras().cameras.first else { throw .noCamera }
            return V4L2Source(path: first.path, size: size, fps: fps)
        case .camera(let path): return V4L2Source(path: path, size: size, fps: fps)
        case .image(let path): return ImageFileSource(path: path)
        case .directory(let path): return DirectorySource(directory: path)
        case .mjpeg(let path): return MJPEGFileSource(path: path)
        case .demo: return DirectorySource(directory: samples, fps: 15, secondsPerPhoto: 4)
        }
    }
}
