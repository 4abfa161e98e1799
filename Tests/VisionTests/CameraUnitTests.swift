import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Vision

@Suite("Camera: conversion, negotiation, replay, reconnection")
struct CameraUnitTests {
    @Test func yuyvConvertsKnownColours() throws {
        // Y U Y V for: white (235,128,128), black (16,128,128), then pure red and pure blue
        // in BT.601 limited range (red: Y 81 U 90 V 240; blue: Y 41 U 240 V 110).
        let bytes: [UInt8] = [235, 128, 16, 128, 81, 90, 81, 240, 41, 240, 41, 110]
        let image = try #require(bytes.withUnsafeBytes { YUYV.toRGB($0, width: 6, height: 1, bytesPerLine: 12) })
        func near(_ p: (UInt8, UInt8, UInt8), _ q: (Int, Int, Int)) -> Bool {
            abs(Int(p.0) - q.0) <= 3 && abs(Int(p.1) - q.1) <= 3 && abs(Int(p.2) - q.2) <= 3
        }
        #expect(near(image.pixel(x: 0, y: 0), (255, 255, 255)))
        #expect(near(image.pixel(x: 1, y: 0), (0, 0, 0)))
        // Pairs share U and V, so the 3rd/4th pixels use red's chroma (U 90, V 240) and
        // the 5th/6th blue's (U 240, V 110).
        #expect(near(image.pixel(x: 2, y: 0), (255, 0, 0)) || near(image.pixel(x: 2, y: 0), (254, 0, 0)))
        #expect(near(image.pixel(x: 4, y: 0), (0, 0, 255)) || image.pixel(x: 4, y: 0).2 > 240)
    }

    @Test func yuyvHonoursRowPaddingAndRejectsShortBuffers() {
        // 2x2 image with 8 bytes per row (4 of padding).
        let bytes: [UInt8] = [100, 128, 100, 128, 0, 0, 0, 0, 200, 128, 200, 128, 9, 9, 9, 9]
        let image = bytes.withUnsafeBytes { YUYV.toRGB($0, width: 2, height: 2, bytesPerLine: 8) }
        #expect(image?.pixel(x: 0, y: 1).0 ?? 0 > image?.pixel(x: 0, y: 0).0 ?? 255)
        #expect(bytes.withUnsafeBytes { YUYV.toRGB(UnsafeRawBufferPointer(rebasing: $0[0..<10]), width: 2, height: 2, bytesPerLine: 8) } == nil)
    }

    // Capability answers recorded from real devices (ENUM_FMT + ENUM_FRAMESIZES).
    static let logitechC920 = [
        OfferedFormat(fourcc: .yuyv, description: "YUYV 4:2:2", sizes: [.init(width: 640, height: 480), .init(width: 1920, height: 1080)]),
        OfferedFormat(fourcc: FourCC("H264"), description: "H.264", sizes: [.init(width: 640, height: 480)], compressed: true),
        OfferedFormat(fourcc: .mjpeg, description: "Motion-JPEG", sizes: [.init(width: 640, height: 480), .init(width: 1280, height: 720)], compressed: true),
    ]
    static let yuyvOnlyLaptop = [
        OfferedFormat(fourcc: .yuyv, description: "YUYV 4:2:2", sizes: [.init(width: 1280, height: 720), .init(width: 320, height: 240)]),
    ]
    static let pipewireLayer = [OfferedFormat(fourcc: .yuyv, description: "YUYV", sizes: [])]
    static let bayerIndustrial = [OfferedFormat(fourcc: FourCC("BA81"), description: "8-bit Bayer BGBG/GRGR", sizes: [.init(width: 640, height: 480)])]

