import ArgumentParser
import DeskCore
import COpenBLAS
import Foundation
import ServerStore
import Store
import Vision
#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the real pipeline on real photos turned into 640x480 camera frames.",
        discussion: """
            Each photo is scaled and cropped to 640x480 and JPEG-encoded like an MJPEG \
            webcam frame. Every run decodes a frame, detects, finds landmarks, computes the \
            descriptor, matches against a gallery (the photos' people among 1000 synthetic \
            ones) and records the visit in a temporary database. Reports p50 and p99 per \
            stage and end to end; then nearest-neighbour search over synthetic galleries, \
            database-only enroll and check-in times, cold start and peak memory. Photos: \
            the samples, ../shared/faces/dev when present, or --images DIR. \
            With --db postgres://... (an empty scratch database) it measures the shared \
            server instead: check-in commits, enroll-to-other-desk propagation, desk start-up \
            at 10k and 100k people, and --desks desks checking in once a second.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON: {\"frame\", \"runs\", \"images\", \"detection\", \"stages\": {STAGE: {\"p50_ms\", \"p99_ms\"}}, \"capture_frames\", \"core\": {\"decide\"|\"commit\"|\"total\": {...}}, \"search\": {SIZE: {...}}, \"store\", \"live_state\", \"staff\", \"cold_start_ms\", \"peak_rss_mb\", \"blas\"}.")
    var json = false

    @Option(help: ArgumentHelp("Use the JPEG/PNG photos in this directory (searched recursively).", valueName: "dir"))
    var images: String?

    @Option(help: "Measured runs of the pipeline (after 5 warm-up runs).")
    var runs = 60

    @Option(help: "Largest synthetic gallery to search (1000, 10000, 100000, 1000000).")
    var maxGallery = 1_000_000

    @Flag(help: "Search every frame exactly as face_recognition does (recognition.upsample, full frame) instead of the camera plan.")
    var exactDetection = false

    @Option(help: "Frames on which to time the CNN detector (upsample 0 and 1); 0 skips it.")
    var cnnFrames = 10

    @Flag(help: "Camera plan with the exact search's box found again around each half-size box (only the pyramid levels and region near it).")
    var refined = false

    @Option(help: ArgumentHelp("Frames per capture for the core figures (default: recognition.capture_frames).", valueName: "n"))
    var captureFrames: Int?

    @Flag(help: "Camera plan keeping the half-size box as found (no search around it).")
    var unrefined = false

    @Option(help: ArgumentHelp("Also list the N photos whose plan embedding moved furthest from the exact search's, with both boxes.", valueName: "n"))
    var worstShifts = 0

    @Flag(help: "Skip the cold-start measurement.")
    var noColdStart = false

    @Option(help: "Gallery size (templates) for the live-state figures: change check, applying one enrollment or erasure; 0 skips them.")
    var liveStateTemplates = 100_000

    @Option(help: "People and visits for the staff-view page figures (PEOPLE:VISITS); 0:0 skips them.")
    var staffScale = "50000:500000"

    @Option(help: "With --db postgres://...: how many desks to simulate, each checking in once a second.")
    var desks = 50

    @Option(help: "With --db postgres://...: for how many seconds the simulated desks check in.")
    var deskSeconds = 60

    @Flag(help: .hidden)
    var coldStartProbe = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1.") }
        if refined && unrefined { throw ValidationError("--refined and --unrefined exclude each other.") }
        if worstShifts < 0 { throw ValidationError("--worst-shifts must be 0 or more.") }
    }

    func run() async throws {
        if coldStartProbe { return try await probeColdStart() }
        var config = try global.loadConfig()
        if refined { config.refineFastDetection = true }
        if unrefined { config.refineFastDetection = false }
        let engine = try await global.loadEngine()
        if case let .server(address, passwordFile) = try global.databaseTarget() {
            return try await benchServer(address, passwordFile: passwordFile, engine: engine, config: config)
        }
        let photos = try photoPaths()
        let plan = exactDetection ? DetectionPlan.exact(upsample: config.upsample) : config.cameraDetectionPlan
        if !json { printError("bench: preparing \(photos.count) photos as 640x480 MJPEG frames...") }

        // Frames as a webcam would deliver them, and the embedding of each for the gallery.
        var frames: [[UInt8]] = []
        var gallery = Gallery()
        let scratch = NSTemporaryDirectory() + "kiosk-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let database = try AppDatabase.open(path: scratch + "/bench.sqlite", createDirectory: false)
        var synthetic = SyntheticEmbeddings(seed: 7)
        var enrollTimes = Timings()
        var shifts = Timings()
        var missedByPlan = 0
        var worst: [(shift: Double, photo: String, plan: FaceBox, exact: FaceBox, faces: (plan: Int, exact: Int))] = []
        for i in 0..<1000 {
            let e = synthetic.next()
            let start = ContinuousClock.now
            let person = try database.enroll(Enrollment(name: "Synthetic \(i)", consentVersion: "1",
                                                        templates: [.init(embedding: e, quality: 1)]))
            enrollTimes.add(milliseconds(since: start))
            gallery.add(person: person, embeddings: [e])
        }
        for path in photos {
            guard let photo = try? ImageFile.load(path) else { continue }
            let frame = photo.filling(width: 640, height: 480)
            let jpeg = try JPEGEncoder.encode(frame, quality: 85)
            let decoded = try JPEGDecoder().decode(jpeg)
            let exactFaces = try await engine.faces(in: decoded, upsample: config.upsample)
            guard let face = exactFaces.first else { continue }
            // How far the plan's embedding is from the exact search's: the accuracy cost of
            // searching a smaller image first.
            let plannedFaces = try await engine.faces(in: decoded, plan: plan)
            if let planned = plannedFaces.first {
                let shift = planned.embedding.distance(to: face.embedding)
                shifts.add(shift)
                if worstShifts > 0 {
                    worst.append((shift, path, planned.box, face.box, (plannedFaces.count, exactFaces.count)))
                    worst.sort { $0.shift > $1.shift }
                    if worst.count > worstShifts { worst.removeLast() }
                }
            } else {
                missedByPlan += 1
            }
            frames.append(jpeg)
            // Numbered, not named after the file: any file name (too long, odd characters)
            // would be refused by the store's name rules and end the benchmark.
            let person = try database.enroll(Enrollment(name: "Bench photo \(frames.count)", consentVersion: "1",
                                                        templates: [.init(embedding: face.embedding, quality: 1)]))
            gallery.add(person: person, embeddings: [face.embedding])
        }
        guard !frames.isEmpty else {
            printError("kiosk bench: no face found in any photo (\(photos.count) tried)")
            throw ExitCode(1)
        }

        // The pipeline, stage by stage.
        var stages: [String: Timings] = [:]
        var checkinTimes = Timings()
        let jpeg = JPEGDecoder()
        for run in 0..<(runs + 5) {
            let frameBytes = frames[run % frames.count]
            var t: [String: Double] = [:]
            let start = ContinuousClock.now
            var mark = start
            func lap(_ name: String) { t[name] = milliseconds(since: mark); mark = ContinuousClock.now }
            let image = try jpeg.decode(frameBytes); lap("decode")
            let boxes = FaceEngine.largestFirst(try await engine.detect(in: image, plan: plan)); lap("detect")
            guard let box = boxes.first else { continue }
            let landmarks = try await engine.landmarks(in: image, box: box); lap("landmarks")
            let embedding = try await engine.embedding(in: image, box: box, landmarks: landmarks).embedding; lap("embed")
            let match = gallery.identify(embedding); lap("match")
            if let match {
                _ = try database.recordVisit(personId: match.personId, kioskId: "bench", distance: match.distance,
                                             quality: nil, cooldown: 0)
            }
            lap("record")
            t["total"] = milliseconds(since: start)
            if run >= 5 {
                for (name, value) in t { stages[name, default: Timings()].add(value) }
                checkinTimes.add(t["record"] ?? 0)
            }
        }
        let peakRSS = Self.peakRSSMegabytes()

        // The same frames through the front-desk core, as `kiosk run` and `kiosk checkin`
        // take them: decide (change check, face, search, the person's card), then write
        // the visit in one transaction. Cooldown 0: every check-in writes a row.
        var coreConfig = config
        coreConfig.cooldownMinutes = 0
        if exactDetection { coreConfig.fastDetection = false }
        if let captureFrames { coreConfig.captureFrames = max(1, min(8, captureFrames)) }
        let desk = try FrontDesk(engine: engine, store: database, config: coreConfig, pending: nil)
        var core: [String: Timings] = [:]
        for run in 0..<(runs + 5) {
            let start = ContinuousClock.now
            let image = try jpeg.decode(frames[run % frames.count])
            let decided = ContinuousClock.now
            // A capture decides on `captureFrames` frames; the same frame repeated costs
            // what successive frames of a visitor cost (each is searched and described).
            let decision = try await desk.decide(burst: Array(repeating: image, count: coreConfig.captureFrames))
            let decideTime = milliseconds(since: decided)
            let committed = ContinuousClock.now
            if let visit = decision.visit, case .returning = decision.verdict { _ = await desk.commit(visit) }
            let commitTime = milliseconds(since: committed)
            if run >= 5 {
                core["decide", default: Timings()].add(decideTime)
                core["commit", default: Timings()].add(commitTime)
                core["total", default: Timings()].add(milliseconds(since: start))
            }
        }

        let live = LiveStateBenchmark(engine: engine, config: config, directory: scratch)
        var liveState: LiveStateBenchmark.Report?
        if liveStateTemplates > 0 {
            if !json { printError("bench: live state at \(liveStateTemplates) templates...") }
            liveState = try await live.run(templates: liveStateTemplates)
        }
        var staff: LiveStateBenchmark.StaffReport?
        let scale = staffScale.split(separator: ":").compactMap { Int($0) }
        if scale.count == 2, scale[0] > 0 {
            if !json { printError("bench: staff pages at \(scale[0]) people, \(scale[1]) visits...") }
            staff = try live.staffPages(people: scale[0], visits: scale[1])
        }

        var cnn0 = Timings(), cnn1 = Timings()
        if cnnFrames > 0 && engine.cnnAvailable {
            if !json { printError("bench: CNN detector on \(min(cnnFrames, frames.count)) frames...") }
            for (i, frameBytes) in frames.prefix(cnnFrames).enumerated() {
                let image = try jpeg.decode(frameBytes)
                var start = ContinuousClock.now
                _ = try await engine.detectCNN(in: image, upsample: 0)
                let t0 = milliseconds(since: start)
                start = ContinuousClock.now
                _ = try await engine.detectCNN(in: image, upsample: 1)
                let t1 = milliseconds(since: start)
                if i > 0 || cnnFrames == 1 { cnn0.add(t0); cnn1.add(t1) }  // the first call also loads the model
            }
        }
        let search = try searchBenchmark()
        let coldStart = noColdStart ? nil : try measureColdStart()
        let report = BenchReport(
            frame: "640x480", runs: runs, images: frames.count, upsample: config.upsample,
            detection: .init(plan: plan.steps.map { "scale \($0.scale) upsample \($0.upsample)" + ($0.refineUpsample.map { " (refined at full size, upsample \($0))" } ?? "") }.joined(separator: ", then "),
                             embedding_shift_p50: shifts.p50, embedding_shift_max: shifts.percentile(100),
                             frames_missed: missedByPlan,
                             cnn_upsample0: cnn0.count == 0 ? nil : .init(cnn0), cnn_upsample1: cnn1.count == 0 ? nil : .init(cnn1),
                             cnn_frames: cnn0.count),
            stages: stages.mapValues(BenchReport.Stage.init), capture_frames: coreConfig.captureFrames,
            core: core.mapValues(BenchReport.Stage.init), search: search,
            store: .init(enroll_p50_ms: enrollTimes.p50, checkin_p50_ms: checkinTimes.p50, people: gallery.personCount),
            live_state: liveState, staff: staff,
            cold_start_ms: coldStart, peak_rss_mb: peakRSS,
            blas: openblas_get_config().map { String(cString: $0) } ?? "unknown")
        print(json ? try jsonText(report) : report.text)
        if !worst.isEmpty {
            // To stderr: the report on stdout stays one document (text or JSON).
            func box(_ b: FaceBox) -> String { "(\(b.left),\(b.top))-(\(b.right),\(b.bottom)) \(b.width)x\(b.height)" }
            printError("largest embedding shifts (largest face of each search; faces found by the plan / the exact search):")
            for w in worst {
                printError(String(format: "%.3f", w.shift) + "  \(w.photo)  plan \(box(w.plan))  exact \(box(w.exact))  faces \(w.faces.plan)/\(w.faces.exact)")
            }
        }
    }

    /// Exact nearest-two-people search over synthetic galleries of growing size.
    /// `--db postgres://...`: the shared-server figures only (the face pipeline does not
    /// depend on where visitors are stored; run bench without --db for it).
    private func benchServer(_ address: ServerAddress, passwordFile: String?, engine: FaceEngine, config: KioskConfig) async throws {
        var benchmark = ServerBenchmark(engine: engine, config: config,
                                        open: { try global.openServer(address, passwordFile: passwordFile) },
                                        pendingDirectory: NSTemporaryDirectory())
        benchmark.desks = desks
        benchmark.deskSeconds = deskSeconds
        let report = try await benchmark.run { if !json { printError("bench: \($0)") } }
        if json { return print(try jsonText(report)) }
        func stage(_ s: BenchReport.Stage) -> String { String(format: "p50 %.2f ms, p99 %.2f ms", s.p50_ms, s.p99_ms) }
        print("server \(report.server)")
        print("  check-in commit (store)           \(stage(report.commit))")
        print("  check-in commit (desk, journaled) \(stage(report.desk_commit))")
        print("  enroll at A -> in B's gallery     \(stage(report.propagation))")
        for size in report.gallery_load_ms.keys.sorted(by: { Int($0)! < Int($1)! }) {
            print("  \(size) people: " + String(format: "gallery load %.0f ms, desk start %.0f ms",
                                                  report.gallery_load_ms[size] ?? 0, report.desk_start_ms[size] ?? 0))
        }
        print("  \(report.desks) desks x 1 check-in/s for \(report.desk_seconds) s: \(report.many_desks_commits) commits, "
              + "\(stage(report.many_desks_commit)), errors \(report.many_desks_errors)")
    }

    private func searchBenchmark() throws -> [String: BenchReport.Stage] {
        var results: [String: BenchReport.Stage] = [:]
        var synthetic = SyntheticEmbeddings(seed: 99)
        var index = FaceIndex<Int64>()
        index.reserveCapacity(min(maxGallery, 1_000_000))
        let queries = (0..<30).map { _ in synthetic.next() }
        for size in [1_000, 10_000, 100_000, 1_000_000] where size <= maxGallery {
            if !json { printError("bench: searching \(size) templates...") }
            while index.count < size { index.add(synthetic.next(), for: Int64(index.count / 2)) }
            var times = Timings()
            for (i, query) in (queries + queries).enumerated() {
                let start = ContinuousClock.now
                let hits = index.nearestKeys(to: query, limit: 2)
                let elapsed = milliseconds(since: start)
                if i >= 5 { times.add(elapsed) }  // first few warm the caches
                precondition(!hits.isEmpty)
            }
            results[String(size)] = .init(times)
        }
        return results
    }

    /// Median wall time of `kiosk bench --cold-start-probe` (start, load configuration,
    /// models, database and gallery, exit) over 5 runs.
    private func measureColdStart() throws -> Double {
        var times = Timings()
        var arguments = ["bench", "--cold-start-probe"]
        if let models = global.models { arguments += ["--models", models] }
        if let config = global.config { arguments += ["--config", config] }
        arguments += ["--db", global.databasePath]
        for _ in 0..<5 {
            let process = Process()
            // /proc/self/exe is this very binary, however it was started (PATH, relative path).
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            let start = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            times.add(milliseconds(since: start))
            guard process.terminationStatus == 0 else { return -1 }
        }
        return times.p50
    }

    /// What `kiosk run` does before it can capture: configuration, models, database, gallery.
    private func probeColdStart() async throws {
        _ = try await global.openFrontDesk()
    }

    private func photoPaths() throws -> [String] {
        var directories: [String] = []
        if let images { directories = [images] } else {
            directories.append(DataDirectory.samples())
            let dev = FileManager.default.currentDirectoryPath + "/../shared/faces/dev"
            if FileManager.default.fileExists(atPath: dev) { directories.append(dev) }
        }
        var photos: [String] = []
        for directory in directories {
            guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
            while let entry = walker.nextObject() as? String {
                if ["jpg", "jpeg", "png"].contains((entry as NSString).pathExtension.lowercased()) {
                    photos.append(directory + "/" + entry)
                }
            }
        }
        if photos.isEmpty {
            printError("kiosk bench: no photos found in \(directories.joined(separator: ", ")) (run scripts/setup, or pass --images DIR)")
            throw ExitCode(3)
        }
        return photos.sorted()
    }

    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}
