import Foundation
import Store
import Vision

/// Deterministic embeddings at the scale of real dlib descriptors.
struct EmbeddingFactory {
    var state: UInt64

    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 10000
    }

    mutating func embedding() -> Embedding { Embedding((0..<128).map { _ in next() }) }

    /// `base` moved by a small random offset of about `distance`.
    mutating func near(_ base: Embedding, distance: Float) -> Embedding {
        let noise = (0..<128).map { _ in next() }
        let norm = noise.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return Embedding(zip(base.values, noise).map { $0 + $1 / norm * distance })
    }
}

func enrollment(_ name: String, _ embeddings: [Embedding], preferences: [(key: String, value: String)] = [],
                thumbnail: [UInt8]? = nil, firstVisitKiosk: String? = nil) -> Enrollment {
    Enrollment(name: name, preferences: preferences, consentVersion: "1",
               templates: embeddings.map { .init(embedding: $0, quality: 0.9) }, thumbnailJPEG: thumbnail,
               firstVisitKiosk: firstVisitKiosk)
}

/// A fresh directory under the temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "kiosk-store-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func thrownError<T>(_ body: () throws -> T) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
