import CV4L2Shim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A V4L2 webcam as a frame source: negotiates the format (MJPEG, else YUYV, else
/// what libv4lconvert can read), streams through mmap buffers and converts each frame
/// to RGB. A damaged MJPEG frame is skipped and counted; a device that goes away or
/// sends nothing for `stallTimeout` seconds throws `.disconnected`.
public final class V4L2Source: FrameSource {
    public let path: String
    public let wanted: FrameSize
    public let fps: Int
    public private(set) var name: String
    public private(set) var corruptFramesSkipped = 0
    public private(set) var lastConversionMilliseconds: Double?
    /// What was negotiated, for status lines and tests.
    public private(set) var negotiated: (fourcc: FourCC, size: FrameSize, fps: Double)?

    /// A device that delivers nothing for this long is treated as unplugged.
    public var stallTimeout = 2.0

    private var device: V4L2Device?
    private var format: V4L2Device.NegotiatedFormat?
    private var decoder: FormatNegotiation.Decoder = .jpeg
    private let jpeg = JPEGDecoder()
    private var converter: UnsafeMutableRawPointer?
    private var sequence = 0
    private var lastFrameTime = 0.0

    public init(path: String, size: FrameSize = FrameSize(width: 640, height: 480), fps: Int = 30) {
        self.path = path
        self.wanted = size
        self.fps = fps
        self.name = path
    }

    deinit { close() }

    public func open() throws(CaptureError) {
        close()
        let device = V4L2Device(path: path)
        try device.open()
        do throws(CaptureError) {
            let caps = try device.capabilities()
            name = "\(caps.card) (\(path))"
            guard caps.canCapture else { throw CaptureError.notACaptureDevice(path: path, card: caps.card) }
            guard caps.canStream else {
                throw CaptureError.ioctlFailed(call: "VIDIOC_QUERYCAP", path: path, errno: EINVAL, message: "the device cannot stream (no V4L2_CAP_STREAMING)")
            }
            let offered = try device.formats()
            converter = kiosk_v4lconvert_create(device.fd)
            guard let choice = FormatNegotiation.choose(from: offered, wanted: wanted) else {
                throw CaptureError.noUsableFormat(path: path, offered: offered.map(\.fourcc.description))
            }
            let format = try device.setFormat(choice.fourcc, size: choice.size)
            // The driver has the last word on the format: decode what it actually gives.
            switch format.fourcc {
            case .mjpeg, .jpeg: decoder = .jpeg
            case .yuyv: decoder = .yuyv
            default: decoder = .libv4lconvert
            }
            let rate = device.setFrameRate(fps)
            try device.mapBuffers(count: 4)
            try device.startStreaming()
            self.format = format
            self.device = device
            negotiated = (format.fourcc, FrameSize(width: format.width, height: format.height), rate)
            lastFrameTime = monotonicSeconds()
        } catch {
            kiosk_v4lconvert_destroy(converter)
            converter = nil
            device.close()
            throw error
        }
    }

    public func nextFrame(timeout: Double) throws(CaptureError) -> Frame {
        guard let device, let format else { throw .disconnected(path: path, reason: "not open") }
        // Waiting longer than the stall timeout means the camera is gone, whatever the caller asked.
        let deadline = min(monotonicSeconds() + timeout, lastFrameTime + stallTimeout)
        while true {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else {
                throw .disconnected(path: path, reason: "no frame for \(String(format: "%.1f", monotonicSeconds() - lastFrameTime)) s")
            }
            guard let buffer = try device.dequeueNewest(timeout: remaining) else { continue }
            let converting = monotonicSeconds()
            let bytes = try device.copyBuffer(buffer)
            try device.queue(buffer.index)
            let image = bytes.withUnsafeBytes { convert($0, format: format) }
            lastConversionMilliseconds = (monotonicSeconds() - converting) * 1000
            lastFrameTime = monotonicSeconds()
            guard let image else {
                corruptFramesSkipped += 1
                continue
            }
            defer { sequence += 1 }
            return Frame(image: image, timestamp: lastFrameTime, sequence: sequence, sourceFormat: format.fourcc.description)
        }
    }

    private func convert(_ bytes: UnsafeRawBufferPointer, format: V4L2Device.NegotiatedFormat) -> Image? {
        switch decoder {
        case .jpeg:
            return try? jpeg.decode(Array(bytes))
        case .yuyv:
            return YUYV.toRGB(bytes, width: format.width, height: format.height, bytesPerLine: format.bytesPerLine)
        case .libv4lconvert:
            guard let converter else { return nil }
            var source = v4l2_format()
            kiosk_v4l2_format_request(&source, UInt32(format.width), UInt32(format.height), format.fourcc.code)
            var rgb = [UInt8](repeating: 0, count: format.width * format.height * 3)
            let written = rgb.withUnsafeMutableBufferPointer { out in
                kiosk_v4lconvert_to_rgb(converter, &source, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                        bytes.count, out.baseAddress, out.count)
            }
            guard written == rgb.count else { return nil }
            return Image(width: format.width, height: format.height, pixels: rgb)
        }
    }

    public func close() {
        device?.close()
        device = nil
        format = nil
        kiosk_v4lconvert_destroy(converter)
        converter = nil
    }
}
