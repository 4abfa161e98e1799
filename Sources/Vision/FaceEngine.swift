import CDlibShim
import Foundation

/// The dlib face pipeline: HOG detection, 5-point landmarks, 128-D ResNet descriptor.
/// dlib objects are not thread-safe, so the engine is an actor: one caller at a time,
/// and the opaque C handles never leave it. It runs on a thread of its own: dlib's work
/// (tens of milliseconds) would otherwise hold one of the cooperative pool's two threads.
public actor FaceEngine {
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        DedicatedThreadExecutor.vision.asUnownedSerialExecutor()
    }

    private let handles: DlibHandles
    private var detector: OpaquePointer { handles.detector }
    private var landmarker: OpaquePointer { handles.landmarker }
    private var encoder: OpaquePointer { handles.encoder }

    /// Loads the models (0.3-0.5 s). Throws `.modelMissing` or `.modelCorrupt` naming the file.
    public init(models: ModelFiles) throws(VisionError) {
        try models.checkPresent()
        var error = [CChar](repeating: 0, count: 512)
        guard let detector = kiosk_detector_create(&error, error.count) else {
            throw .engineFailure(step: "detector setup", reason: Self.text(error))
        }
        let landmarksPath = models.path(of: .landmarks)
        guard let landmarker = kiosk_landmarker_create(landmarksPath, &error, error.count) else {
            kiosk_detector_destroy(detector)
            throw .modelCorrupt(path: landmarksPath, reason: Self.text(error))
        }
        let descriptorPath = models.path(of: .descriptor)
        guard let encoder = kiosk_encoder_create(descriptorPath, &error, error.count) else {
            kiosk_detector_destroy(detector)
            kiosk_landmarker_destroy(landmarker)
            throw .modelCorrupt(path: descriptorPath, reason: Self.text(error))
        }
        self.handles = DlibHandles(detector: detector, landmarker: landmarker, encoder: encoder)
        self.cnnModelPath = models.path(of: .cnnDetector)
    }

    /// The CNN detector is loaded on first use: most runs never need it.
    private let cnnModelPath: String
    private var cnnLoadFailure: VisionError?

    /// Whether the CNN detector's model file is there to be loaded (plans skip CNN steps
    /// otherwise).
    public nonisolated var cnnAvailable: Bool { FileManager.default.isReadableFile(atPath: cnnModelPath) }

    private func cnnDetector() throws(VisionError) -> OpaquePointer? {
        if let loaded = handles.cnn { return loaded }
        if let cnnLoadFailure { throw cnnLoadFailure }
        guard cnnAvailable else { return nil }
        var error = [CChar](repeating: 0, count: 512)
        guard let cnn = kiosk_cnn_detector_create(cnnModelPath, &error, error.count) else {
            let failure = VisionError.modelCorrupt(path: cnnModelPath, reason: Self.text(error))
            cnnLoadFailure = failure
            throw failure
        }
        handles.cnn = cnn
        return cnn
    }

    /// Face rectangles from the CNN (MMOD) detector, in its order; empty when the model
    /// file is absent. `upsample` as for `detect(in:upsample:)`.
    public func detectCNN(in image: Image, upsample: Int = 1) throws(VisionError) -> [FaceBox] {
        guard let cnn = try cnnDetector() else { return [] }
        var error = [CChar](repeating: 0, count: 512)
        var capacity = 16
        while true {
            var rects = [kiosk_rect](repeating: kiosk_rect(), count: capacity)
            let count = image.pixels.withUnsafeBufferPointer { pixels in
                kiosk_cnn_detect(cnn, pixels.baseAddress, image.width, image.height, Int32(max(0, upsample)),
                                 &rects, Int32(capacity), &error, error.count)
            }
            guard count >= 0 else { throw .engineFailure(step: "CNN detection", reason: Self.text(error)) }
            if Int(count) > capacity { capacity = Int(count); continue }
            return rects.prefix(Int(count)).map {
                FaceBox(left: $0.left, top: $0.top, right: $0.right, bottom: $0.bottom, score: $0.score)
            }
        }
    }

    /// Face rectangles in detector order. `upsample` doubles the image that many times
    /// first (finds smaller faces, ~4x slower per step); face_recognition's default is 1.
    public func detect(in image: Image, upsample: Int = 1) throws(VisionError) -> [FaceBox] {
        var error = [CChar](repeating: 0, count: 512)
        var capacity = 16
        while true {
            var rects = [kiosk_rect](repeating: kiosk_rect(), count: capacity)
            let count = image.pixels.withUnsafeBufferPointer { pixels in
                kiosk_detect(detector, pixels.baseAddress, image.width, image.height, Int32(max(0, upsample)),
                             &rects, Int32(capacity), &error, error.count)
            }
            guard count >= 0 else { throw .engineFailure(step: "detection", reason: Self.text(error)) }
            if Int(count) > capacity { capacity = Int(count); continue }
            return rects.prefix(Int(count)).map {
                FaceBox(left: $0.left, top: $0.top, right: $0.right, bottom: $0.bottom, score: $0.score)
            }
        }
    }

    /// Runs the plan's steps in order and returns the boxes of the first step that finds
    /// a face, in full-image coordinates, in detector order.
    public func detect(in image: Image, plan: DetectionPlan) throws(VisionError) -> [FaceBox] {
        try detectReportingStep(in: image, plan: plan).boxes
    }

    /// As `detect(in:plan:)`, and the step that found the boxes (nil: none did).
    public func detectReportingStep(in image: Image, plan: DetectionPlan) throws(VisionError) -> (boxes: [FaceBox], step: DetectionPlan.Step?) {
        var half: Image?
        for step in plan.steps {
            if step.scale == 1 {
                let boxes = step.detector == .cnn ? try detectCNN(in: image, upsample: step.upsample)
                    : try detect(in: image, upsample: step.upsample)
                if !boxes.isEmpty { return (boxes, step) }
            } else {
                precondition(step.scale == 0.5, "only scales 1 and 0.5 are supported")
                if half == nil { half = image.halved() }
                let boxes = step.detector == .cnn ? try detectCNN(in: half!, upsample: step.upsample)
                    : try detect(in: half!, upsample: step.upsample)
                if !boxes.isEmpty {
                    let full = boxes.map { FaceBox(left: $0.left * 2, top: $0.top * 2, right: $0.right * 2 + 1, bottom: $0.bottom * 2 + 1, score: $0.score) }
                    guard let refineUpsample = step.refineUpsample, step.detector == .hog else { return (full, step) }
                    var refined: [FaceBox] = []
                    for box in full { refined.append(try refine(box, in: image, upsample: refineUpsample)) }
                    return (refined, step)
                }
            }
        }
        return ([], nil)
    }

    /// The box the exact search (HOG on the whole image, upsampled `upsample` times) finds
    /// for the face at `box` (a box found on a smaller copy), for a fraction of its cost: HOG
    /// scans only the pyramid levels near the face's size and only the region around it,
    /// computed exactly as the full search computes them (`kiosk_detect_near`). The found box
    /// that overlaps `box` most wins; when none overlaps it by at least a third, `box` is kept.
    public func refine(_ box: FaceBox, in image: Image, upsample: Int) throws(VisionError) -> FaceBox {
        let found = try detect(in: image, upsample: upsample, near: box)
        guard let best = found.max(by: { $0.overlap(with: box) < $1.overlap(with: box) }), best.overlap(with: box) >= 1.0 / 3 else {
            return box
        }
        return best
    }

    /// The boxes `detect(in:upsample:)` finds near `near`, from a search of only the pyramid
    /// levels and the region that hold faces of about `near`'s size and place (see
    /// `kiosk_detect_near`). Detector order.
    public func detect(in image: Image, upsample: Int, near: FaceBox) throws(VisionError) -> [FaceBox] {
        var error = [CChar](repeating: 0, count: 512)
        var capacity = 16
        while true {
            var rects = [kiosk_rect](repeating: kiosk_rect(), count: capacity)
            let count = image.pixels.withUnsafeBufferPointer { pixels in
                kiosk_detect_near(detector, pixels.baseAddress, image.width, image.height, Int32(max(0, upsample)),
                                  Self.rect(near), &rects, Int32(capacity), &error, error.count)
            }
            guard count >= 0 else { throw .engineFailure(step: "detection", reason: Self.text(error)) }
            if Int(count) > capacity { capacity = Int(count); continue }
            return rects.prefix(Int(count)).map {
                FaceBox(left: $0.left, top: $0.top, right: $0.right, bottom: $0.bottom, score: $0.score)
            }
        }
    }

    public func landmarks(in image: Image, box: FaceBox) throws(VisionError) -> Landmarks {
        var error = [CChar](repeating: 0, count: 512)
        var out = kiosk_landmarks()
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            kiosk_landmarks_find(landmarker, pixels.baseAddress, image.width, image.height, Self.rect(box), &out, &error, error.count)
        }
        guard status == 0 else { throw .engineFailure(step: "landmarks", reason: Self.text(error)) }
        let xs = [out.x.0, out.x.1, out.x.2, out.x.3, out.x.4]
        let ys = [out.y.0, out.y.1, out.y.2, out.y.3, out.y.4]
        return Landmarks(points: (0..<5).map { Landmarks.Point(x: xs[$0], y: ys[$0]) })
    }

    /// The descriptor of the face aligned on `landmarks`. With `wantChip`, also the
    /// 150x150 aligned face image (for thumbnails).
    ///
    /// `jitters` > 1 averages the descriptors of that many jittered copies of the chip
    /// (dlib's num_jitters), about that many times slower; used for enrollment templates.
    public func embedding(in image: Image, box: FaceBox, landmarks: Landmarks, wantChip: Bool = false, jitters: Int = 0)
        throws(VisionError) -> (embedding: Embedding, chip: Image?)
    {
        var error = [CChar](repeating: 0, count: 512)
        var shape = kiosk_landmarks()
        let p = landmarks.points
        shape.x = (p[0].x, p[1].x, p[2].x, p[3].x, p[4].x)
        shape.y = (p[0].y, p[1].y, p[2].y, p[3].y, p[4].y)
        var values = [Float](repeating: 0, count: Embedding.dimension)
        let chipSide = Int(KIOSK_CHIP_SIZE)
        var chip = wantChip ? [UInt8](repeating: 0, count: chipSide * chipSide * 3) : []
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            values.withUnsafeMutableBufferPointer { out in
                chip.withUnsafeMutableBufferPointer { chipOut in
                    kiosk_encode_face(encoder, pixels.baseAddress, image.width, image.height, Self.rect(box), &shape,
                                      Int32(max(0, jitters)), out.baseAddress, wantChip ? chipOut.baseAddress : nil, &error, error.count)
                }
            }
        }
        guard status == 0 else { throw .engineFailure(step: "descriptor", reason: Self.text(error)) }
        let chipImage = wantChip ? Image(width: chipSide, height: chipSide, pixels: chip) : nil
        return (Embedding(values), chipImage)
    }

    /// Detect, then landmarks and descriptor for every face, largest face first.
    /// `timings` receives the time of each stage.
    public func faces(in image: Image, upsample: Int = 1, timings: inout StageTimings) throws(VisionError) -> [Face] {
        try faces(in: image, plan: .exact(upsample: upsample), timings: &timings)
    }

    /// `jitters`: see `embedding(in:box:landmarks:wantChip:jitters:)`.
    public func faces(in image: Image, plan: DetectionPlan, jitters: Int = 0, timings: inout StageTimings) throws(VisionError) -> [Face] {
        let (boxes, step) = try measureMilliseconds(&timings.detectMs) { () throws(VisionError) in try detectReportingStep(in: image, plan: plan) }
        timings.detectedBy = step
        var faces: [Face] = []
        for box in Self.largestFirst(boxes) {
            let marks = try measureMilliseconds(&timings.landmarksMs) { () throws(VisionError) in try landmarks(in: image, box: box) }
            let embedding = try measureMilliseconds(&timings.embedMs) { () throws(VisionError) in
                try self.embedding(in: image, box: box, landmarks: marks, jitters: jitters).embedding
            }
            faces.append(Face(box: box, landmarks: marks, embedding: embedding))
        }
        return faces
    }

    public func faces(in image: Image, upsample: Int = 1) throws(VisionError) -> [Face] {
        var ignored = StageTimings()
        return try faces(in: image, plan: .exact(upsample: upsample), timings: &ignored)
    }

    public func faces(in image: Image, plan: DetectionPlan, jitters: Int = 0) throws(VisionError) -> [Face] {
        var ignored = StageTimings()
        return try faces(in: image, plan: plan, jitters: jitters, timings: &ignored)
    }

    /// Largest area first; ties keep detector order, so output is deterministic.
    public static func largestFirst(_ boxes: [FaceBox]) -> [FaceBox] {
        boxes.enumerated().sorted { a, b in
            a.element.area != b.element.area ? a.element.area > b.element.area : a.offset < b.offset
        }.map(\.element)
    }

    private static func rect(_ box: FaceBox) -> kiosk_rect {
        kiosk_rect(left: box.left, top: box.top, right: box.right, bottom: box.bottom, score: box.score)
    }

    private static func text(_ buffer: [CChar]) -> String {
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return message.isEmpty ? "unknown error" : message
    }
}

/// Owns the three dlib objects and frees them with the engine. Only the actor holds it.
private final class DlibHandles {
    let detector: OpaquePointer
    let landmarker: OpaquePointer
    let encoder: OpaquePointer
    var cnn: OpaquePointer?

    init(detector: OpaquePointer, landmarker: OpaquePointer, encoder: OpaquePointer) {
        self.detector = detector
        self.landmarker = landmarker
        self.encoder = encoder
    }

    deinit {
        kiosk_detector_destroy(detector)
        kiosk_landmarker_destroy(landmarker)
        kiosk_encoder_destroy(encoder)
        if let cnn { kiosk_cnn_detector_destroy(cnn) }
    }
}
