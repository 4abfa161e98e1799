import ArgumentParser
import DeskCore
import Foundation
import Store
import Vision

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure accuracy: LFW-style verification pairs, or identification over a gallery.",
        discussion: """
            --pairs FILE --root DIR: the LFW pairs format (header "FOLDS PAIRS_PER_FOLD"; \
            "Name i j" same person, "Name1 i Name2 j" different people; images at \
            DIR/Name/Name_NNNN.jpg). Reports accuracy at recognition.threshold, the LFW \
            protocol over the header's folds (threshold chosen on the other folds, tested on \
            each), TAR at FAR 1e-2 and 1e-3, and how many images had no face (their pairs \
            count as "not the same person", so they are errors for same-person pairs).

            --frames DIR: a recorded video's frames; see --frames.

            --gallery DIR: DIR/<Person>/*.jpg, identification as the desk does it. People \
            with at least --min-photos photos are regulars, enrolled from their first \
            --enroll-photos and probed with the photos from --min-photos on; everyone else \
            walks up as a stranger. Every probe is decided by the configured rule \
            (threshold, margin, ask_threshold): wrong-person greetings, regulars greeted, \
            asked or treated as new, strangers asked; then the same counts as the \
            thresholds move.

            Photos are searched with HOG, then with the CNN detector when HOG finds none \
            (--no-cnn-fallback: HOG only, as face_recognition).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("LFW-format pairs file.", valueName: "file"))
    var pairs: String?

    @Option(help: ArgumentHelp("Image root for --pairs.", valueName: "dir"))
    var root: String?

    @Option(help: ArgumentHelp("Identification: one folder of photos per person.", valueName: "dir"))
    var gallery: String?

    @Option(help: ArgumentHelp("A recorded video as a directory of frames in file-name order (e.g. made with ffmpeg -i clip.mp4 DIR/f%04d.jpg): how steady the face's descriptor is from one moment to the next, one frame at a time and fused over --burst frames.", valueName: "dir"))
    var frames: String?

    @Option(help: ArgumentHelp("--burst and --frames: frames further than this from the burst's most central face are left out (the desk's value unless given).", valueName: "distance"))
    var agreement = CaptureBurst.agreementDistance

    @Option(help: ArgumentHelp("--frames: use every n-th frame (2 turns a 30 fps recording into a 15 fps camera).", valueName: "n"))
    var frameStep = 1

    @Flag(help: "Search for faces as the kiosk does in camera frames (half size first) instead of as for photos.")
    var cameraPlan = false

    @Flag(help: "HOG detection only, as face_recognition (and the kiosk before the CNN fallback) does: no CNN when HOG finds no face.")
    var noCnnFallback = false

    @Option(help: ArgumentHelp("Which face of a photo with several: largest (the desk's rule: the visitor nearest the camera) or central (the face nearest the image centre, as LFW's photos are framed).", valueName: "rule"))
    var face: FaceRule = .largest

    @Option(help: ArgumentHelp("Gallery: enroll each regular from this many photos (the desk takes 3 captures).", valueName: "n"))
    var enrollPhotos = 1

    @Option(help: ArgumentHelp("Gallery: people with at least this many photos are regulars, probed with their photos from this one on (default: enroll-photos + 1); everyone else is a stranger.", valueName: "n"))
    var minPhotos: Int?

    @Option(help: ArgumentHelp("Gallery: descriptor jitters for enrollment templates (dlib's num_jitters; 0 = none).", valueName: "n"))
    var enrollJitters = 0

    @Option(help: ArgumentHelp("Descriptor jitters for every photo (dlib's num_jitters; 0 = none): pairs, both sides; gallery, probes and templates.", valueName: "n"))
    var jitters = 0

    @Option(help: ArgumentHelp("Gallery: probe with n camera frames made from each probe photo (640x480, each a little moved and rescaled, through MJPEG's JPEG round trip), searched as the desk searches frames and fused as the desk fuses a capture's frames; 1 = a single such frame. Without it, probes are the photos themselves.", valueName: "n"))
    var burst: Int?

    @Flag(help: "Print JSON. Pairs: {\"pairs\", \"folds\", \"no_face\", \"pairs_with_no_face\", \"found_by_cnn\", \"threshold\", \"accuracy_at_threshold\", \"protocol_10fold\": {\"accuracy_mean\", \"accuracy_std\", \"threshold_mean\", \"folds\"}, \"tar_at_far\": {\"1e-2\", \"1e-3\"}, \"detect_ms\"}; gallery: {\"enrolled\", \"policy\", \"outcomes\", \"rates\", \"curve\", ...}.")
    var json = false

    func validate() throws {
        if [pairs, gallery, frames].compactMap({ $0 }).count != 1 {
            throw ValidationError("Give one of --pairs FILE --root DIR, --gallery DIR or --frames DIR.")
        }
        if pairs != nil && root == nil { throw ValidationError("--pairs needs --root DIR (where Name/Name_NNNN.jpg are).") }
        if !(1...20).contains(enrollPhotos) { throw ValidationError("--enroll-photos must be between 1 and 20.") }
        if let minPhotos, minPhotos < enrollPhotos + 1 { throw ValidationError("--min-photos must be at least --enroll-photos + 1 (a regular needs a photo to probe with).") }
        if !(0...100).contains(enrollJitters) { throw ValidationError("--enroll-jitters must be between 0 and 100.") }
        if !(0...100).contains(jitters) { throw ValidationError("--jitters must be between 0 and 100.") }
        if let burst, !(1...10).contains(burst) { throw ValidationError("--burst must be between 1 and 10 frames.") }
        if burst != nil && gallery == nil && frames == nil { throw ValidationError("--burst applies to --gallery and --frames.") }
        if !(1...30).contains(frameStep) { throw ValidationError("--frame-step must be between 1 and 30.") }
    }

    func run() async throws {
        let config = try global.loadConfig()
        let engine = try await global.loadEngine()
        if !noCnnFallback && !cameraPlan && !engine.cnnAvailable {
            printError("kiosk: the CNN detector's model is missing in \(global.modelFiles.directory): HOG only (run scripts/setup)")
        }
        var unreadable = 0
        if let pairs, let root {
            unreadable = try await verification(pairsPath: pairs, root: root, engine: engine, config: config)
        } else if let gallery {
            unreadable = try await identification(directory: gallery, engine: engine, config: config)
        } else if let frames {
            unreadable = try await frameSequence(directory: frames, engine: engine, config: config)
        }
        // The report counts them as photos without a face; the exit code says some failed.
        if unreadable > 0 {
            throw KioskError(exitCode: 1, "\(unreadable) photo\(unreadable == 1 ? "" : "s") could not be read (listed above)")
        }
    }

    /// What the engine made of one photo.
    struct PhotoResult {
        /// The largest face's embedding; nil: no face (or unreadable).
        var embedding: Embedding?
        /// The same face's jittered descriptor, when asked for.
        var jittered: Embedding?
        var detector: DetectionPlan.Detector?
        var detectMs = 0.0
    }

    /// Detection cost, split by what detection had to do.
    struct DetectionSummary: Encodable {
        var photos = 0
        var found_by_hog = 0
        var found_by_cnn = 0
        var no_face = 0
        /// Median detection time of photos HOG found a face in, and of photos where the
        /// CNN had to run after HOG (found or not).
        var hog_found_ms_median: Double?
        var cnn_fallback_ms_median: Double?

        init(_ results: [PhotoResult], cnnRan: Bool) {
            photos = results.count
            found_by_hog = results.filter { $0.detector == .hog }.count
            found_by_cnn = results.filter { $0.detector == .cnn }.count
            no_face = results.filter { $0.embedding == nil }.count
            hog_found_ms_median = median(results.filter { $0.detector == .hog }.map(\.detectMs))
            if cnnRan { cnn_fallback_ms_median = median(results.filter { $0.detector != .hog }.map(\.detectMs)) }
        }

        var line: String {
            var text = "detection: \(found_by_hog) photos by HOG (median \(ms(hog_found_ms_median))), \(found_by_cnn) by the CNN after HOG found none, \(no_face) without a face"
            if let cnn = cnn_fallback_ms_median { text += "; photos that needed the CNN took \(ms(cnn)) (median, HOG + CNN)" }
            return text
        }
    }

    /// Photos: HOG, then the CNN where HOG finds nothing (unless told otherwise).
    func plan(upsample: Int) -> DetectionPlan {
        if cameraPlan { return .camera(upsample: upsample) }
        return noCnnFallback ? .exact(upsample: upsample) : .photo(upsample: upsample)
    }

    var cnnRuns: Bool { !cameraPlan && !noCnnFallback }

    /// Embeddings of the largest face of each photo, and how many photos could not be read.
    /// Photos in `jitterFor` also get a jittered descriptor (`enrollJitters`).
    private func embed(_ paths: [String], jitterFor: Set<String> = [], engine: FaceEngine, upsample: Int) async -> (results: [String: PhotoResult], unreadable: Int) {
        let plan = plan(upsample: upsample)
        var progress = ProgressBar(total: paths.count, label: "encoding")
        var results: [String: PhotoResult] = [:]
        var unreadable = 0
        for path in paths {
            var result = PhotoResult()
            do {
                let image = try ImageFile.load(path)
                var timings = StageTimings()
                let face = self.face.pick(try await engine.faces(in: image, plan: plan, timings: &timings), in: image)
                result.embedding = face?.embedding
                if let face, jitters > 1 {
                    result.embedding = try await engine.embedding(in: image, box: face.box, landmarks: face.landmarks, jitters: jitters).embedding
                }
                result.detector = timings.detectedBy?.detector
                result.detectMs = timings.detectMs
                if let face, enrollJitters > 1, jitterFor.contains(path) {
                    result.jittered = try await engine.embedding(in: image, box: face.box, landmarks: face.landmarks, jitters: enrollJitters).embedding
                }
            } catch {
                unreadable += 1
                printErrorRaw("\r")  // past the progress bar
                printError("kiosk: \(error)")  // counted as "no face", like a photo without one
            }
            results[path] = result
            progress.advance()
        }
        progress.finish()
        return (results, unreadable)
    }

    /// How probe bursts went: frames with a face, bursts whose frames disagreed.
    struct BurstSummary: Encodable {
        var frames_per_probe = 0
        var probes = 0
        var frames = 0
        var frames_with_face = 0
        var frames_left_out = 0
        var probes_disagreed = 0
        var analyse_ms_median: Double?

        var line: String {
            "bursts: \(probes) probes of \(frames_per_probe) frame\(frames_per_probe == 1 ? "" : "s") (camera search, fused); \(frames_with_face) of \(frames) frames with a face; \(frames_left_out) frames left out for disagreeing, in \(probes_disagreed) probes (asked, not greeted); median \(ms(analyse_ms_median)) per frame"
        }
    }

    /// Each probe photo made into `frames` camera frames (`BurstFrames`), searched with the
    /// desk's camera plan and fused as the desk fuses a capture (`CaptureBurst`). Quality
    /// checks aside, as for photos: every frame with a face counts.
    private func captureBursts(_ paths: [String], frames: Int, engine: FaceEngine, config: KioskConfig) async
        -> (bursts: [String: CaptureBurst], unreadable: Int, summary: BurstSummary)
    {
        var progress = ProgressBar(total: paths.count, label: "bursts")
        var bursts: [String: CaptureBurst] = [:]
        var summary = BurstSummary(frames_per_probe: frames)
        var times: [Double] = []
        var unreadable = 0
        for path in paths {
            do {
                let photo = try ImageFile.load(path)
                var shots: [CaptureBurst.Shot] = []
                for frame in try BurstFrames.make(from: photo, count: frames, seed: Self.seed(path)) {
                    let start = ContinuousClock.now
                    let faces = try await engine.faces(in: frame, plan: config.cameraDetectionPlan)
                    times.append(milliseconds(since: start))
                    shots.append(.init(face: self.face.pick(faces, in: frame), quality: nil, faceCount: faces.count))
                }
                let burst = CaptureBurst(shots, agreementDistance: agreement)
                bursts[path] = burst
                summary.probes += 1
                summary.frames += frames
                summary.frames_with_face += shots.filter { $0.face != nil }.count
                summary.frames_left_out += shots.filter { $0.face != nil }.count - burst.fusedShots.count
                if burst.disagreed { summary.probes_disagreed += 1 }
            } catch {
                unreadable += 1
                printErrorRaw("\r")
                printError("kiosk: \(error)")
            }
            progress.advance()
        }
        progress.finish()
        summary.analyse_ms_median = median(times)
        return (bursts, unreadable, summary)
    }

    /// A seed from the photo's path (FNV-1a), so its frames are the same in every run.
    static func seed(_ path: String) -> UInt64 {
        path.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// Returns the number of frames that could not be read.
    private func frameSequence(directory: String, engine: FaceEngine, config: KioskConfig) async throws -> Int {
        let paths = ImageFile.photos(in: directory).enumerated().filter { $0.offset % frameStep == 0 }.map(\.element)
        guard !paths.isEmpty else { throw KioskError(exitCode: 1, "no JPEG or PNG frames in \(directory)") }
        var progress = ProgressBar(total: paths.count, label: "frames")
        var faces: [Embedding?] = []
        var unreadable = 0
        for path in paths {
            do {
                let image = try ImageFile.load(path)
                faces.append(try await engine.faces(in: image, plan: config.cameraDetectionPlan).first?.embedding)
            } catch {
                unreadable += 1
                faces.append(nil)
                printErrorRaw("\r")
                printError("kiosk: \(error)")
            }
            progress.advance()
        }
        progress.finish()
        let report = FrameSequenceEvaluation.evaluate(faces, burst: burst ?? config.captureFrames, agreementDistance: agreement)
        if json { print(try jsonText(report)); return unreadable }
        func d(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }
        print("""
            \(report.frames) frames (every \(frameStep)), \(report.frames_with_face) with a face (camera search, largest face)
            \(report.bursts) bursts of \(report.burst_frames): \(report.bursts_with_face) with a face, \(report.bursts_disagreed) whose frames disagreed \
            (\(report.frames_left_out) frames left out)
            neighbouring bursts (\(report.neighbour_pairs) pairs), distance between the two moments' descriptors:
              one frame each:     p50 \(d(report.single_frame_distance_p50))  p90 \(d(report.single_frame_distance_p90))
              fused over bursts:  p50 \(d(report.fused_distance_p50))  p90 \(d(report.fused_distance_p90))
            """)
        return unreadable
    }

    /// Returns the number of photos that could not be read.
    private func verification(pairsPath: String, root: String, engine: FaceEngine, config: KioskConfig) async throws -> Int {
        let text: String
        do { text = try String(contentsOfFile: pairsPath, encoding: .utf8) } catch {
            throw KioskError(exitCode: 1, "cannot read the pairs file \(pairsPath)")
        }
        let file: PairsFile
        do { file = try PairsFile.parse(text, root: root) } catch {
            throw KioskError(exitCode: 1, "\(pairsPath): \(error)")
        }
        let paths = Array(Set(file.pairs.flatMap { [$0.first, $0.second] })).sorted()
        let (results, unreadable) = await embed(paths, engine: engine, upsample: config.upsample)
        let noFace = paths.filter { results[$0]?.embedding == nil }
        let detection = DetectionSummary(paths.map { results[$0] ?? PhotoResult() }, cnnRan: cnnRuns)
        let scored = file.pairs.map { pair -> VerificationMetrics.Scored in
            if let a = results[pair.first]?.embedding, let b = results[pair.second]?.embedding {
                return .init(distance: a.distance(to: b), samePerson: pair.samePerson, fold: pair.fold)
            }
            return .init(distance: .infinity, samePerson: pair.samePerson, fold: pair.fold)
        }
        let metrics = VerificationMetrics(pairs: scored)
        let crossValidation = metrics.tenFold()
        let far2 = metrics.tar(atFAR: 1e-2), far3 = metrics.tar(atFAR: 1e-3)
        let report = VerificationReport(
            pairs: scored.count, folds: crossValidation.folds, no_face: noFace.count,
            pairs_with_no_face: scored.filter { !$0.distance.isFinite }.count,
            found_by_cnn: detection.found_by_cnn,
            threshold: config.threshold, accuracy_at_threshold: metrics.accuracy(threshold: config.threshold),
            ask_threshold: config.askThreshold, accuracy_at_ask_threshold: metrics.accuracy(threshold: config.askThreshold),
            protocol_10fold: .init(accuracy_mean: crossValidation.accuracyMean, accuracy_std: crossValidation.accuracyStd,
                                   threshold_mean: crossValidation.thresholdMean, folds: crossValidation.folds),
            tar_at_far: ["1e-2": far2.tar, "1e-3": far3.tar],
            tar_threshold: ["1e-2": far2.threshold, "1e-3": far3.threshold],
            far_resolvable: ["1e-2": far2.allowedFalseAccepts > 0, "1e-3": far3.allowedFalseAccepts > 0],
            detection: detection)
        if json { print(try jsonText(report)); return unreadable }
        print("""
            \(report.pairs) pairs (\(scored.filter(\.samePerson).count) same person), \(noFace.count) images without a detected face \
            (\(report.pairs_with_no_face) pairs counted as "different")
            \(detection.line)
            accuracy at threshold \(config.threshold) (greet): \(percent(report.accuracy_at_threshold)); \
            at ask_threshold \(config.askThreshold) (greet or ask): \(percent(report.accuracy_at_ask_threshold))
            \(crossValidation.folds)-fold protocol (threshold chosen on the other folds): \(percent(crossValidation.accuracyMean)) ± \(percent(crossValidation.accuracyStd)), \
            mean threshold \(String(format: "%.3f", crossValidation.thresholdMean))
            TAR at FAR 1e-2: \(percent(far2.tar)) (threshold \(String(format: "%.3f", far2.threshold)))\(far2.allowedFalseAccepts == 0 ? " (too few different-person pairs to resolve this FAR: 0 false accepts allowed)" : "")
            TAR at FAR 1e-3: \(percent(far3.tar)) (threshold \(String(format: "%.3f", far3.threshold)))\(far3.allowedFalseAccepts == 0 ? " (too few different-person pairs to resolve this FAR: 0 false accepts allowed)" : "")
            """)
        if !noFace.isEmpty { print(("no face: " + noFace.joined(separator: ", ")).terminalSafe) }
        return unreadable
    }

    /// Returns the number of photos that could not be read.
    private func identification(directory: String, engine: FaceEngine, config: KioskConfig) async throws -> Int {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: directory) else {
            throw KioskError(exitCode: 1, "cannot read the directory \(directory)")
        }
        var people: [(String, [String])] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let photos = ImageFile.photos(in: directory + "/" + name)
            if !photos.isEmpty { people.append((name, photos)) }
        }
        let rule = OpenSetEvaluation.Split(enrollPhotos: enrollPhotos, minimumPhotos: minPhotos ?? enrollPhotos + 1)
        let enrollmentPhotos = Set(people.filter { $0.1.count >= rule.minimumPhotos }.flatMap { $0.1.prefix(rule.enrollPhotos) })
        let evaluation: OpenSetEvaluation
        let detection: DetectionSummary
        var unreadable = 0
        var burstSummary: BurstSummary?
        if let burst {
            // Enrolled from the photos as `kiosk enroll` does; probed with camera bursts.
            let probePhotos = people.flatMap { _, photos in
                photos.count >= rule.minimumPhotos ? Array(photos.dropFirst(rule.minimumPhotos - 1)) : photos
            }
            let (results, unreadablePhotos) = await embed(enrollmentPhotos.sorted(), jitterFor: enrollmentPhotos, engine: engine, upsample: config.upsample)
            let (bursts, unreadableProbes, summary) = await captureBursts(probePhotos, frames: burst, engine: engine, config: config)
            unreadable = unreadablePhotos + unreadableProbes
            burstSummary = summary
            evaluation = OpenSetEvaluation(people: people.map { name, photos in
                OpenSetEvaluation.Person(name: name, probes: photos.map { bursts[$0]?.embedding },
                                         templates: photos.map { results[$0]?.jittered ?? results[$0]?.embedding },
                                         unsure: photos.map { bursts[$0]?.disagreed ?? false })
            }, split: rule)
            detection = DetectionSummary(enrollmentPhotos.sorted().map { results[$0] ?? PhotoResult() }, cnnRan: cnnRuns)
        } else {
            let (results, unreadablePhotos) = await embed(people.flatMap(\.1), jitterFor: enrollmentPhotos, engine: engine, upsample: config.upsample)
            unreadable = unreadablePhotos
            evaluation = OpenSetEvaluation(people: people.map { name, photos in
                OpenSetEvaluation.Person(name: name, probes: photos.map { results[$0]?.embedding },
                                         templates: photos.map { results[$0]?.jittered ?? results[$0]?.embedding })
            }, split: rule)
            detection = DetectionSummary(people.flatMap(\.1).map { results[$0] ?? PhotoResult() }, cnnRan: cnnRuns)
        }
        let policy = config.checkInPolicy
        let outcomes = evaluation.outcomes(policy: policy)
        let thresholds = stride(from: 0.30, through: 0.651, by: 0.025).map { ($0 * 1000).rounded() / 1000 }
        let curves = evaluation.curves(policy: policy, thresholds: thresholds, askThresholds: thresholds)
        let rank1 = evaluation.rank1
        let report = GalleryReport(
            enrolled: evaluation.enrolledPeople, enroll_photos: rule.enrollPhotos, min_photos: rule.minimumPhotos,
            enroll_jitters: enrollJitters, not_enrolled_no_face: evaluation.notEnrolled,
            threshold: policy.threshold, margin: policy.margin, ask_threshold: policy.askThreshold,
            rank1_correct: rank1.correct, rank1_accuracy: rank1.of == 0 ? 0 : Double(rank1.correct) / Double(rank1.of),
            outcomes: outcomes, rates: GalleryReport.Rates(outcomes),
            curve: curves.greeting, ask_curve: curves.asking, detection: detection, burst: burstSummary,
            genuine_probes: outcomes.regular_probes, stranger_probes: outcomes.stranger_probes,
            no_face: outcomes.regulars_without_face + outcomes.strangers_without_face,
            greeted_correctly: outcomes.regulars_greeted_correctly, false_accepts: outcomes.wrong_person_greetings,
            asked: outcomes.regulars_asked + outcomes.strangers_asked, false_rejects: outcomes.regulars_treated_as_new,
            strangers_rejected: outcomes.strangers_treated_as_new)
        if json { print(try jsonText(report)); return unreadable }
        let o = outcomes, r = report.rates
        print("""
            gallery: \(report.enrolled) people enrolled from \(rule.enrollPhotos) photo\(rule.enrollPhotos == 1 ? "" : "s") each\
            \(enrollJitters > 1 ? " (\(enrollJitters) jitters)" : "") (people with \(rule.minimumPhotos)+ photos\
            \(evaluation.notEnrolled > 0 ? "; \(evaluation.notEnrolled) left out, no face in their enrollment photos" : "")); \
            \(o.regular_probes) probes of them, \(o.stranger_probes) of strangers; \(report.no_face) probes without a face
            \(detection.line)\(burstSummary.map { "\n" + $0.line } ?? "")
            rank-1 accuracy: \(percent(report.rank1_accuracy)) (\(rank1.correct) of \(rank1.of))
            rule: greet at distance <= \(policy.threshold) with the next person \(policy.margin) further; ask "Are you X?" up to \(policy.askThreshold)
              wrong-person greetings:  \(o.wrong_person_greetings) (\(o.regulars_greeted_as_someone_else) regulars, \(o.strangers_greeted) strangers) = \(percent(r.wrong_person_greetings)) of probes with a face
              regulars greeted:        \(o.regulars_greeted_correctly) (\(percent(r.regulars_greeted)))
              regulars asked:          \(o.regulars_asked) (\(percent(r.regulars_asked)); \(o.regulars_asked_wrong_name) about someone else)
              regulars treated as new: \(o.regulars_treated_as_new) (\(percent(r.regulars_treated_as_new)))
              regulars greeted or asked by their own name: \(percent(r.regulars_greeted_or_asked))
              strangers: \(o.strangers_greeted) greeted, \(o.strangers_asked) asked (\(percent(r.strangers_asked))), \(o.strangers_treated_as_new) treated as new
            """)
        let wrong = evaluation.wrongGreetings(policy: policy)
        if !wrong.isEmpty {
            print("\nwrong-person greetings:")
            for (probe, greetedAs, distance) in wrong {
                let shown = URL(fileURLWithPath: people[probe.person].1[probe.photo]).lastPathComponent
                let who = probe.truth == nil ? "stranger" : "regular"
                print("  \(shown) (\(who)) greeted as \(people[Int(greetedAs)].0) at \(String(format: "%.3f", distance))".terminalSafe)
            }
        }
        print("\ngreeting threshold (no asking band; margin \(policy.margin)):")
        print(Self.curveTable(curves.greeting, key: \.threshold))
        print("\nasking band above the greeting threshold \(policy.threshold):")
        print(Self.curveTable(curves.asking, key: \.ask_threshold))
        return unreadable
    }

    static func curveTable(_ points: [OpenSetEvaluation.CurvePoint], key: KeyPath<OpenSetEvaluation.CurvePoint, Double>) -> String {
        var lines = ["  distance  wrong greetings  greeted  asked(own/other)  treated as new  strangers asked"]
        for p in points {
            let o = p.outcomes
            lines.append(String(format: "  %8.3f  %15d  %7d  %9d/%-6d  %14d  %15d", p[keyPath: key], o.wrong_person_greetings,
                                o.regulars_greeted_correctly, o.regulars_asked_right_name, o.regulars_asked_wrong_name,
                                o.regulars_treated_as_new, o.strangers_asked))
        }
        return lines.joined(separator: "\n")
    }
}

private func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

struct VerificationReport: Encodable {
    struct CrossValidation: Encodable {
        let accuracy_mean: Double
        let accuracy_std: Double
        let threshold_mean: Double
        let folds: Int
    }
    let pairs: Int
    let folds: Int
    let no_face: Int
    let pairs_with_no_face: Int
    let found_by_cnn: Int
    let threshold: Double
    let accuracy_at_threshold: Double
    let ask_threshold: Double
    let accuracy_at_ask_threshold: Double
    /// Named for the LFW protocol; `folds` says how many folds the file's header gave.
    let protocol_10fold: CrossValidation
    let tar_at_far: [String: Double]
    let tar_threshold: [String: Double]
    let far_resolvable: [String: Bool]
    let detection: EvalCommand.DetectionSummary
}

struct GalleryReport: Encodable {
    struct Rates: Encodable {
        let wrong_person_greetings: Double
        let regulars_greeted: Double
        let regulars_asked: Double
        let regulars_treated_as_new: Double
        let regulars_greeted_or_asked: Double
        let strangers_asked: Double

        init(_ o: OpenSetEvaluation.Outcomes) {
            func rate(_ n: Int, _ of: Int) -> Double { of == 0 ? 0 : Double(n) / Double(of) }
            wrong_person_greetings = rate(o.wrong_person_greetings, o.regularsWithFace + o.strangersWithFace)
            regulars_greeted = rate(o.regulars_greeted_correctly, o.regularsWithFace)
            regulars_asked = rate(o.regulars_asked, o.regularsWithFace)
            regulars_treated_as_new = rate(o.regulars_treated_as_new, o.regularsWithFace)
            regulars_greeted_or_asked = rate(o.regulars_greeted_correctly + o.regulars_asked_right_name, o.regularsWithFace)
            strangers_asked = rate(o.strangers_asked, o.strangersWithFace)
        }
    }

    let enrolled: Int
    let enroll_photos: Int
    let min_photos: Int
    let enroll_jitters: Int
    let not_enrolled_no_face: Int
    let threshold: Double
    let margin: Double
    let ask_threshold: Double
    let rank1_correct: Int
    let rank1_accuracy: Double
    let outcomes: OpenSetEvaluation.Outcomes
    let rates: Rates
    let curve: [OpenSetEvaluation.CurvePoint]
    let ask_curve: [OpenSetEvaluation.CurvePoint]
    let detection: EvalCommand.DetectionSummary
    /// With --burst: how the probes' frames were searched and fused.
    let burst: EvalCommand.BurstSummary?
    // The earlier report's keys, kept for scripts that read them.
    let genuine_probes: Int
    let stranger_probes: Int
    let no_face: Int
    let greeted_correctly: Int
    let false_accepts: Int
    let asked: Int
    let false_rejects: Int
    let strangers_rejected: Int
}

enum FaceRule: String, ExpressibleByArgument, CaseIterable {
    case largest, central

    /// `faces` come largest first.
    func pick(_ faces: [Face], in image: Image) -> Face? {
        switch self {
        case .largest: return faces.first
        case .central:
            func offCentre(_ face: Face) -> Double {
                let x = Double(face.box.left + face.box.right) / 2 - Double(image.width) / 2
                let y = Double(face.box.top + face.box.bottom) / 2 - Double(image.height) / 2
                return x * x + y * y
            }
            return faces.min { offCentre($0) < offCentre($1) }
        }
    }
}

func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

private func ms(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0) } ?? "-" }
