import Foundation

/// Runs a frame source on its own thread and keeps the newest frame for whoever wants
/// it (the preview, a capture, a snapshot). When a camera disappears or fails, it says
/// so in `state`, retries about once a second, and resumes by itself when the device
/// is back. Replay sources that cannot be read fail for good (a wrong path will not fix itself).
public final class LiveCamera: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case starting
        case live
        /// Capture stopped for `reason`; retrying.
        case reconnecting(reason: String)
        /// Will not recover by itself (a replay file that cannot be read).
        case failed(reason: String)
    }

    public struct Status: Sendable, Equatable {
        public var state: State = .starting
        public var sourceName = ""
        public var framesPerSecond = 0.0
        public var corruptFramesSkipped = 0
        public var reconnects = 0
        /// Median time to turn a device frame into RGB over the last second (V4L2 only).
        public var conversionMilliseconds: Double?

        public init() {}
    }

    public let spec: SourceSpec
    public let retryInterval: Double
    // Untyped `throws`: a typed-throws closure here crashed the Swift 6.3 compiler.
    private let makeSource: @Sendable () throws -> FrameSource
    private let lock = NSLock()
    private let frameArrived = NSCondition()
    /// The last few frames, oldest first: the newest is `latest`, and a capture fuses
    /// several (`burst`).
    private var recentFrames: [Frame] = []
    private static let recentFramesKept = 8
    private var currentStatus = Status()
    private var stopRequested = false
    private var thread: Thread?
    /// Everyone iterating `frames()`: each gets the newest frame (older ones are dropped
    /// for a slow reader, never queued).
    private var subscribers: [UUID: AsyncStream<Frame>.Continuation] = [:]

    public init(spec: SourceSpec, retryInterval: Double = 1,
                makeSource: (@Sendable () throws -> FrameSource)? = nil) {
        self.spec = spec
        self.retryInterval = retryInterval
        self.makeSource = makeSource ?? { try spec.makeSource() }
    }

    deinit { stop() }

    public var latest: Frame? { lock.withLock { recentFrames.last } }
    public var status: Status { lock.withLock { currentStatus } }

    public func start() {
        lock.withLock { stopRequested = false }
        let thread = Thread { [self] in captureLoop() }
        thread.name = "kiosk-capture"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Stops capturing and waits (up to 3 s) for the device to be released.
    public func stop() {
        lock.withLock { stopRequested = true }
        frameArrived.broadcast()
        finishSubscribers()
        guard let thread else { return }
        let deadline = Date().addingTimeInterval(3)
        while !thread.isFinished && Date() < deadline { usleep(5_000) }
        self.thread = nil
    }

    /// Frames as they arrive, newest first when the reader is slow; the stream ends when
    /// the source fails for good or the camera stops.
    public func frames() -> AsyncStream<Frame> {
        let (stream, continuation) = AsyncStream.makeStream(of: Frame.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        let ended = lock.withLock { () -> Bool in
            if stopRequested { return true }
            if case .failed = currentStatus.state { return true }
            subscribers[id] = continuation
            return false
        }
        if ended { continuation.finish() }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Waits, without blocking a thread, for a frame newer than `sequence` (any frame
    /// when nil) that is not dark. Nil after `timeout` seconds, or when the source failed for good.
    public func nextUsableFrame(after sequence: Int? = nil, timeout: Double) async -> Frame? {
        func usable(_ frame: Frame) -> Bool { !frame.isDark && (sequence.map { frame.sequence > $0 } ?? true) }
        if let frame = latest, usable(frame) { return frame }
        let frames = frames()
        return await withTaskGroup(of: Frame?.self) { group in
            group.addTask {
                for await frame in frames where usable(frame) { return frame }
                return nil
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Up to `count` usable frames for one capture, oldest first, none more than `window`
    /// seconds older than the newest: those that arrived in the last `window` seconds,
    /// then new ones waited for until `timeout` when too few did. Fewer when the camera
    /// delivers nothing usable meanwhile; empty when it has no usable frame at all.
    public func burst(count: Int, window: Double, timeout: Double) async -> [Frame] {
        let deadline = monotonicSeconds() + timeout
        var frames: [Frame] = []
        while true {
            // The kept frames, including any that arrived while this task waited (or
            // waited to be scheduled): a late capture still gets frames close together.
            frames += lock.withLock { recentFrames }.filter { frame in
                !frame.isDark && (frames.last.map { frame.sequence > $0.sequence } ?? true)
            }
            if let newest = frames.last { frames.removeAll { newest.timestamp - $0.timestamp > window } }
            frames = Array(frames.suffix(count))
            if frames.count >= count { return frames }
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0, let next = await nextUsableFrame(after: frames.last?.sequence, timeout: remaining) else { return frames }
            frames.append(next)
        }
    }

    /// The blocking form, for command-line tools that have no event loop.
    public func nextUsableFrameBlocking(after sequence: Int? = nil, timeout: Double) -> Frame? {
        let deadline = Date().addingTimeInterval(timeout)
        frameArrived.lock()
        defer { frameArrived.unlock() }
        while Date() < deadline {
            if let frame = latest, !frame.isDark, sequence.map({ frame.sequence > $0 }) ?? true { return frame }
            if case .failed = status.state { return nil }
            _ = frameArrived.wait(until: min(deadline, Date().addingTimeInterval(0.1)))
        }
        return nil
    }

    private func finishSubscribers() {
        let readers = lock.withLock { () -> [AsyncStream<Frame>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for reader in readers { reader.finish() }
    }

    private var isStopping: Bool { lock.withLock { stopRequested } }

    private func update(_ change: (inout Status) -> Void) { lock.withLock { change(&currentStatus) } }

    private func captureLoop() {
        var source: FrameSource?
        var frameTimes: [Double] = []
        var conversions: [Double] = []
        var lastSequence = -1
        var sequenceOffset = 0
        defer { source?.close() }
        while !isStopping {
            if source == nil {
                do {
                    let fresh = try makeSource()
                    try fresh.open()
                    source = fresh
                    update { $0.state = .live; $0.sourceName = fresh.name }
                } catch {
                    let reason = (error as? CaptureError)?.description ?? "\(error)"
                    if case .camera = spec { } else if case .firstCamera = spec { } else {
                        update { $0.state = .failed(reason: reason) }
                        frameArrived.broadcast()
                        finishSubscribers()
                        return
                    }
                    update { $0.state = .reconnecting(reason: reason) }
                    pause(retryInterval)
                    continue
                }
            }
            do {
                var frame = try source!.nextFrame(timeout: 2.0)
                // Sequence numbers keep rising across reconnections.
                if frame.sequence + sequenceOffset <= lastSequence { sequenceOffset = lastSequence + 1 - frame.sequence }
                frame = Frame(image: frame.image, timestamp: frame.timestamp, sequence: frame.sequence + sequenceOffset,
                              sourceFormat: frame.sourceFormat)
                lastSequence = frame.sequence
                frameTimes.append(frame.timestamp)
                frameTimes.removeAll { frame.timestamp - $0 > 1 }
                let skipped = source!.corruptFramesSkipped
                if let ms = source!.lastConversionMilliseconds {
                    conversions.append(ms)
                    if conversions.count > 30 { conversions.removeFirst() }
                }
                let conversion = conversions.isEmpty ? nil : conversions.sorted()[conversions.count / 2]
                let published = frame
                let readers = lock.withLock { () -> [AsyncStream<Frame>.Continuation] in
                    recentFrames.append(published)
                    if recentFrames.count > Self.recentFramesKept { recentFrames.removeFirst() }
                    currentStatus.state = .live
                    currentStatus.framesPerSecond = Double(frameTimes.count)
                    currentStatus.corruptFramesSkipped = skipped
                    currentStatus.conversionMilliseconds = conversion
                    return Array(subscribers.values)
                }
                frameArrived.broadcast()
                for reader in readers { reader.yield(published) }
            } catch {
                source?.close()
                source = nil
                frameTimes.removeAll()
                // The last picture is not what is in front of the camera any more: a
                // capture must never decide on it (it may show the previous visitor).
                lock.withLock { recentFrames.removeAll() }
                update { $0.state = .reconnecting(reason: error.description); $0.reconnects += 1; $0.framesPerSecond = 0 }
                pause(retryInterval)
            }
        }
    }

    /// Sleeps in small steps so `stop` is not kept waiting.
    private func pause(_ seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end && !isStopping { usleep(20_000) }
    }
}
