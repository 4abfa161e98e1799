import Testing
import Vision

@Suite("FaceIndex: exact nearest neighbours")
struct FaceIndexTests {
    /// Deterministic pseudo-random embeddings at the scale of real descriptors.
    struct Generator {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 10000
        }
        mutating func embedding() -> Embedding { Embedding((0..<128).map { _ in next() }) }
    }

    @Test func emptyIndexFindsNothing() {
        let index = FaceIndex<Int>()
        var generator = Generator(state: 1)
        #expect(index.nearest(to: generator.embedding()) == nil)
        #expect(index.nearestKeys(to: generator.embedding(), limit: 2).isEmpty)
    }

    @Test func matchesBruteForceExactly() {
        var generator = Generator(state: 42)
        var index = FaceIndex<Int>()
        var rows: [(Int, Embedding)] = []
        for i in 0..<2000 {
            let e = generator.embedding()
            rows.append((i / 3, e))  // three templates per key
            index.add(e, for: i / 3)
        }
        for _ in 0..<20 {
            let query = generator.embedding()
            var best: [Int: Double] = [:]
            for (key, e) in rows { best[key] = min(best[key] ?? .infinity, e.distance(to: query)) }
            let expected = best.sorted { $0.value < $1.value }.prefix(3)
            let hits = index.nearestKeys(to: query, limit: 3)
            #expect(hits.map(\.key) == expected.map(\.key))
            for (hit, want) in zip(hits, expected) { #expect(hit.distance == want.value) }
        }
    }

    @Test func exactCopyIsAtDistanceZeroAndRunnerUpIsAnotherKey() {
        var generator = Generator(state: 7)
        var index = FaceIndex<String>()
        let priya = generator.embedding()
        index.add(priya, for: "priya")
        index.add(generator.embedding(), for: "priya")
        index.add(generator.embedding(), for: "sam")
        let hits = index.nearestKeys(to: priya, limit: 2)
        #expect(hits.count == 2)
        #expect(hits[0] == FaceIndex<String>.Hit(key: "priya", distance: 0))
        #expect(hits[1].key == "sam")
    }

    @Test func removeDropsEveryRowOfAKey() {
        var generator = Generator(state: 9)
        var index = FaceIndex<Int>()
        let kept = generator.embedding()
        let removed = generator.embedding()
        index.add(removed, for: 1)
        index.add(kept, for: 2)
        index.add(generator.embedding(), for: 1)
        index.remove(key: 1)
        #expect(index.count == 1)
        #expect(index.nearest(to: removed)?.key == 2)
        #expect(index.nearest(to: kept)?.distance == 0)
    }

    @Test func embeddingBytesRoundTrip() {
        var generator = Generator(state: 3)
        let e = generator.embedding()
        #expect(e.bytes.count == 512)
        #expect(Embedding(bytes: e.bytes) == e)
        #expect(Embedding(bytes: [1, 2, 3]) == nil)
    }

    @Test func exactOnALargeClusteredGalleryScannedByTwoThreads() {
        // 60 000 rows (above the two-thread threshold) in tight clusters, so many rows
        // fall inside each other's quantisation error and the exact re-check must decide.
        var generator = Generator(state: 1234)
        var index = FaceIndex<Int>()
        var rows: [(Int, Embedding)] = []
        let centres = (0..<300).map { _ in generator.embedding() }
        for i in 0..<60_000 {
            let centre = centres[i % centres.count]
            let e = Embedding(centre.values.map { $0 + generator.next() * 0.02 })
            rows.append((i % 1000, e))
            index.add(e, for: i % 1000)
        }
        for q in 0..<4 {
            let query = Embedding(centres[q * 7].values.map { $0 + generator.next() * 0.01 })
            var best: [Int: Double] = [:]
            for (key, e) in rows { best[key] = min(best[key] ?? .infinity, e.distance(to: query)) }
            let expected = best.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }.prefix(2)
            let hits = index.nearestKeys(to: query, limit: 2)
            #expect(hits.map(\.distance) == expected.map(\.value))
            #expect(Set(hits.map(\.key)) == Set(expected.map(\.key)))
        }
    }
}
