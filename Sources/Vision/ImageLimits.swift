import Foundation

/// How big a photo the kiosk agrees to read and decode. A 9 KB PNG can declare
/// 60000x60000 pixels (10.8 GB once decoded) and `/dev/zero` never ends: both are
/// refused from the header or the file's size, before anything large is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// Most pixels (width x height) a photo may declare. 50 megapixels is well above any
    /// camera frame or phone photo and keeps a decode under about 350 MB.
    public var maxPixels: Int
    /// Largest file read, in bytes.
    public var maxFileBytes: Int

    public init(maxPixels: Int = 50_000_000, maxFileBytes: Int = 64 << 20) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
    }

    /// The built-in limits.
    public static let standard = ImageLimits()

    /// The limits used when a caller gives none. Set once at startup (from the
    /// configuration) before photos are read; guarded, since decoders run on many tasks.
    public static var current: ImageLimits {
        get { shared.withLock { $0 } }
        set { shared.withLock { $0 = newValue } }
    }

    private static let shared = LockedValue(ImageLimits.standard)

    /// Why a `width` x `height` image is refused, or nil when it is within the limit.
    public func problem(width: Int, height: Int) -> String? {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard overflow || pixels > maxPixels else { return nil }
        return "\(width)x\(height) pixels is above the \(Self.megapixels(maxPixels))-megapixel limit"
    }

    /// Why a file of `bytes` is refused, or nil.
    public func problem(fileBytes bytes: Int) -> String? {
        guard bytes > maxFileBytes else { return nil }
        return "the file is \(Self.mebibytes(bytes)) MiB, above the \(Self.mebibytes(maxFileBytes)) MiB limit"
    }

    static func megapixels(_ pixels: Int) -> String {
        pixels % 1_000_000 == 0 ? String(pixels / 1_000_000) : String(format: "%.1f", Double(pixels) / 1_000_000)
    }

    static func mebibytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? String(bytes >> 20) : String(format: "%.1f", Double(bytes) / Double(1 << 20))
    }
}

/// A value behind a lock, shareable across tasks.
private final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
