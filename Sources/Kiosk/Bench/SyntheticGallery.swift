import Vision

/// Random embeddings with the statistics of real descriptors (values around ±0.1,
/// norm about 1), for search benchmarks and for padding a realistic gallery.
struct SyntheticEmbeddings {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> Embedding {
        var values = [Float](repeating: 0, count: Embedding.dimension)
        var norm: Float = 0
        for i in 0..<Embedding.dimension {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let v = Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
            values[i] = v
            norm += v * v
        }
        let scale = 1 / norm.squareRoot()
        return Embedding(values.map { $0 * scale })
    }
}
