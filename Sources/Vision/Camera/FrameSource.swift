/// Anything that delivers frames: a V4L2 camera or a replay of files. Sources are used
/// from one thread (LiveCamera's capture thread, or a command): they block in
/// `nextFrame` until a frame is due, and always return the newest one, dropping any
/// that queued up meanwhile, so nothing is ever shown late.
public protocol FrameSource: AnyObject {
    /// A name for status lines: the device path and card, or the replayed file.
    var name: String { get }
    /// Opens the device or files. Throws a `CaptureError` that says what to do.
    func open() throws(CaptureError)
    /// The newest frame, waiting at most `timeout` seconds for one.
    func nextFrame(timeout: Double) throws(CaptureError) -> Frame
    /// Releases the device; `open` may be called again afterwards.
    func close()
    /// Frames that arrived damaged (corrupt or truncated JPEG) and were skipped.
    var corruptFramesSkipped: Int { get }
    /// Time spent turning the last device frame into RGB (decode or conversion), in ms.
    var lastConversionMilliseconds: Double? { get }
}

extension FrameSource {
    public var lastConversionMilliseconds: Double? { nil }
}

/// Why capture failed. Messages are written for the person at the desk or the engineer.
public enum CaptureError: Error, Equatable, CustomStringConvertible {
    case noDevice(path: String)
    case noCamera
    case permissionDenied(path: String)
    case busy(path: String)
    case notACaptureDevice(path: String, card: String)
    case noUsableFormat(path: String, offered: [String])
    case ioctlFailed(call: String, path: String, errno: Int32, message: String)
    /// The device went away or stopped delivering (unplugged, ENODEV, EIO, 2 s without a frame).
    case disconnected(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case invalidSource(String)

    public var description: String {
        switch self {
        case let .noDevice(path): return "no camera at \(path): is it plugged in?"
        case .noCamera: return "no camera found (no /dev/video* device can capture video)"
        case let .permissionDenied(path):
            return "permission denied opening \(path): add this user to the video group (sudo usermod -aG video $USER) and log in again"
        case let .busy(path): return "\(path) is busy: another program is using the camera; close it and try again"
        case let .notACaptureDevice(path, card):
            return "\(path) (\(card)) cannot capture video (UVC cameras also expose metadata nodes: try the other /dev/video* of the camera)"
        case let .noUsableFormat(path, offered):
            return "\(path) offers no format the kiosk can read (offered: \(offered.joined(separator: ", ")))"
        case let .ioctlFailed(call, path, errno, message): return "\(path): \(call) failed: \(message) (errno \(errno))"
        case let .disconnected(path, reason): return "camera \(path) disconnected: \(reason)"
        case let .unreadable(path, reason): return reason.hasPrefix(path) ? reason : "\(path): \(reason)"
        case let .invalidSource(text): return text
        }
    }

    /// Worth retrying (the device may come back), as opposed to a configuration mistake.
    public var isTransient: Bool {
        switch self {
        case .disconnected, .noDevice, .busy, .noCamera, .ioctlFailed: return true
        default: return false
        }
    }
}
