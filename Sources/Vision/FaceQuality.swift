/// Is a face good enough to enroll or to recognise? Checks what goes wrong at a front
/// desk: the visitor too far away, a dark room, motion blur. Pure pixel arithmetic on
/// the face's box, so it is cheap (well under a millisecond) and testable.
public struct FaceQuality: Sendable, Equatable {
    public enum Problem: String, Sendable, Equatable {
        case tooSmall = "too_far"
        case tooDark = "too_dark"
        case overexposed = "overexposed"
        case blurry = "blurry"

        /// A sentence for the visitor or the receptionist.
        public var advice: String {
            switch self {
            case .tooSmall: return "The face is too small: please step closer to the camera."
            case .tooDark: return "The picture is too dark: more light on the face, please."
            case .overexposed: return "The picture is too bright: avoid strong light behind or on the camera."
            case .blurry: return "The picture is blurry: please hold still for a moment."
            }
        }
    }

    /// Thresholds, chosen so that all 159 photos of ../shared/faces (dev, face_recognition's
    /// images, deepface's set) pass (lowest sharpness seen 3.5, lowest brightness 70,
    /// smallest face 63 px) while blurred, dark and tiny captures fail (see the tests).
    public struct Limits: Sendable, Equatable {
        public var minimumFaceWidth = 60
        public var minimumBrightness = 40.0
        public var maximumBrightness = 235.0
        public var minimumSharpness = 2.5
        public init() {}
    }

    /// Box width in pixels (clipped to the image).
    public let faceWidth: Int
    /// Mean luma (0-255) inside the box.
    public let brightness: Double
    /// Mean absolute Laplacian of luma inside the box: low when blurred.
    public let sharpness: Double
    /// 0...1 summary used to rank templates; higher is better.
    public let score: Double
    /// The first problem found, or nil when the face is usable.
    public let problem: Problem?

    public init(image: Image, box: FaceBox, limits: Limits = Limits()) {
        let left = max(0, box.left), right = min(image.width - 1, box.right)
        let top = max(0, box.top), bottom = min(image.height - 1, box.bottom)
        let width = max(0, right - left + 1), height = max(0, bottom - top + 1)
        faceWidth = width

        var lumaSum = 0.0, laplacianSum = 0.0, count = 0.0, laplacianCount = 0.0
        // Statistics on a grid of about 80 samples across the face, whatever its size:
        // the Laplacian then measures sharpness at the same scale relative to the face,
        // so a large, smooth, sharp face is not mistaken for a blurred one.
        let step = max(1, width / 80)
        if width > 2 * step && height > 2 * step {
            func luma(_ x: Int, _ y: Int) -> Double {
                let i = (y * image.width + x) * 3
                return 0.299 * Double(image.pixels[i]) + 0.587 * Double(image.pixels[i + 1]) + 0.114 * Double(image.pixels[i + 2])
            }
            for y in stride(from: top + step, to: bottom - step + 1, by: step) {
                for x in stride(from: left + step, to: right - step + 1, by: step) {
                    let center = luma(x, y)
                    lumaSum += center
                    count += 1
                    let laplacian = 4 * center - luma(x - step, y) - luma(x + step, y) - luma(x, y - step) - luma(x, y + step)
                    laplacianSum += abs(laplacian)
                    laplacianCount += 1
                }
            }
        }
        brightness = count > 0 ? lumaSum / count : 0
        sharpness = laplacianCount > 0 ? laplacianSum / laplacianCount : 0

        if width < limits.minimumFaceWidth { problem = .tooSmall }
        else if brightness < limits.minimumBrightness { problem = .tooDark }
        else if brightness > limits.maximumBrightness { problem = .overexposed }
        else if sharpness < limits.minimumSharpness { problem = .blurry }
        else { problem = nil }

        let sizeScore = min(1, Double(width) / 150)
        let sharpScore = min(1, sharpness / 15)
        let lightScore = 1 - min(1, abs(brightness - 128) / 128)
        score = ((0.5 * sizeScore + 0.3 * sharpScore + 0.2 * lightScore) * 1000).rounded() / 1000
    }
}
