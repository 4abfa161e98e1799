/// Everything the vision layer can fail with. Each case names the file or the step,
/// so the CLI and the TUI can show a message a person can act on.
public enum VisionError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all (missing, a directory, no permission).
    case unreadableFile(path: String, reason: String)
    /// The bytes are not a JPEG or PNG.
    case unsupportedImage(path: String)
    /// The file looks like an image but does not decode (truncated, corrupt, CMYK...).
    case corruptImage(path: String, reason: String)
    /// The file or the image it declares is above the limits (`ImageLimits`): refused
    /// before it was read or decoded.
    case imageTooLarge(path: String, reason: String)
    /// A model file is absent.
    case modelMissing(path: String)
    /// A model file exists but cannot be loaded or has the wrong checksum.
    case modelCorrupt(path: String, reason: String)
    /// dlib reported a failure while processing an image.
    case engineFailure(step: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "\(path): cannot read the file (\(reason))"
        case let .unsupportedImage(path): return "\(path): not a JPEG or PNG image"
        case let .corruptImage(path, reason): return "\(path): the image is damaged or unsupported (\(reason))"
        case let .imageTooLarge(path, reason): return "\(path): refused: \(reason)"
        case let .modelMissing(path): return "model file missing: \(path)"
        case let .modelCorrupt(path, reason): return "model file unusable: \(path) (\(reason))"
        case let .engineFailure(step, reason): return "face engine failed in \(step): \(reason)"
        }
    }

    /// True for failures fixed by running the setup again (missing or damaged models).
    public var isSetupProblem: Bool {
        switch self {
        case .modelMissing, .modelCorrupt: return true
        default: return false
        }
    }
}
