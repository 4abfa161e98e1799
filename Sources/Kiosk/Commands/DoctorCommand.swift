import ArgumentParser
import DeskCore
import COpenBLAS
import Foundation
import Store
import Vision

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that this machine is ready: models, checksums, BLAS, configuration, private data files, the database (server connection, schema, sync).",
        discussion: "Prints one line per check. Exit code 3 when the models need scripts/setup, 1 for other problems."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        var report = DoctorReport()
        let models = global.modelFiles
        report.info("models directory", models.directory)

        var modelsUsable = true
        for model in ModelFiles.Model.allCases {
            do {
                try models.verifyChecksum(of: model)
                report.pass(model.rawValue, "present, SHA-256 matches")
            } catch {
                // The CNN detector is optional (not used by the HOG pipeline yet).
                if model == .cnnDetector {
                    report.warn(model.rawValue, "\(error)")
                } else {
                    modelsUsable = false
                    report.fail(model.rawValue, "\(error)", fix: "scripts/setup   (or --models DIR)", setup: true)
                }
            }
        }

        if modelsUsable {
            let start = ContinuousClock.now
            do {
                _ = try FaceEngine(models: models)
                report.pass("models load", "dlib loaded the landmark and descriptor models in \(String(format: "%.0f ms", milliseconds(since: start)))")
            } catch {
                report.fail("models load", "\(error)", fix: "scripts/setup", setup: true)
            }
        }

        if let config = openblas_get_config() {
            report.pass("BLAS", "\(String(cString: config)), \(openblas_get_num_threads()) threads")
        } else {
            report.fail("BLAS", "OpenBLAS is not linked", fix: "apt-get install libopenblas-dev", setup: true)
        }

        do {
            let config = try KioskConfig.load(explicitPath: global.config)
            report.pass("configuration", config.source ?? "built-in defaults (no \(KioskConfig.userPath()))")
            reportDecisionRule(config.checkInPolicy, into: &report)
        } catch {
            report.fail("configuration", "\(error)", fix: "correct the file, or compare it with Config/kiosk.toml", setup: false)
        }

        let samples = DataDirectory.samples()
        if FileManager.default.fileExists(atPath: samples + "/obama.jpg") {
            report.pass("sample photos", samples)
        } else {
            report.warn("sample photos", "missing in \(samples) (the demo source and tests use them; scripts/setup fetches them)")
        }

        // Faces and names are biometric data: nobody but the kiosk's user may read them.
        // The database's own directory is not checked when --db puts it elsewhere: that may
        // be a shared directory on purpose, and the database files themselves are checked.
        let dataDirectory = DataDirectory.resolve()
        let exposed = DataPermissions.problems(directories: [dataDirectory],
                                               files: DataPermissions.companions(ofDatabase: global.databasePath))
        if exposed.isEmpty {
            report.pass("data permissions", "\(dataDirectory) and \(global.databasePath) are private to this user (or not created yet)")
        }
        for problem in exposed {
            report.fail("data permissions", problem.detail, fix: problem.fix, setup: false)
        }

        DatabaseCheck.run(global, into: &report)

        for line in report.lines { print(line.terminalSafeLines) }
        if report.needsSetup { throw KioskError.reported(exitCode: 3) }
        if report.failed { throw KioskError.reported(exitCode: 1) }
        print("kiosk is ready.")
    }
}

extension DoctorCommand {
    /// The rule, and whether the gallery has outgrown its greeting threshold: each enrolled
    /// template is one more chance for a stranger to look like someone.
    func reportDecisionRule(_ policy: CheckInPolicy, into report: inout DoctorReport) {
        let f = { (x: Double) in String(format: "%.3g", x) }
        report.info("decision rule", "greet at distance <= \(f(policy.threshold)) when the next person is \(f(policy.margin)) further; "
            + "ask \"Are you ...?\" up to \(f(policy.askThreshold)); otherwise new visitor")
        // Only an existing database is read: doctor creates nothing.
        let templates: Int?
        switch try? global.databaseTarget() {
        case let .server(address, passwordFile)?:
            templates = try? global.openServer(address, passwordFile: passwordFile).loadGallery(model: ModelFiles.embeddingModelID).templateCount
        case let .file(path, _)?:
            templates = FileManager.default.fileExists(atPath: path)
                ? try? AppDatabase.open(path: path, createDirectory: false).loadGallery().templateCount : nil
        case nil:
            templates = nil
        }
        guard let templates else { return }
        let safe = policy.largestSafeGallery()
        let greet = CheckInPolicy.strangerChance(within: policy.threshold, templates: templates)
        let ask = CheckInPolicy.strangerChance(within: policy.askThreshold, templates: templates)
        let detail = "\(templates) templates: a stranger comes within the greeting distance of someone with a chance of "
            + "\(String(format: "%.2f%%", greet * 100)) before the margin check, within the asking distance \(String(format: "%.0f%%", ask * 100)) "
            + "(rates measured on LFW); the greeting threshold suits up to \(safe) templates"
        if templates > safe {
            report.warn("gallery size", detail + ": lower recognition.threshold (see Config/kiosk.toml)")
        } else {
            report.pass("gallery size", detail)
        }
    }
}

/// The checks `kiosk doctor` made, as printable lines.
struct DoctorReport {
    private(set) var lines: [String] = []
    private(set) var failed = false
    private(set) var needsSetup = false

    mutating func info(_ name: String, _ detail: String) { lines.append("  info  \(name): \(detail)") }
    mutating func pass(_ name: String, _ detail: String) { lines.append("  ok    \(name): \(detail)") }
    mutating func warn(_ name: String, _ detail: String) { lines.append("  warn  \(name): \(detail)") }

    mutating func fail(_ name: String, _ detail: String, fix: String, setup: Bool) {
        lines.append("  FAIL  \(name): \(detail)\n        fix: \(fix)")
        failed = true
        if setup { needsSetup = true }
    }
}
