#if canImport(Glibc)
import Glibc
#endif
import CV4L2Shim

/// A V4L2 capture device driven through libc `open`/`ioctl`/`mmap`, in the named steps
/// of the kernel's capture example: open, query capabilities, negotiate the format,
/// request and map buffers, queue them, stream on, dequeue with `poll`, re-queue,
/// stream off, unmap, close. Every failure names the ioctl and the errno.
final class V4L2Device {
    struct Capabilities {
        let driver: String
        let card: String
        let busInfo: String
        let canCapture: Bool
        let canStream: Bool
    }

    struct NegotiatedFormat: Equatable {
        let fourcc: FourCC
        let width: Int
        let height: Int
        let bytesPerLine: Int
        let sizeImage: Int
    }

    private struct MappedBuffer {
        let start: UnsafeMutableRawPointer
        let length: Int
    }

    let path: String
    private(set) var fd: Int32 = -1
    private var buffers: [MappedBuffer] = []
    private var streaming = false

    init(path: String) { self.path = path }

    deinit { close() }

    // MARK: open

    /// Opens the node directly, without `stat` first: user-space V4L2 layers (PipeWire's
    /// pw-v4l2) intercept `open` but not `stat`.
    func open() throws(CaptureError) {
        let descriptor = Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.openFailure(errno: errno, path: path) }
        fd = descriptor
    }

    /// What an `open` errno means for the person at the desk.
    static func openFailure(errno code: Int32, path: String) -> CaptureError {
        switch code {
        case ENOENT, ENODEV, ENXIO: return .noDevice(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path)
        case EBUSY: return .busy(path: path)
        default: return .ioctlFailed(call: "open", path: path, errno: code, message: String(cString: strerror(code)))
        }
    }

    // MARK: query

    func capabilities() throws(CaptureError) -> Capabilities {
        var cap = v4l2_capability()
        try control("VIDIOC_QUERYCAP", KIOSK_VIDIOC_QUERYCAP, &cap)
        // device_caps describes this node; capabilities the whole device.
        let caps = (cap.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS)) != 0 ? cap.device_caps : cap.capabilities
        return Capabilities(
            driver: Self.string(cap.driver), card: Self.string(cap.card), busInfo: Self.string(cap.bus_info),
            canCapture: (caps & UInt32(V4L2_CAP_VIDEO_CAPTURE)) != 0,
            canStream: (caps & UInt32(V4L2_CAP_STREAMING)) != 0)
    }

    func formats() throws(CaptureError) -> [OfferedFormat] {
        var result: [OfferedFormat] = []
        var index: UInt32 = 0
        while true {
            var description = v4l2_fmtdesc()
            description.index = index
            description.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            if kiosk_v4l2_ioctl(fd, KIOSK_VIDIOC_ENUM_FMT, &description) != 0 {
                if errno == EINVAL { break }
                throw failure("VIDIOC_ENUM_FMT")
            }
            let fourcc = FourCC(code: description.pixelformat)
            result.append(OfferedFormat(fourcc: fourcc, description: Self.string(description.description),
                                        sizes: frameSizes(for: fourcc),
                                        compressed: (description.flags & UInt32(V4L2_FMT_FLAG_COMPRESSED)) != 0))
            index += 1
            if index > 64 { break }  // a broken driver must not loop forever
        }
        return result
    }

    /// Discrete sizes, or the minimum and maximum of a stepwise range. Empty when the
    /// device does not enumerate sizes (PipeWire's layer does not).
    private func frameSizes(for fourcc: FourCC) -> [FrameSize] {
        var sizes: [FrameSize] = []
        var index: UInt32 = 0
        while index < 64 {
            var size = v4l2_frmsizeenum()
            size.index = index
            size.pixel_format = fourcc.code
            guard kiosk_v4l2_ioctl(fd, KIOSK_VIDIOC_ENUM_FRAMESIZES, &size) == 0 else { break }
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append(FrameSize(width: Int(size.discrete.width), height: Int(size.discrete.height)))
            } else {
                sizes.append(FrameSize(width: Int(size.stepwise.min_width), height: Int(size.stepwise.min_height)))
                sizes.append(FrameSize(width: Int(size.stepwise.max_width), height: Int(size.stepwise.max_height)))
                break
            }
            index += 1
        }
        return sizes
    }

    // MARK: configure

    func setFormat(_ fourcc: FourCC, size: FrameSize) throws(CaptureError) -> NegotiatedFormat {
        var format = v4l2_format()
        kiosk_v4l2_format_request(&format, UInt32(size.width), UInt32(size.height), fourcc.code)
        try control("VIDIOC_S_FMT", KIOSK_VIDIOC_S_FMT, &format)
        let pix = kiosk_v4l2_format_pix(&format)
        let width = Int(pix.width), height = Int(pix.height)
        return NegotiatedFormat(fourcc: FourCC(code: pix.pixelformat), width: width, height: height,
                                bytesPerLine: Int(pix.bytesperline) > 0 ? Int(pix.bytesperline) : width * 2,
                                sizeImage: Int(pix.sizeimage))
    }

    /// The frame rate the device agreed to, or 0 when it cannot be set (S_PARM unsupported).
    func setFrameRate(_ fps: Int) -> Double {
        kiosk_v4l2_set_frame_rate(fd, UInt32(fps))
    }

    // MARK: buffers

    func mapBuffers(count: Int) throws(CaptureError) {
        var request = v4l2_requestbuffers()
        request.count = UInt32(count)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try control("VIDIOC_REQBUFS", KIOSK_VIDIOC_REQBUFS, &request)
        guard request.count >= 1 else {
            throw .ioctlFailed(call: "VIDIOC_REQBUFS", path: path, errno: ENOMEM, message: "the driver gave no buffers")
        }
        // The driver may give more buffers than asked: map all of them.
        for index in 0..<request.count {
            var buffer = v4l2_buffer()
            buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buffer.memory = V4L2_MEMORY_MMAP.rawValue
            buffer.index = index
            try control("VIDIOC_QUERYBUF", KIOSK_VIDIOC_QUERYBUF, &buffer)
            let start = mmap(nil, Int(buffer.length), PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(buffer.m.offset))
            guard let start, start != MAP_FAILED else { throw failure("mmap") }
            buffers.append(MappedBuffer(start: start, length: Int(buffer.length)))
        }
    }

    func queue(_ index: Int) throws(CaptureError) {
        var buffer = v4l2_buffer()
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        buffer.index = UInt32(index)
        try control("VIDIOC_QBUF", KIOSK_VIDIOC_QBUF, &buffer)
    }

    func startStreaming() throws(CaptureError) {
        for index in buffers.indices { try queue(index) }
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try control("VIDIOC_STREAMON", KIOSK_VIDIOC_STREAMON, &type)
        streaming = true
    }

    struct Dequeued {
        let index: Int
        let bytesUsed: Int
        let sequence: Int
        let timestamp: Double
    }

    /// Waits up to `timeout` seconds for a filled buffer, then takes every filled buffer,
    /// re-queues all but the newest and returns it (the caller re-queues it when done).
    /// nil when nothing arrived in time.
    func dequeueNewest(timeout: Double) throws(CaptureError) -> Dequeued? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        if ready < 0 {
            if errno == EINTR { return nil }
            throw .disconnected(path: path, reason: "poll failed: \(String(cString: strerror(errno)))")
        }
        if ready == 0 { return nil }
        if descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && descriptor.revents & Int16(POLLIN) == 0 {
            throw .disconnected(path: path, reason: "the device reported an error (poll)")
        }
        var newest: Dequeued?
        while true {
            var buffer = v4l2_buffer()
            buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buffer.memory = V4L2_MEMORY_MMAP.rawValue
            if kiosk_v4l2_ioctl(fd, KIOSK_VIDIOC_DQBUF, &buffer) != 0 {
                if errno == EAGAIN { break }  // no more filled buffers: EAGAIN means "no frame yet"
                if errno == ENODEV || errno == EIO || errno == ENXIO || errno == EPIPE {
                    throw .disconnected(path: path, reason: String(cString: strerror(errno)))
                }
                throw failure("VIDIOC_DQBUF")
            }
            if let older = newest { try queue(older.index) }  // stale: give it back unseen
            let time = Double(buffer.timestamp.tv_sec) + Double(buffer.timestamp.tv_usec) / 1e6
            newest = Dequeued(index: Int(buffer.index), bytesUsed: Int(buffer.bytesused), sequence: Int(buffer.sequence),
                              timestamp: time)
        }
        return newest
    }

    /// A private copy of a filled buffer. The copy survives the mapping disappearing
    /// under it (PipeWire's layer unmaps buffers when the source dies): that reads as a
    /// disconnection instead of a crash.
    func copyBuffer(_ dequeued: Dequeued) throws(CaptureError) -> [UInt8] {
        let mapped = buffers[dequeued.index]
        let used = dequeued.bytesUsed > 0 ? min(dequeued.bytesUsed, mapped.length) : mapped.length
        var copy = [UInt8](repeating: 0, count: used)
        let status = copy.withUnsafeMutableBytes { kiosk_v4l2_copy_buffer($0.baseAddress, mapped.start, used) }
        guard status == 0 else { throw .disconnected(path: path, reason: "the device's buffers went away") }
        return copy
    }

    // MARK: stop

    func close() {
        if streaming {
            var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            _ = kiosk_v4l2_ioctl(fd, KIOSK_VIDIOC_STREAMOFF, &type)
            streaming = false
        }
        for buffer in buffers { munmap(buffer.start, buffer.length) }
        buffers.removeAll()
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    // MARK: helpers

    private func control<T>(_ name: String, _ request: UInt, _ argument: inout T) throws(CaptureError) {
        let result = withUnsafeMutablePointer(to: &argument) { kiosk_v4l2_ioctl(fd, request, $0) }
        guard result == 0 else {
            if errno == ENODEV || errno == EIO { throw .disconnected(path: path, reason: "\(name): \(String(cString: strerror(errno)))") }
            if errno == EBUSY { throw .busy(path: path) }
            throw failure(name)
        }
    }

    private func failure(_ call: String) -> CaptureError {
        let code = errno
        return .ioctlFailed(call: call, path: path, errno: code, message: String(cString: strerror(code)))
    }

    /// A fixed-size C char array (as a tuple) to a Swift string.
    static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
