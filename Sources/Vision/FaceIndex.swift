import CGalleryScan
import Dispatch

/// Exact nearest-neighbour search over many embeddings.
///
/// Search is memory-bound: a million Float32 templates are 512 MB to stream per query.
/// So each template is also kept as 128 signed bytes with a per-template scale (a
/// quarter of the memory), and the scan runs on those (AVX2 when present). Quantisation
/// error is bounded per template, so the scan yields, for every template, an interval
/// that surely holds its true squared distance. Only templates whose interval could
/// reach the answer are then measured exactly in Float64 from the Float32 copy:
/// results are exact, not approximate.
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
    /// Each row's key as a small integer, so the scan can tell keys apart in C.
    private var rowKeyIDs: [Int32] = []
    private var keyIDs: [Key: Int32] = [:]
    private var keysByID: [Int32: Key] = [:]
    private var nextKeyID: Int32 = 0
    /// Exact values, row-major, for the final measurement.
    private var matrix: [Float] = []
    private var squaredNorms: [Float] = []
    /// The scan copy: row-major byte codes, value ≈ scale * (code - 128).
    private var codes: [UInt8] = []
    private var scales: [Float] = []
    /// Sum of |code| per row, for the error bound.
    private var codeL1: [Float] = []

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public mutating func add(_ embedding: Embedding, for key: Key) {
        keys.append(key)
        if let id = keyIDs[key] {
            rowKeyIDs.append(id)
        } else {
            keyIDs[key] = nextKeyID
            keysByID[nextKeyID] = key
            rowKeyIDs.append(nextKeyID)
            nextKeyID += 1
        }
        matrix.append(contentsOf: embedding.values)
        squaredNorms.append(embedding.values.reduce(0) { $0 + $1 * $1 })
        let largest = embedding.values.reduce(0) { max($0, abs($1)) }
        let scale = largest > 0 ? largest / 127 : 1
        var l1: Float = 0
        for v in embedding.values {
            let code = Int(max(-127, min(127, (v / scale).rounded())))
            codes.append(UInt8(code + 128))
            l1 += Float(abs(code))
        }
        scales.append(scale)
        codeL1.append(l1)
    }

    public mutating func reserveCapacity(_ rows: Int) {
        keys.reserveCapacity(rows)
        rowKeyIDs.reserveCapacity(rows)
        matrix.reserveCapacity(rows * Embedding.dimension)
        squaredNorms.reserveCapacity(rows)
        codes.reserveCapacity(rows * Embedding.dimension)
        scales.reserveCapacity(rows)
        codeL1.reserveCapacity(rows)
    }

    /// Removes every row with `key` (swap-with-last, so order is not kept).
    public mutating func remove(key: Key) {
        if let id = keyIDs.removeValue(forKey: key) { keysByID[id] = nil }
        var row = 0
        while row < keys.count {
            if keys[row] == key { removeRow(row) } else { row += 1 }
        }
    }

    private mutating func removeRow(_ row: Int) {
        let last = keys.count - 1, d = Embedding.dimension
        if row != last {
            keys[row] = keys[last]
            rowKeyIDs[row] = rowKeyIDs[last]
            squaredNorms[row] = squaredNorms[last]
            scales[row] = scales[last]
            codeL1[row] = codeL1[last]
            for i in 0..<d {
                matrix[row * d + i] = matrix[last * d + i]
                codes[row * d + i] = codes[last * d + i]
            }
        }
        keys.removeLast()
        rowKeyIDs.removeLast()
        squaredNorms.removeLast()
        scales.removeLast()
        codeL1.removeLast()
        matrix.removeLast(d)
        codes.removeLast(d)
    }

    /// The closest row, or nil when the index is empty.
    public func nearest(to query: Embedding) -> Hit? {
        nearestKeys(to: query, limit: 1).first
    }

    /// The best distance for each of the `limit` closest distinct keys, closest first.
    /// With person ids as keys, `limit: 2` gives the match and the runner-up person.
    public func nearestKeys(to query: Embedding, limit: Int) -> [Hit] {
        guard !keys.isEmpty, limit > 0 else { return [] }
        let d = Embedding.dimension

        // The query as small signed codes with its own scale.
        let queryLargest = query.values.reduce(0) { max($0, abs($1)) }
        let codeMax = Float(KIOSK_QUERY_CODE_MAX)
        let queryScale = queryLargest > 0 ? queryLargest / codeMax : 1
        let queryCodes = query.values.map { Int8(max(-codeMax, min(codeMax, ($0 / queryScale).rounded()))) }
        let queryL1 = queryCodes.reduce(Float(0)) { $0 + abs(Float($1)) }
        let querySum = queryCodes.reduce(Int32(0)) { $0 + Int32($1) }
        let queryNorm = query.values.reduce(0) { $0 + $1 * $1 }

        // Scan: per row, an interval that surely holds its squared distance, and the
        // `limit` distinct keys with the smallest upper bounds. Two threads on large
        // galleries, each on half the rows; below 50k rows a thread costs more than it saves.
        let total = keys.count
        let parts = total >= 50_000 ? 2 : 1
        var lower = [Float](unsafeUninitializedCapacity: total) { _, count in count = total }
        var best = [kiosk_key_bound](repeating: kiosk_key_bound(), count: parts * limit)
        var kept = [Int32](repeating: 0, count: parts)
        codes.withUnsafeBufferPointer { rows in
            queryCodes.withUnsafeBufferPointer { q in
                scales.withUnsafeBufferPointer { scales in
                    squaredNorms.withUnsafeBufferPointer { norms in
                        codeL1.withUnsafeBufferPointer { l1 in
                            rowKeyIDs.withUnsafeBufferPointer { ids in
                                lower.withUnsafeMutableBufferPointer { lo in
                                    best.withUnsafeMutableBufferPointer { best in
                                        kept.withUnsafeMutableBufferPointer { kept in
                                            let scan = ScanSlice(
                                                rows: rows.baseAddress!, query: q.baseAddress!, scales: scales.baseAddress!,
                                                norms: norms.baseAddress!, l1: l1.baseAddress!, keys: ids.baseAddress!,
                                                lower: lo.baseAddress!, best: best.baseAddress!, kept: kept.baseAddress!,
                                                queryScale: queryScale, queryNorm: queryNorm, queryL1: queryL1,
                                                querySum: querySum, limit: limit)
                                            DispatchQueue.concurrentPerform(iterations: parts) { part in
                                                scan.run(part: part, rows: (total * part / parts)..<(total * (part + 1) / parts))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        // Each part's best keys include every key of the overall best; the cutoff is the
        // `limit`-th smallest distinct upper bound among them.
        var merged: [Int32: Float] = [:]
        for part in 0..<parts {
            for entry in best[(part * limit)..<(part * limit + Int(kept[part]))] {
                merged[entry.key] = min(merged[entry.key] ?? .infinity, entry.upper)
            }
        }
        let bounds = merged.values.sorted()
        let cutoff = bounds[min(limit, bounds.count) - 1]

        // Exact distances for every row whose interval reaches below the cutoff.
        var candidates = [Int32](repeating: 0, count: 256)
        var found = lower.withUnsafeBufferPointer { kiosk_rows_below($0.baseAddress, total, cutoff, &candidates, candidates.count) }
        if found > candidates.count {
            candidates = [Int32](repeating: 0, count: found)
            found = lower.withUnsafeBufferPointer { kiosk_rows_below($0.baseAddress, total, cutoff, &candidates, candidates.count) }
        }
        var exact: [Key: Double] = [:]
        for row in candidates.prefix(found).map({ Int($0) }) {
            var sum = 0.0
            for i in 0..<d {
                let diff = Double(matrix[row * d + i]) - Double(query.values[i])
                sum += diff * diff
            }
            let distance = sum.squareRoot()
            if let known = exact[keys[row]], known <= distance { continue }
            exact[keys[row]] = distance
        }
        return exact.map { Hit(key: $0.key, distance: $0.value) }
            .sorted { $0.distance < $1.distance }
            .prefix(limit)
            .map { $0 }
    }

    /// Whether the SIMD scan is in use on this CPU (for `kiosk doctor` and bench).
    public static var usesAVX2: Bool { kiosk_scan_uses_avx2() != 0 }
}

/// The scan's buffers for one query. The threads of a parallel scan write disjoint
/// ranges of `lower`, `best` and `kept` and only read the rest, hence @unchecked Sendable.
private struct ScanSlice: @unchecked Sendable {
    let rows: UnsafePointer<UInt8>
    let query: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let norms: UnsafePointer<Float>
    let l1: UnsafePointer<Float>
    let keys: UnsafePointer<Int32>
    let lower: UnsafeMutablePointer<Float>
    let best: UnsafeMutablePointer<kiosk_key_bound>
    let kept: UnsafeMutablePointer<Int32>
    let queryScale: Float
    let queryNorm: Float
    let queryL1: Float
    let querySum: Int32
    let limit: Int

    func run(part: Int, rows range: Range<Int>) {
        let s = range.lowerBound
        kept[part] = kiosk_scan_select(rows + s * 128, range.count, query, scales + s, norms + s, l1 + s, keys + s,
                                       queryScale, queryNorm, queryL1, querySum, Int32(limit), lower + s,
                                       best + part * limit)
    }
}
