/// A V4L2 pixel format code ("MJPG", "YUYV"...), as four ASCII characters.
public struct FourCC: Sendable, Hashable, CustomStringConvertible {
    public let code: UInt32

    public init(code: UInt32) { self.code = code }

    public init(_ text: String) {
        let bytes = Array(text.utf8) + [32, 32, 32, 32]
        code = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    public var description: String {
        String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: code >> (8 * UInt32($0))) }, as: UTF8.self)
            .trimmingTrailingSpaces
    }

    public static let mjpeg = FourCC("MJPG")
    public static let jpeg = FourCC("JPEG")
    public static let yuyv = FourCC("YUYV")
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " || s.last == "\0" { s.removeLast() }
        return String(s)
    }
}

/// A format a device offers, with the frame sizes it lists for it.
public struct OfferedFormat: Sendable, Equatable {
    public let fourcc: FourCC
    public let description: String
    /// Discrete sizes; empty when the device did not enumerate sizes (any size then).
    public let sizes: [FrameSize]
    /// True for compressed formats (the kernel's V4L2_FMT_FLAG_COMPRESSED).
    public let compressed: Bool

    public init(fourcc: FourCC, description: String, sizes: [FrameSize], compressed: Bool = false) {
        self.fourcc = fourcc
        self.description = description
        self.sizes = sizes
        self.compressed = compressed
    }
}

public struct FrameSize: Sendable, Hashable, CustomStringConvertible {
    public let width: Int
    public let height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)x\(height)" }
}

/// Which format and size to ask a camera for. Pure, so it is tested against recorded
/// answers of real devices: MJPEG at the wanted size (cheap to move over USB, fast to
/// decode), else YUYV (converted in Swift), else anything libv4lconvert can turn into
/// RGB. The size is the wanted one when offered, else the offered size closest to it.
public enum FormatNegotiation {
    public enum Decoder: Sendable, Equatable { case jpeg, yuyv, libv4lconvert }

    public struct Choice: Sendable, Equatable {
        public let fourcc: FourCC
        public let size: FrameSize
        public let decoder: Decoder
    }

    public static func choose(from offered: [OfferedFormat], wanted: FrameSize,
                              convertible: (FourCC) -> Bool = { _ in true }) -> Choice? {
        func size(for format: OfferedFormat) -> FrameSize {
            guard !format.sizes.isEmpty else { return wanted }
            if format.sizes.contains(wanted) { return wanted }
            return format.sizes.min { a, b in
                let da = abs(a.width * a.height - wanted.width * wanted.height)
                let db = abs(b.width * b.height - wanted.width * wanted.height)
                return da != db ? da < db : a.width > b.width
            }!
        }
        // Prefer a format that has the wanted size exactly, in order of preference.
        let ranked: [(OfferedFormat, Decoder)] =
            offered.filter { $0.fourcc == .mjpeg || $0.fourcc == .jpeg }.map { ($0, .jpeg) }
            + offered.filter { $0.fourcc == .yuyv }.map { ($0, .yuyv) }
            + offered.filter { ![.mjpeg, .jpeg, .yuyv].contains($0.fourcc) && convertible($0.fourcc) }.map { ($0, .libv4lconvert) }
        if let exact = ranked.first(where: { $0.0.sizes.isEmpty || $0.0.sizes.contains(wanted) }) {
            return Choice(fourcc: exact.0.fourcc, size: wanted, decoder: exact.1)
        }
        guard let best = ranked.first else { return nil }
        return Choice(fourcc: best.0.fourcc, size: size(for: best.0), decoder: best.1)
    }
}