    @Test func negotiationPrefersMJPEGAtTheWantedSize() {
        let want = FrameSize(width: 640, height: 480)
        #expect(FormatNegotiation.choose(from: Self.logitechC920, wanted: want) == .init(fourcc: .mjpeg, size: want, decoder: .jpeg))
        #expect(FormatNegotiation.choose(from: Self.pipewireLayer, wanted: want) == .init(fourcc: .yuyv, size: want, decoder: .yuyv))
        #expect(FormatNegotiation.choose(from: Self.yuyvOnlyLaptop, wanted: want)
            == .init(fourcc: .yuyv, size: .init(width: 320, height: 240), decoder: .yuyv))
        #expect(FormatNegotiation.choose(from: Self.bayerIndustrial, wanted: want)?.decoder == .libv4lconvert)
        #expect(FormatNegotiation.choose(from: Self.bayerIndustrial, wanted: want, convertible: { _ in false }) == nil)
        #expect(FormatNegotiation.choose(from: [], wanted: want) == nil)
    }

    @Test func fourCCRoundTrips() {
        #expect(FourCC("MJPG").description == "MJPG")
        #expect(FourCC(code: 0x5659_5559).description == "YUYV")
    }

    @Test func sourceSpecs() throws {
        #expect(try SourceSpec.parse("v4l2") == .firstCamera)
        #expect(try SourceSpec.parse("v4l2:/dev/video2") == .camera(path: "/dev/video2"))
        #expect(try SourceSpec.parse("v4l2:usb-Logitech_C920-video-index0") == .camera(path: "/dev/v4l/by-id/usb-Logitech_C920-video-index0"))
        #expect(try SourceSpec.parse("image:/a b/c.jpg") == .image(path: "/a b/c.jpg"))
        #expect(try SourceSpec.parse("mjpeg:rec.mjpeg") == .mjpeg(path: "rec.mjpeg"))
        #expect(try SourceSpec.parse("demo") == .demo)
        #expect(throws: CaptureError.self) { try SourceSpec.parse("webcam") }
        #expect(throws: CaptureError.self) { try SourceSpec.parse("image:") }
    }

    @Test func darkFramesAreFlagged() {
        let black = Frame(image: Image(width: 64, height: 48, pixels: [UInt8](repeating: 3, count: 64 * 48 * 3)), timestamp: 0, sequence: 0, sourceFormat: "t")
        let lit = Frame(image: Image(width: 64, height: 48, pixels: [UInt8](repeating: 120, count: 64 * 48 * 3)), timestamp: 0, sequence: 1, sourceFormat: "t")
        #expect(black.isDark)
        #expect(!lit.isDark)
        #expect(abs(lit.meanBrightness - 120) < 1)
    }

    @Test func mjpegRecordingWithCorruptFramesReplaysTheGoodOnes() throws {
        let good = try JPEGEncoder.encode(Image(width: 64, height: 48, pixels: [UInt8](repeating: 128, count: 64 * 48 * 3)))
        let other = try JPEGEncoder.encode(Image(width: 64, height: 48, pixels: [UInt8](repeating: 30, count: 64 * 48 * 3)))
        var garbage = Array(good.prefix(4)) + [UInt8](repeating: 0x55, count: 300)  // SOI then noise
        garbage[3] = 0xE0
        let truncated = Array(good.prefix(good.count / 2))
        let stream = good + garbage + truncated + other + good
        let path = NSTemporaryDirectory() + "kiosk-\(UUID().uuidString).mjpeg"
        try Data(stream).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(MJPEGFileSource.split(stream).count == 5)
        let source = MJPEGFileSource(path: path, fps: 200)
        try source.open()
        var brightness: [Int] = []
        for _ in 0..<3 { brightness.append(Int(try source.nextFrame(timeout: 1).meanBrightness.rounded())) }
        #expect(brightness.count == 3)
        #expect(source.corruptFramesSkipped == 2, "brightness \(brightness)")
        #expect(brightness[0] > 100 && brightness[1] < 50 && brightness[2] > 100)
    }

    @Test func replaySourcesReportUnreadablePaths() {
        #expect(throws: CaptureError.self) { try ImageFileSource(path: "/nonexistent/x.jpg").open() }
        #expect(throws: CaptureError.self) { try DirectorySource(directory: "/nonexistent-dir").open() }
        #expect(throws: CaptureError.self) { try MJPEGFileSource(path: "/nonexistent.mjpeg").open() }
    }

    @Test func openingAMissingDeviceSaysSo() {
        #expect(throws: CaptureError.noDevice(path: "/dev/video-kiosk-test-missing")) {
            try V4L2Source(path: "/dev/video-kiosk-test-missing").open()
        }
    }

    @Test func openFailuresSayWhatToDo() {
        let path = "/dev/video0"
        let permission = V4L2Device.openFailure(errno: EACCES, path: path)
        #expect(permission == .permissionDenied(path: path))
        #expect(permission.description.contains("video group"))
        let busy = V4L2Device.openFailure(errno: EBUSY, path: path)
        #expect(busy.description.contains("another program"))
        #expect(V4L2Device.openFailure(errno: ENOENT, path: path) == .noDevice(path: path))
        #expect(V4L2Device.openFailure(errno: ENXIO, path: path).description.contains("plugged in"))
        #expect(V4L2Device.openFailure(errno: EIO, path: path).description.contains("open failed"))
        #expect(CaptureError.notACaptureDevice(path: "/dev/video1", card: "UVC Metadata").description.contains("metadata"))
    }

    @Test func notACaptureDeviceIsNamed() {
        // /dev/null opens but is not a V4L2 device: the QUERYCAP ioctl fails and says so.
        let error = thrownError { try V4L2Source(path: "/dev/null").open() } as? CaptureError
        guard case .ioctlFailed(let call, let path, _, _)? = error else {
            Issue.record("expected an ioctl failure, got \(String(describing: error))")
            return
        }
        #expect(call == "VIDIOC_QUERYCAP")
        #expect(path == "/dev/null")
    }

    /// A source that serves `good` frames, then fails as an unplugged camera would,
    /// then refuses to open `downOpens` times before working again.
    final class FlakySource: FrameSource, @unchecked Sendable {
        let name = "flaky"
        let corruptFramesSkipped = 0
        let script: Script
        final class Script: @unchecked Sendable {
            let lock = NSLock()
            var framesBeforeUnplug = 5
            var failedOpens = 0
            var downOpens = 3
            var opens = 0
            /// Every n-th frame is black (a hand over the lens); 0: none.
            var darkEvery = 0
        }
        var served = 0
        init(script: Script) { self.script = script }
        func open() throws(CaptureError) {
            let refuse = script.lock.withLock { () -> Bool in
                script.opens += 1
                if script.opens > 1 && script.failedOpens < script.downOpens { script.failedOpens += 1; return true }
                return false
            }
            if refuse { throw .noDevice(path: "/dev/flaky") }
            served = 0
        }
        func nextFrame(timeout: Double) throws(CaptureError) -> Frame {
            usleep(5_000)
            let unplug = script.lock.withLock { script.opens == 1 && served >= script.framesBeforeUnplug }
            if unplug { throw .disconnected(path: "/dev/flaky", reason: "ENODEV") }
            served += 1
            // The grey level tells which opening of the device a frame came from.
            let dark = script.lock.withLock { script.darkEvery > 0 && served % script.darkEvery == 0 }
            let level = dark ? 4 : UInt8(clamping: 100 + script.lock.withLock { script.opens })
            return Frame(image: Image(width: 8, height: 8, pixels: [UInt8](repeating: level, count: 192)), timestamp: monotonicSeconds(),
                         sequence: served, sourceFormat: "test")
        }
        func close() {}
    }

    @Test func liveCameraReportsDisconnectionAndResumesByItself() async throws {
        let script = FlakySource.Script()
        let camera = LiveCamera(spec: .camera(path: "/dev/flaky"), retryInterval: 0.05) { FlakySource(script: script) }
        camera.start()
        defer { camera.stop() }
        var sawReconnecting = false
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if case .reconnecting(let reason) = camera.status.state {
                sawReconnecting = true
                #expect(reason.contains("flaky"))
            }
            if sawReconnecting, camera.status.state == .live, script.lock.withLock({ script.failedOpens }) == 3 { break }
            usleep(2_000)
        }
        #expect(sawReconnecting)
        let before = camera.latest?.sequence ?? -1
        let resumed = await camera.nextUsableFrame(after: before, timeout: 2)
        #expect(resumed != nil, "capture did not resume after the device came back")
        #expect(camera.status.reconnects >= 1)
        #expect((resumed?.sequence ?? 0) > before)
    }

    @Test func aCaptureBurstIsTheNewestFramesOldestFirst() async throws {
        let script = FlakySource.Script()
        script.framesBeforeUnplug = .max
        let camera = LiveCamera(spec: .camera(path: "/dev/flaky"), retryInterval: 0.05) { FlakySource(script: script) }
        camera.start()
        defer { camera.stop() }
        // Generous timeouts: the source makes 200 frames a second, but the test may share
        // two cores with many others; what is checked is which frames come back.
        let burst = await camera.burst(count: 3, window: 0.5, timeout: 30)
        #expect(burst.count == 3)
        #expect(zip(burst, burst.dropFirst()).allSatisfy { $0.sequence < $1.sequence }, "frames out of order")
        #expect(burst.allSatisfy { !$0.isDark })
        #expect((burst.last?.timestamp ?? 0) - (burst.first?.timestamp ?? 0) <= 0.5 + 0.1)
        // More frames than the camera keeps: the capture waits for new ones. (A wide
        // window: with the test's threads starved, waits can resume seconds apart.)
        let long = await camera.burst(count: 12, window: 120, timeout: 60)
        #expect(long.count == 12)
        #expect(Set(long.map(\.sequence)).count == 12, "a frame was used twice")
    }

    /// The attack: a hand over the lens every other frame. A capture decides only on
    /// frames that show something, however many dark ones come between.
    @Test func darkFramesNeverJoinACapture() async throws {
        let script = FlakySource.Script()
        script.framesBeforeUnplug = .max
        script.darkEvery = 2
        let camera = LiveCamera(spec: .camera(path: "/dev/flaky"), retryInterval: 0.05) { FlakySource(script: script) }
        camera.start()
        defer { camera.stop() }
        let burst = await camera.burst(count: 3, window: 120, timeout: 60)
        #expect(burst.count == 3)
        #expect(burst.allSatisfy { !$0.isDark && $0.image.pixels[0] > 100 }, "a dark frame joined a capture")
    }

    /// The attack: the camera is unplugged while one visitor stands in front of it and
    /// plugged back in for the next. No frame from before the unplug may join a capture.
    @Test func framesFromBeforeAnUnplugNeverJoinACapture() async throws {
        let script = FlakySource.Script()
        script.downOpens = 2
        let camera = LiveCamera(spec: .camera(path: "/dev/flaky"), retryInterval: 0.05) { FlakySource(script: script) }
        camera.start()
        defer { camera.stop() }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, script.lock.withLock({ script.failedOpens }) < 2 || camera.status.state != .live { usleep(2_000) }
        #expect(camera.status.state == .live)
        let burst = await camera.burst(count: 3, window: 10, timeout: 30)
        #expect(!burst.isEmpty)
        #expect(burst.allSatisfy { $0.image.pixels[0] > 101 }, "a frame from before the unplug was kept for a capture")
    }

    @Test func replayFailureIsFinal() async {
        let camera = LiveCamera(spec: .image(path: "/nonexistent/photo.jpg"), retryInterval: 0.05)
        camera.start()
        defer { camera.stop() }
        #expect(await camera.nextUsableFrame(timeout: 2) == nil)
        guard case .failed(let reason) = camera.status.state else {
            Issue.record("expected failed, got \(camera.status.state)")
            return
        }
        #expect(reason.contains("/nonexistent/photo.jpg"))
    }
}
