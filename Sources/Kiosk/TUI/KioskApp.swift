import Foundation
import Logging
import Store
import Vision

/// The kiosk: the UI loop on its own thread (curses belongs to one thread), the camera
/// on another, recognition and database work in tasks. The loop reads keys, takes
/// results from the mailbox, feeds both to the state machine, starts the work the
/// machine asks for, and redraws what changed.
final class KioskApp: @unchecked Sendable {
    enum Message: Sendable {
        case event(DeskMachine.Event)
        case faceBox(FaceBox?, sequence: Int)
        case staffChanged(String)
    }

    struct Options {
        var spec: SourceSpec
        var fallbackNotice: String?
        var greetingSeconds = 6.0
    }

    private let desk: FrontDesk
    private let database: AppDatabase
    private let config: KioskConfig
    private let camera: LiveCamera
    private let logger: Logger
    private let options: Options
    private let mailbox = Mailbox<Message>()

    // UI-thread state.
    private var machine: DeskMachine
    private var staff = StaffView()
    private var staffData = StaffScreenData()
    private var faceBox: (box: FaceBox, sequence: Int)?
    private var enrolledCount = 0
    private var running = true

    // Shared with tasks.
    /// A face the desk captured, with the picture it came from.
    struct Captured: Sendable {
        let face: Face
        let quality: FaceQuality
        let image: Image
    }

    private let samples = Shared<[Captured]>([])
    private let lastRecognised = Shared<Captured?>(nil)
    private let detecting = Shared(false)

    init(desk: FrontDesk, database: AppDatabase, config: KioskConfig, options: Options, logger: Logger) throws {
        self.desk = desk
        self.database = database
        self.config = config
        self.options = options
        self.logger = logger
        self.camera = LiveCamera(spec: options.spec)
        var settings = DeskMachine.Settings()
        settings.greetingSeconds = options.greetingSeconds
        settings.pinIsSet = (try? database.staffPINHash()) != nil
        machine = DeskMachine(settings: settings)
        enrolledCount = (try? database.personCount()) ?? 0
    }

    /// Runs until the user quits (F10) or a termination signal; the terminal is restored.
    func run(terminal: CursesTerminal) {
        let renderer = Renderer(terminal: terminal)
        camera.start()
        defer { camera.stop() }
        if let notice = options.fallbackNotice {
            machine.notice = Notice(text: notice, tone: .warning, until: monotonicSeconds() + 8)
        }
        logger.info("kiosk started on \(options.spec)")
        var lastSize = terminal.size
        var instantReturns = 0
        var frameCount = 0, previewFrames = 0, lastPreviewSequence = -1, windowStart = monotonicSeconds()
        while running && TerminalGuard.stopRequested == 0 {
            let now = monotonicSeconds()
            apply(machine.handle(.tick(now)))
            let key = terminal.readKey(timeoutMilliseconds: 30)
            // A read that returns at once with nothing, over and over, means the terminal
            // is gone (hung up, closed): stop instead of spinning.
            instantReturns = key == nil && monotonicSeconds() - now < 0.005 ? instantReturns + 1 : 0
            if instantReturns > 200 {
                logger.warning("the terminal went away; stopping")
                break
            }
            if let key {
                if key == .resize || terminal.size != lastSize {
                    lastSize = terminal.size
                    renderer.invalidate()
                }
                handle(key)
            }
            for message in mailbox.takeAll() { receive(message) }
            trackFace()
            var buffer = CellBuffer(width: terminal.size.width, height: terminal.size.height)
            draw(into: &buffer, colorMode: terminal.colorMode)
            renderer.render(buffer)
            // Preview rate: camera frames that reached the screen, logged every 10 s.
            frameCount += 1
            if let sequence = camera.latest?.sequence, sequence != lastPreviewSequence {
                previewFrames += 1
                lastPreviewSequence = sequence
            }
            if monotonicSeconds() - windowStart >= 10 {
                let seconds = monotonicSeconds() - windowStart
                logger.info("screen: \(String(format: "%.1f", Double(previewFrames) / seconds)) preview fps, \(String(format: "%.1f", Double(frameCount) / seconds)) redraws/s, \(renderer.cellsWrittenLastFrame) cells last frame")
                frameCount = 0
                previewFrames = 0
                windowStart = monotonicSeconds()
            }
        }
        logger.info("kiosk stopped")
    }

    // MARK: input

