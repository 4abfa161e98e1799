import Foundation
import Testing
import Vision

/// Where tests find their data. Models and the face_recognition sample photos are
/// installed by scripts/setup (the README's test command runs it); ../shared/faces is
/// optional and only present on the team's machines.
enum Fixtures {
    static let models = ModelFiles.resolve(explicit: nil)
    static let samples = DataDirectory.samples()

    static func sample(_ name: String) -> String { samples + "/" + name }

    /// The repository root, from this file's location.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared/faces` beside the repository, when it exists.
    static let sharedFaces: String? = {
        let path = URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/faces").path
        return FileManager.default.fileExists(atPath: path + "/dev") ? path : nil
    }()

    static let sharedFacesMissing = "../shared/faces is absent on this machine (it is the team's test set, not part of the repository)"

    /// One engine for the whole test run: loading the models takes ~0.5 s.
    static let engine: Result<FaceEngine, VisionError> = Result { () throws(VisionError) in
        try FaceEngine(models: models)
    }

    static func requireEngine() throws -> FaceEngine {
        switch engine {
        case .success(let engine): return engine
        case .failure(let error):
            Issue.record("face engine unavailable: \(error). Run scripts/setup first.")
            throw error
        }
    }

    static func load(_ name: String) throws -> Image {
        do { return try ImageFile.load(sample(name)) } catch {
            Issue.record("sample photo unavailable: \(error). Run scripts/setup first.")
            throw error
        }
    }

    /// Writes `bytes` to a new temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
        let path = NSTemporaryDirectory() + "kiosk-test-\(UUID().uuidString)" + suffix
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// The error `body` throws, type-erased, or nil. (Matching typed-throws errors with
/// `guard case` inside a catch crashed the Swift 6.3 compiler; this sidesteps it.)
func thrownError<T>(_ body: () throws -> T) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
