import COpenBLAS

/// Exact nearest-neighbour search over many embeddings.
///
/// Rows live in one contiguous row-major Float32 matrix so a query is a single
/// OpenBLAS `sgemv` streaming through memory: ||g - q||² = ||g||² + ||q||² - 2 g·q.
/// That identity loses a little precision, so the few rows that could be the answer
/// are re-measured exactly before anything is returned: results are exact.
/// Each row carries a `Key` (for example a person id); several rows may share a key.
public struct FaceIndex<Key: Hashable & Sendable>: Sendable {
    public struct Hit: Sendable, Equatable {
        public let key: Key
        public let distance: Double

        public init(key: Key, distance: Double) {
            self.key = key
            self.distance = distance
        }
    }

    private var keys: [Key] = []
    private var matrix: [Float] = []
    private var squaredNorms: [Float] = []

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public mutating func add(_ embedding: Embedding, for key: Key) {
        keys.append(key)
        matrix.append(contentsOf: embedding.values)
        squaredNorms.append(embedding.values.reduce(0) { $0 + $1 * $1 })
    }

    public mutating func reserveCapacity(_ rows: Int) {
        keys.reserveCapacity(rows)
        matrix.reserveCapacity(rows * Embedding.dimension)
        squaredNorms.reserveCapacity(rows)
    }

    /// Removes every row with `key` (swap-with-last, so order is not kept).
    public mutating func remove(key: Key) {
        var row = 0
        while row < keys.count {
            if keys[row] == key { removeRow(row) } else { row += 1 }
        }
    }

    private mutating func removeRow(_ row: Int) {
        let last = keys.count - 1
        if row != last {
            keys[row] = keys[last]
            squaredNorms[row] = squaredNorms[last]
            let d = Embedding.dimension
            for i in 0..<d { matrix[row * d + i] = matrix[last * d + i] }
        }
        keys.removeLast()
        squaredNorms.removeLast()
        matrix.removeLast(Embedding.dimension)
    }

    /// The closest row, or nil when the index is empty.
    public func nearest(to query: Embedding) -> Hit? {
        nearestKeys(to: query, limit: 1).first
    }

    /// The best distance for each of the `limit` closest distinct keys, closest first.
    /// With person ids as keys, `limit: 2` gives the match and the runner-up person.
    public func nearestKeys(to query: Embedding, limit: Int) -> [Hit] {
        guard !keys.isEmpty, limit > 0 else { return [] }
        let approximate = approximateSquaredDistances(to: query)

        // Pass 1: the best approximate distance of the `limit` best distinct keys.
        var best: [(key: Key, value: Float)] = []
        for row in 0..<keys.count {
            let value = approximate[row]
            if best.count == limit, value >= best[limit - 1].value { continue }
            if let i = best.firstIndex(where: { $0.key == keys[row] }) {
                if value < best[i].value { best[i].value = value } else { continue }
            } else {
                if best.count == limit { best.removeLast() }
                best.append((keys[row], value))
            }
            best.sort { $0.value < $1.value }
        }

        // Pass 2: exact distances for every row that rounding could put in the answer.
        let cutoff = best[best.count - 1].value + Self.roundingSlack
        var exact: [Key: Double] = [:]
        for row in 0..<keys.count where approximate[row] <= cutoff {
            let distance = exactDistance(row: row, to: query)
            if let known = exact[keys[row]], known <= distance { continue }
            exact[keys[row]] = distance
        }
        return exact.map { Hit(key: $0.key, distance: $0.value) }
            .sorted { $0.distance < $1.distance }
            .prefix(limit)
            .map { $0 }
    }

    /// Float32 rounding error of the norm identity is far below this for unit-scale
    /// descriptors (|g|² ≈ 0.2-0.5); the slack only widens the exact re-check.
    private static var roundingSlack: Float { 1e-3 }

    private func approximateSquaredDistances(to query: Embedding) -> [Float] {
        let d = Embedding.dimension
        let queryNorm = query.values.reduce(0) { $0 + $1 * $1 }
        var result = squaredNorms
        matrix.withUnsafeBufferPointer { a in
            query.values.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    // y = -2 * A x + y, with y starting as the rows' squared norms.
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(keys.count), Int32(d), -2,
                                a.baseAddress, Int32(d), x.baseAddress, 1, 1, y.baseAddress, 1)
                }
            }
        }
        for i in 0..<result.count { result[i] += queryNorm }
        return result
    }

    private func exactDistance(row: Int, to query: Embedding) -> Double {
        let d = Embedding.dimension
        var sum = 0.0
        for i in 0..<d {
            let diff = Double(matrix[row * d + i]) - Double(query.values[i])
            sum += diff * diff
        }
        return sum.squareRoot()
    }
}