    private func handle(_ key: Key) {
        if case .staff = machine.state {
            let selected = selectedPerson()
            let effects = staff.handle(key, rowCount: staff.tab == .people ? staffData.people.count : staffData.visits.count,
                                       selectedPerson: selected) { [self] in staffData.preferences }
            for effect in effects { applyStaff(effect) }
            reloadStaffData()
            return
        }
        apply(machine.handle(.key(key)))
    }

    private func receive(_ message: Message) {
        switch message {
        case .event(let event):
            if case .enrolled = event { enrolledCount = (try? database.personCount()) ?? enrolledCount }
            apply(machine.handle(event))
        case .faceBox(let box, let sequence):
            faceBox = box.map { ($0, sequence) }
        case .staffChanged(let message):
            staff.message = message
            enrolledCount = (try? database.personCount()) ?? enrolledCount
            reloadStaffData()
        }
    }

    // MARK: effects

    private func apply(_ effects: [DeskMachine.Effect]) {
        for effect in effects {
            switch effect {
            case .recognise: recognise()
            case .recordVisit(let personId, let distance): recordVisit(personId, distance: distance)
            case .captureSample: captureSample()
            case .saveEnrollment(let name, let preferences): saveEnrollment(name: name, preferences: preferences)
            case .verifyPIN(let digits): verifyPIN(digits)
            case .setPIN(let digits): setPIN(digits)
            case .openStaff:
                staff = StaffView()
                reloadStaffData()
            case .quit: running = false
            }
        }
    }

    private func recognise() {
        let camera = self.camera, desk = self.desk, database = self.database, config = self.config
        let mailbox = self.mailbox, lastRecognised = self.lastRecognised, samples = self.samples, logger = self.logger
        Task.detached {
            guard let frame = camera.nextUsableFrame(timeout: 2) else {
                mailbox.post(.event(.failed("No usable picture from the camera right now.")))
                return
            }
            do {
                let started = monotonicSeconds()
                let (analysis, verdict) = try await desk.decide(frame.image)
                if let face = analysis.face, let quality = analysis.quality {
                    lastRecognised.set(Captured(face: face, quality: quality, image: frame.image))
                }
                samples.set([])
                logger.info("capture: \(verdict.status) in \(String(format: "%.0f", (monotonicSeconds() - started) * 1000)) ms")
                switch verdict {
                case .returning(let m):
                    mailbox.post(.event(.recognised(.returning(try Self.greeting(for: m, database: database, config: config)))))
                case .ambiguous(let m):
                    var runnerUp = "someone else"
                    if let other = m.runnerUp, let name = await desk.name(of: other.personId) { runnerUp = name }
                    mailbox.post(.event(.recognised(.ambiguous(try Self.greeting(for: m, database: database, config: config), runnerUpName: runnerUp))))
                case .unknown: mailbox.post(.event(.recognised(.unknown)))
                case .noFace: mailbox.post(.event(.recognised(.noFace)))
                case .poorQuality(let p): mailbox.post(.event(.recognised(.poorQuality(p))))
                }
                if analysis.faceCount > 1 {
                    mailbox.post(.event(.failed("\(analysis.faceCount) faces in the picture: the largest was used.")))
                }
            } catch {
                logger.error("recognition failed: \(error)")
                mailbox.post(.event(.failed("Recognition failed: \(error)")))
            }
        }
    }

    private static func greeting(for match: Identification, database: AppDatabase, config: KioskConfig) throws -> Greeting {
        let preview = try database.visitPreview(personId: match.personId, cooldown: TimeInterval(config.cooldownMinutes * 60))
        let thumbnail = (try? database.thumbnail(personId: match.personId)).flatMap { $0 }.flatMap { try? JPEGDecoder().decode($0) }
        return Greeting(personId: match.personId, name: match.name, visitNumber: preview.visitNumber, lastVisit: preview.previousVisit,
                        preferences: try database.preferences(personId: match.personId).map { .init(key: $0.key, value: $0.value) },
                        distance: match.distance, thumbnail: thumbnail, countsAsNewVisit: preview.counted)
    }

