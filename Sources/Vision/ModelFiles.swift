import Crypto
import Foundation

/// The dlib model files the kiosk uses, where they live, and their pinned checksums.
/// They come from PyPI's face_recognition_models 0.3.0 (installed by scripts/setup).
public struct ModelFiles: Sendable {
    public enum Model: String, CaseIterable, Sendable {
        case landmarks = "shape_predictor_5_face_landmarks.dat"
        case descriptor = "dlib_face_recognition_resnet_model_v1.dat"
        case cnnDetector = "mmod_human_face_detector.dat"

        /// SHA-256 of the files in face_recognition_models-0.3.0.tar.gz
        /// (sdist SHA-256 b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf).
        public var sha256: String {
            switch self {
            case .landmarks: return "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"
            case .descriptor: return "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
            case .cnnDetector: return "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6"
            }
        }
    }

    /// Identifies the embedding space; stored beside every template so that a future
    /// model change can ask for re-enrollment instead of comparing incompatible vectors.
    public static let embeddingModelID = "dlib_face_recognition_resnet_model_v1"

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `--models` wins, then `KIOSK_MODELS`, then `$XDG_DATA_HOME/kiosk/models`.
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelFiles {
        if let explicit, !explicit.isEmpty { return ModelFiles(directory: explicit) }
        if let fromEnvironment = environment["KIOSK_MODELS"], !fromEnvironment.isEmpty {
            return ModelFiles(directory: fromEnvironment)
        }
        return ModelFiles(directory: DataDirectory.resolve(environment: environment) + "/models")
    }

    public func path(of model: Model) -> String { directory + "/" + model.rawValue }

    /// Throws `.modelMissing` for the first required file that is absent.
    public func checkPresent(_ models: [Model] = [.landmarks, .descriptor]) throws(VisionError) {
        for model in models where !FileManager.default.isReadableFile(atPath: path(of: model)) {
            throw .modelMissing(path: path(of: model))
        }
    }

    /// Hashes the file and compares it with the pinned checksum.
    public func verifyChecksum(of model: Model) throws(VisionError) {
        let file = path(of: model)
        let digest = try Self.sha256Hex(ofFileAt: file)
        guard digest == model.sha256 else {
            throw .modelCorrupt(path: file, reason: "SHA-256 \(digest) is not the expected \(model.sha256)")
        }
    }

    /// The file's SHA-256 as 64 lowercase hex digits, read 1 MiB at a time (the descriptor
    /// model alone is 21 MB).
    public static func sha256Hex(ofFileAt file: String) throws(VisionError) -> String {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw .modelMissing(path: file) }
        defer { try? handle.close() }
        var hasher = Crypto.SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw .modelCorrupt(path: file, reason: "read error: \(error)")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}

/// The kiosk's data directory: `$XDG_DATA_HOME/kiosk`, or `~/.local/share/kiosk`.
public enum DataDirectory {
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/kiosk" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/kiosk"
    }

    /// The face_recognition test photos fetched by setup (used by tests and the demo source).
    public static func samples(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["KIOSK_SAMPLES"], !explicit.isEmpty { return explicit }
        return resolve(environment: environment) + "/samples"
    }
}
