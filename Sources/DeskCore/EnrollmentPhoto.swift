import Store
import Vision

/// Why a photo cannot be used to enroll someone.
public enum PhotoRejection: Error, CustomStringConvertible {
    case unreadable(VisionError)
    case noFace
    case severalFaces(Int)
    case poorQuality(FaceQuality.Problem)

    public var description: String {
        switch self {
        case .unreadable(let error): return "\(error)"
        case .noFace: return "no face found"
        case .severalFaces(let count): return "\(count) faces in the photo (use --largest to take the largest)"
        case .poorQuality(let problem): return problem.advice
        }
    }

    /// Short reason for summaries ("no face", "several faces", ...).
    public var summary: String {
        switch self {
        case .unreadable: return "unreadable"
        case .noFace: return "no face"
        case .severalFaces: return "several faces"
        case .poorQuality(let problem): return "poor quality (\(problem.rawValue))"
        }
    }
}

/// A face accepted for enrollment, with the image it came from (for the thumbnail).
public struct EnrollmentFace: Sendable {
    public let face: Face
    public let image: Image
    public let quality: FaceQuality

    public var template: Enrollment.Template { Enrollment.Template(embedding: face.embedding, quality: quality.score) }
}

extension FrontDesk {
    /// Loads a photo and picks the face to enroll: exactly one face, or the largest when
    /// `largest` is set; the face must pass the quality checks.
    public func enrollmentFace(photo path: String, largest: Bool) async -> Result<EnrollmentFace, PhotoRejection> {
        let image: Image
        do { image = try ImageFile.load(path) } catch { return .failure(.unreadable(error)) }
        let faces: [Face]
        do { faces = try await engine.faces(in: image, plan: config.photoDetectionPlan) } catch { return .failure(.unreadable(error)) }
        guard let face = faces.first else { return .failure(.noFace) }
        if faces.count > 1 && !largest { return .failure(.severalFaces(faces.count)) }
        let quality = FaceQuality(image: image, box: face.box)
        if let problem = quality.problem { return .failure(.poorQuality(problem)) }
        return .success(EnrollmentFace(face: face, image: image, quality: quality))
    }
}
