/// A face descriptor: 128 Float32 values from dlib's ResNet. Two photos of the same
/// person are typically closer than 0.6 in Euclidean distance.
public struct Embedding: Sendable, Equatable, Hashable {
    public static let dimension = 128

    public let values: [Float]

    public init(_ values: [Float]) {
        precondition(values.count == Embedding.dimension, "an embedding has \(Embedding.dimension) values")
        self.values = values
    }

    /// Euclidean distance, accumulated in Double so that parity checks at 1e-6 are not
    /// limited by Float rounding.
    public func distance(to other: Embedding) -> Double {
        var sum = 0.0
        for i in 0..<Embedding.dimension {
            let d = Double(values[i]) - Double(other.values[i])
            sum += d * d
        }
        return sum.squareRoot()
    }

    /// The 512 bytes of the values as little-endian Float32, the storage format.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Embedding.dimension * 4)
        for v in values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Reads 512 little-endian Float32 bytes; nil when the length is wrong.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Embedding.dimension * 4 else { return nil }
        var values = [Float](repeating: 0, count: Embedding.dimension)
        for i in 0..<Embedding.dimension {
            var bits: UInt32 = 0
            for b in 0..<4 { bits |= UInt32(bytes[i * 4 + b]) << (8 * UInt32(b)) }
            values[i] = Float(bitPattern: UInt32(littleEndian: bits))
        }
        self.values = values
    }
}
