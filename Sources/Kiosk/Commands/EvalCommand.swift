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
            10-fold protocol (threshold chosen on 9 folds, tested on the 10th), TAR at FAR \
            1e-2 and 1e-3, and how many images had no face (their pairs count as "not the \
            same person", so they are errors for same-person pairs).

            --gallery DIR: DIR/<Person>/*.jpg. People with several photos are enrolled with \
            their first photo and probed with the others; people with one photo are never \
            enrolled and probe as strangers. Reports rank-1 accuracy and, with the \
            configured threshold and margin, greetings, false accepts, questions and false rejects.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("LFW-format pairs file.", valueName: "file"))
    var pairs: String?

    @Option(help: ArgumentHelp("Image root for --pairs.", valueName: "dir"))
    var root: String?

    @Option(help: ArgumentHelp("Identification: one folder of photos per person.", valueName: "dir"))
    var gallery: String?

    @Flag(help: "Search for faces as the kiosk does in camera frames (half size first) instead of exactly as face_recognition.")
    var cameraPlan = false

    @Flag(help: "Print JSON. Pairs: {\"pairs\", \"no_face\", \"pairs_with_no_face\", \"threshold\", \"accuracy_at_threshold\", \"protocol_10fold\": {\"accuracy_mean\", \"accuracy_std\", \"threshold_mean\", \"folds\"}, \"tar_at_far\": {\"1e-2\", \"1e-3\"}}; gallery: {\"enrolled\", \"threshold\", \"margin\", probe and outcome counts}.")
    var json = false

    func validate() throws {
        if (pairs == nil) == (gallery == nil) { throw ValidationError("Give either --pairs FILE --root DIR, or --gallery DIR.") }
        if pairs != nil && root == nil { throw ValidationError("--pairs needs --root DIR (where Name/Name_NNNN.jpg are).") }
    }

    func run() async throws {
        let config = try global.loadConfig()
        let engine = try await global.loadEngine()
        var unreadable = 0
        if let pairs, let root {
            unreadable = try await verification(pairsPath: pairs, root: root, engine: engine, config: config)
        } else if let gallery {
            unreadable = try await identification(directory: gallery, engine: engine, config: config)
        }
        // The report counts them as photos without a face; the exit code says some failed.
        if unreadable > 0 {
            throw KioskError(exitCode: 1, "\(unreadable) photo\(unreadable == 1 ? "" : "s") could not be read (listed above)")
        }
    }

    /// Embeddings of the largest face of each photo (nil: no face or unreadable), and
    /// how many photos could not be read.
    private func embed(_ paths: [String], engine: FaceEngine, upsample: Int) async -> (embeddings: [String: Embedding?], unreadable: Int) {
        let plan = cameraPlan ? DetectionPlan.camera(upsample: upsample) : DetectionPlan.exact(upsample: upsample)
        var progress = ProgressBar(total: paths.count, label: "encoding")
        var result: [String: Embedding?] = [:]
        var unreadable = 0
        for path in paths {
            result[path] = .some(nil)
            do {
                let image = try ImageFile.load(path)
                result[path] = .some(try await engine.faces(in: image, plan: plan).first?.embedding)
            } catch {
                unreadable += 1
                printErrorRaw("\r")  // past the progress bar
                printError("kiosk: \(error)")  // counted as "no face", like a photo without one
            }
            progress.advance()
        }
        progress.finish()
        return (result, unreadable)
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
        let (embeddings, unreadable) = await embed(paths, engine: engine, upsample: config.upsample)
        let noFace = paths.filter { embeddings[$0] == .some(nil) }
        let scored = file.pairs.map { pair -> VerificationMetrics.Scored in
            if let a = embeddings[pair.first] ?? nil, let b = embeddings[pair.second] ?? nil {
                return .init(distance: a.distance(to: b), samePerson: pair.samePerson, fold: pair.fold)
            }
            return .init(distance: .infinity, samePerson: pair.samePerson, fold: pair.fold)
        }
        let metrics = VerificationMetrics(pairs: scored)
        let crossValidation = metrics.tenFold()
        let far2 = metrics.tar(atFAR: 1e-2), far3 = metrics.tar(atFAR: 1e-3)
        let report = VerificationReport(
            pairs: scored.count, no_face: noFace.count,
            pairs_with_no_face: scored.filter { !$0.distance.isFinite }.count,
            threshold: config.threshold, accuracy_at_threshold: metrics.accuracy(threshold: config.threshold),
            protocol_10fold: .init(accuracy_mean: crossValidation.accuracyMean, accuracy_std: crossValidation.accuracyStd,
                                   threshold_mean: crossValidation.thresholdMean, folds: crossValidation.folds),
            tar_at_far: ["1e-2": far2.tar, "1e-3": far3.tar],
            far_resolvable: ["1e-2": far2.allowedFalseAccepts > 0, "1e-3": far3.allowedFalseAccepts > 0])
        if json { print(try jsonText(report)); return unreadable }
        print("""
            \(report.pairs) pairs (\(scored.filter(\.samePerson).count) same person), \(noFace.count) images without a detected face \
            (\(report.pairs_with_no_face) pairs counted as "different")
            accuracy at threshold \(config.threshold): \(percent(report.accuracy_at_threshold))
            10-fold protocol (\(crossValidation.folds) folds): \(percent(crossValidation.accuracyMean)) ± \(percent(crossValidation.accuracyStd)), \
            mean threshold \(String(format: "%.3f", crossValidation.thresholdMean))
            TAR at FAR 1e-2: \(percent(far2.tar))\(far2.allowedFalseAccepts == 0 ? " (too few different-person pairs to resolve this FAR: 0 false accepts allowed)" : "")
            TAR at FAR 1e-3: \(percent(far3.tar))\(far3.allowedFalseAccepts == 0 ? " (too few different-person pairs to resolve this FAR: 0 false accepts allowed)" : "")
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
        let (embeddings, unreadable) = await embed(people.flatMap(\.1), engine: engine, upsample: config.upsample)
        var gallery = Gallery()
        var probes: [(truth: Int64?, embedding: Embedding?)] = []
        for (index, (name, photos)) in people.enumerated() {
            let id = Int64(index)
            if photos.count >= 2, let first = embeddings[photos[0]] ?? nil {
                gallery.add(person: Person(id: id, name: name, createdAt: Date(), consentAt: nil, consentVersion: nil), embeddings: [first])
                probes += photos.dropFirst().map { (truth: id, embedding: embeddings[$0] ?? nil) }
            } else {
                probes += photos.map { (truth: nil, embedding: embeddings[$0] ?? nil) }
            }
        }
        let policy = CheckInPolicy(threshold: config.threshold, margin: config.margin)
        var report = IdentificationReport(enrolled: gallery.personCount, threshold: config.threshold, margin: config.margin)
        for probe in probes {
            guard let embedding = probe.embedding else { report.no_face += 1; continue }
            let match = gallery.identify(embedding)
            if let truth = probe.truth {
                report.genuine_probes += 1
                if match?.personId == truth { report.rank1_correct += 1 }
            } else {
                report.stranger_probes += 1
            }
            // The decision a kiosk would take (quality checks aside: these are photos).
            switch policy.decide(quality: FaceQuality(image: Image(width: 200, height: 200, pixels: Self.textured),
                                                      box: FaceBox(left: 0, top: 0, right: 199, bottom: 199)),
                                 identification: match) {
            case .returning(let m):
                if m.personId == probe.truth { report.greeted_correctly += 1 } else { report.false_accepts += 1 }
            case .ambiguous: report.asked += 1
            case .unknown: if probe.truth != nil { report.false_rejects += 1 } else { report.strangers_rejected += 1 }
            case .noFace, .poorQuality: break
            }
        }
        report.rank1_accuracy = report.genuine_probes == 0 ? 0 : Double(report.rank1_correct) / Double(report.genuine_probes)
        if json { print(try jsonText(report)); return unreadable }
        print("""
            \(report.enrolled) people enrolled, \(report.genuine_probes) probes of enrolled people, \(report.stranger_probes) of strangers, \(report.no_face) without a face
            rank-1 accuracy: \(percent(report.rank1_accuracy))
            at threshold \(config.threshold) and margin \(config.margin): \(report.greeted_correctly) greeted correctly, \
            \(report.false_accepts) false accepts (wrong person greeted), \(report.asked) asked "Are you ...?", \
            \(report.false_rejects) false rejects, \(report.strangers_rejected) strangers correctly not greeted
            """)
        return unreadable
    }

    /// A sharp, mid-grey texture: makes FaceQuality pass so only recognition is evaluated.
    private static let textured: [UInt8] = (0..<(200 * 200)).flatMap { i -> [UInt8] in
        let v: UInt8 = ((i % 200) / 3 + (i / 200) / 3) % 2 == 0 ? 100 : 160
        return [v, v, v]
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
    let no_face: Int
    let pairs_with_no_face: Int
    let threshold: Double
    let accuracy_at_threshold: Double
    let protocol_10fold: CrossValidation
    let tar_at_far: [String: Double]
    let far_resolvable: [String: Bool]
}

struct IdentificationReport: Encodable {
    var enrolled: Int
    var threshold: Double
    var margin: Double
    var genuine_probes = 0
    var stranger_probes = 0
    var no_face = 0
    var rank1_correct = 0
    var rank1_accuracy = 0.0
    var greeted_correctly = 0
    var false_accepts = 0
    var asked = 0
    var false_rejects = 0
    var strangers_rejected = 0
}