    private func recordVisit(_ personId: Int64, distance: Double?) {
        let database = self.database, config = self.config, logger = self.logger, desk = self.desk
        let last = lastRecognised.get()
        Task.detached {
            do {
                let recording = try database.recordVisit(personId: personId, kioskId: config.kioskId, distance: distance,
                                                         quality: last?.quality.score, cooldown: TimeInterval(config.cooldownMinutes * 60))
                logger.info("visit of person \(personId): \(recording.counted ? "recorded #\(recording.visitNumber)" : "within cooldown")")
                if recording.counted, let last, let distance {
                    await desk.learn(personId: personId, embedding: last.face.embedding, distance: distance, quality: last.quality)
                }
            } catch {
                logger.error("recording a visit failed: \(error)")
            }
        }
    }

    private func captureSample() {
        let camera = self.camera, desk = self.desk, mailbox = self.mailbox, samples = self.samples
        let seed = lastRecognised.get(), threshold = config.threshold
        let after = camera.latest?.sequence
        Task.detached {
            // The face from the capture that led here counts as the first sample.
            if samples.get().isEmpty, let seed {
                samples.update { $0.append(seed) }
                mailbox.post(.event(.sampleCaptured(accepted: true, problem: nil)))
                return
            }
            try? await Task.sleep(nanoseconds: 400_000_000)  // a slightly different pose each time
            guard let frame = camera.nextUsableFrame(after: after, timeout: 3) else {
                mailbox.post(.event(.sampleCaptured(accepted: false, problem: "No picture from the camera: check it, then look at it.")))
                return
            }
            do {
                let analysis = try await desk.analyze(frame.image)
                guard let face = analysis.face, let quality = analysis.quality else {
                    mailbox.post(.event(.sampleCaptured(accepted: false, problem: "No face: please look at the camera.")))
                    return
                }
                if let problem = quality.problem {
                    mailbox.post(.event(.sampleCaptured(accepted: false, problem: problem.advice)))
                    return
                }
                // Every sample must show the same person as the first.
                if let first = samples.get().first, face.embedding.distance(to: first.face.embedding) > threshold {
                    mailbox.post(.event(.sampleCaptured(accepted: false, problem: "That looks like someone else: only the new visitor, please.")))
                    return
                }
                samples.update { $0.append(Captured(face: face, quality: quality, image: frame.image)) }
                mailbox.post(.event(.sampleCaptured(accepted: true, problem: nil)))
            } catch {
                mailbox.post(.event(.sampleCaptured(accepted: false, problem: "\(error)")))
            }
        }
    }

    private func saveEnrollment(name: String, preferences: [EnrollmentForm.Preference]) {
        let desk = self.desk, mailbox = self.mailbox, config = self.config, logger = self.logger
        let collected = samples.get()
        Task.detached {
            guard let first = collected.first else {
                mailbox.post(.event(.failed("No face captured: nothing was stored.")))
                return
            }
            do {
                let thumbnail = try await desk.thumbnail(of: first.face, in: first.image)
                let enrollment = Enrollment(name: name, preferences: preferences.map { ($0.key, $0.value) },
                                            consentVersion: config.consentVersion,
                                            templates: collected.map { .init(embedding: $0.face.embedding, quality: $0.quality.score) },
                                            thumbnailJPEG: thumbnail, firstVisitKiosk: config.kioskId)
                let person = try await desk.enroll(enrollment)
                logger.info("enrolled person \(person.id ?? 0) with \(collected.count) templates")
                let image = thumbnail.flatMap { try? JPEGDecoder().decode($0) }
                mailbox.post(.event(.enrolled(Greeting(personId: person.id ?? 0, name: person.name, visitNumber: 1, lastVisit: nil,
                                                       preferences: preferences, distance: nil, thumbnail: image,
                                                       countsAsNewVisit: true, justEnrolled: true))))
            } catch {
                logger.error("enrollment failed: \(error)")
                mailbox.post(.event(.failed("Could not save: \(error). Nothing was stored.")))
            }
        }
    }

    private func verifyPIN(_ digits: String) {
        let database = self.database, mailbox = self.mailbox
        Task.detached {
            let stored = (try? database.staffPINHash()) ?? nil
            let ok = stored.map { PINHash.verify(pin: digits, against: $0) } ?? false
            mailbox.post(.event(.pinResult(ok: ok)))
        }
    }

    private func setPIN(_ digits: String) {
        let database = self.database, mailbox = self.mailbox
        Task.detached {
            let ok = (try? database.setStaffPINHash(PINHash.make(pin: digits))) != nil
            mailbox.post(.event(.pinResult(ok: ok)))
        }
    }

    // MARK: staff

    private func selectedPerson() -> (id: Int64, name: String)? {
        if case .detail(let id) = staff.mode, let p = staffData.people.first(where: { $0.id == id }) { return (p.id, p.name) }
        guard staff.tab == .people, staff.selection < staffData.people.count else { return nil }
        let p = staffData.people[staff.selection]
        return (p.id, p.name)
    }

    private func reloadStaffData() {
        let filter = staff.filter.filter
        staffData.visits = (try? database.staffVisits(filter)) ?? []
        staffData.people = (try? database.staffPeople(ListFilter(name: filter.name))) ?? []
        switch staff.mode {
        case .detail(let id), .editing(let id, _, _), .confirmDelete(let id, _):
            staffData.history = (try? database.visits(ListFilter(personId: id), limit: nil)) ?? []
            staffData.preferences = ((try? database.preferences(personId: id)) ?? []).map { .init(key: $0.key, value: $0.value) }
        default: break
        }
        staffData.settings = [
            ("Camera", camera.status.sourceName + "  (kiosk run --source …)"),
            ("Match threshold", "\(config.threshold)  (recognition.threshold)"),
            ("Ambiguity margin", "\(config.margin)  (recognition.margin)"),
            ("Visit cooldown", "\(config.cooldownMinutes) minutes  (visits.cooldown_minutes)"),
            ("Retention", config.retentionDays == 0 ? "keep forever  (retention.days)" : "\(config.retentionDays) days  (retention.days; kiosk purge)"),
            ("Kiosk id", config.kioskId + "  (kiosk.id)"),
            ("Configuration file", config.source ?? "built-in defaults; copy Config/kiosk.toml to \(KioskConfig.userPath())"),
            ("Database", database.path + "  (--db)"),
        ]
    }

    private func applyStaff(_ effect: StaffView.Effect) {
        let database = self.database, desk = self.desk, mailbox = self.mailbox
        switch effect {
        case .close:
            apply(machine.handle(.staffClosed))
        case .delete(let personId):
            let name = staffData.people.first { $0.id == personId }?.name ?? "the person"
            Task.detached {
                do {
                    try await desk.forget(personId: personId)
                    mailbox.post(.staffChanged("Erased \(name) completely."))
                } catch {
                    mailbox.post(.staffChanged("Could not erase: \(error)"))
                }
            }
        case .savePreferences(let personId, let preferences):
            do {
                try database.setPreferences(personId: personId, preferences.filter { !$0.key.trimmingWhitespace().isEmpty }.map { ($0.key, $0.value) })
                staff.message = "Preferences saved."
            } catch {
                staff.message = "Not saved: \(error)"
            }
        case .export(let tab, let path, let filter):
            do {
                let csv = tab == .people ? CSVExport.people(try database.people(ListFilter(name: filter.filter.name)))
                    : CSVExport.visits(try database.visits(filter.filter, limit: nil))
                guard FileManager.default.createFile(atPath: path, contents: Data(csv.utf8), attributes: [.posixPermissions: 0o600]) else {
                    staff.message = "Cannot write \(path): check the folder exists and is writable."
                    return
                }
                staff.message = "Exported to \(path)."
            } catch {
                staff.message = "Export failed: \(error)"
            }
        }
    }

    // MARK: face box

    /// Keeps a face box over the preview: a quick detection on the newest frame, a few
    /// times a second, never while a capture is being recognised.
    private func trackFace() {
        guard case .live = machine.state, let frame = camera.latest, !frame.isDark else { return }
        if let current = faceBox, frame.sequence - current.sequence < 3 { return }
        guard detecting.update({ busy -> Bool in if busy { return false }; busy = true; return true }) else { return }
        let desk = self.desk, mailbox = self.mailbox, detecting = self.detecting
        Task.detached {
            defer { detecting.set(false) }
            let boxes = try? await desk.engine.detect(in: frame.image, plan: desk.config.cameraDetectionPlan)
            mailbox.post(.faceBox(boxes.flatMap { FaceEngine.largestFirst($0).first }, sequence: frame.sequence))
        }
    }

    // MARK: drawing

    private func draw(into buffer: inout CellBuffer, colorMode: ColorMode) {
        if case .staff = machine.state {
            StaffScreen.draw(staff, data: staffData, into: &buffer)
            return
        }
        let frame = camera.latest
        let box = faceBox.flatMap { current in frame.map { $0.sequence - current.sequence < 30 } == true ? current.box : nil }
        let view = FrontDeskView(machine: machine, frame: frame, faceBox: box, camera: camera.status, enrolledCount: enrolledCount,
                                 consentText: config.consentText, colorMode: colorMode)
        FrontDeskScreen.draw(view, into: &buffer)
    }
}
