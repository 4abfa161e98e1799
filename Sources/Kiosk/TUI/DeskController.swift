import DeskCore
import Foundation
import Logging
import Store
import Vision

/// Runs the front-desk state machine's effects: a capture goes to the core for a
/// decision, a shown greeting is written (or undone on "Not me"), enrollment samples are
/// taken and saved, PINs are checked. Work goes on the tracked `WorkQueue`; results come
/// back as machine events through the mailbox. Lives on the UI thread (only the loop
/// calls it); what jobs share with it is behind `Shared`'s lock.
final class DeskController {
    /// A face the desk captured, with the picture it came from.
    struct Captured: Sendable {
        let face: Face
        let quality: FaceQuality
        let image: Image
    }

    private let desk: FrontDesk
    private let camera: LiveCamera
    private let work: WorkQueue
    private let post: @Sendable (KioskApp.Message) -> Void
    private let logger: Logger

    private(set) var machine: DeskMachine
    private let samples = Shared<[Captured]>([])
    /// The face of the last capture: the first enrollment sample when the visitor is new.
    private let lastCaptured = Shared<Captured?>(nil)
    /// Visits handed to the store and not yet answered: if quitting cannot wait for
    /// them, they go to the pending queue instead of being lost.
    let visitsInFlight = Shared<[UUID: VisitCommit]>([:])

    init(desk: FrontDesk, camera: LiveCamera, work: WorkQueue, settings: DeskMachine.Settings,
         post: @escaping @Sendable (KioskApp.Message) -> Void, logger: Logger) {
        self.desk = desk
        self.camera = camera
        self.work = work
        self.post = post
        self.logger = logger
        self.machine = DeskMachine(settings: settings)
    }

    var isLive: Bool { machine.state == .live }
    var isInStaffView: Bool { machine.state == .staff }

    func notify(_ text: String, tone: Notice.Tone, seconds: Double) {
        machine.notice = Notice(text: text, tone: tone, until: monotonicSeconds() + seconds)
    }

    /// Feeds one event to the machine and starts the work it asks for. Returns true
    /// when the machine asked to quit.
    @discardableResult
    func handle(_ event: DeskMachine.Event) -> Bool {
        var quit = false
        for effect in machine.handle(event) {
            switch effect {
            case .recognise: recognise()
            case .commitVisit(let visit): commit(visit)
            case .retractVisit(let id): retract(id)
            case .beginCapture:
                samples.set([])
                captureSample()
            case .captureSample: captureSample()
            case .saveEnrollment(let name, let preferences): saveEnrollment(name: name, preferences: preferences)
            case .verifyPIN(let digits): verifyPIN(digits)
            case .openStaff:
                post(.staffOpened)
                audit("staff view opened")
            case .quit:
                if machine.settings.pinIsSet { audit("desk stopped with the staff PIN") }
                quit = true
            }
        }
        return quit
    }

    /// Records a staff event in the audit log, in order with the desk's other work.
    func audit(_ kind: String, detail: String = "") {
        let desk = self.desk
        work.submit("the audit log") { await desk.audit(kind, detail: detail) }
    }

    // MARK: effects

    private func recognise() {
        let camera = self.camera, desk = self.desk, post = self.post, logger = self.logger, lastCaptured = self.lastCaptured
        work.submit("recognising a capture") {
            // The frames of the last half second, then new ones: a capture waits at
            // most one frame interval or so when the camera keeps up.
            let frames = await camera.burst(count: desk.config.captureFrames, window: 0.5, timeout: 2)
            guard !frames.isEmpty else {
                post(.event(.failed("No usable picture from the camera right now.")))
                return
            }
            do {
                let started = monotonicSeconds()
                let decision = try await desk.decide(burst: frames.map(\.image))
                if let face = decision.face, let quality = decision.quality {
                    lastCaptured.set(Captured(face: face, quality: quality, image: frames[decision.frame].image))
                }
                logger.info("capture: \(decision.verdict.status) from \(frames.count) frames in \(String(format: "%.0f", (monotonicSeconds() - started) * 1000)) ms")
                post(.event(.recognised(Self.recognition(of: decision))))
                if decision.faceCount > 1 {
                    post(.event(.failed("\(decision.faceCount) faces in the picture: the largest was used.")))
                }
            } catch {
                logger.error("recognition failed: \(error)")
                post(.event(.failed("Recognition failed: \(error)")))
            }
        }
    }

    /// The machine's view of a decision (the greeting carries the visit it writes).
    static func recognition(of decision: CheckInDecision) -> Recognition {
        func greeting(_ card: VisitorCard, distance: Double) -> Greeting {
            Greeting(personId: card.personId, name: card.name, visitNumber: card.preview.visitNumber,
                     lastVisit: card.preview.previousVisit,
                     preferences: card.preferences.map { .init(key: $0.key, value: $0.value) }, distance: distance,
                     thumbnail: card.thumbnailJPEG.flatMap { try? JPEGDecoder().decode($0) },
                     countsAsNewVisit: card.preview.counted, visit: decision.visit)
        }
        switch decision.verdict {
        case .returning(let match):
            guard let card = decision.visitor else { return .unknown }
            return .returning(greeting(card, distance: match.distance))
        case .ambiguous(let match):
            guard let card = decision.visitor else { return .unknown }
            return .ambiguous(greeting(card, distance: match.distance), runnerUpName: card.runnerUpName ?? "someone else")
        case .unknown: return .unknown
        case .noFace: return .noFace
        case .poorQuality(let problem): return .poorQuality(problem)
        }
    }

    private func commit(_ visit: VisitCommit) {
        let desk = self.desk, post = self.post, logger = self.logger, inFlight = visitsInFlight
        inFlight.update { $0[visit.id] = visit }
        work.submit("the visit of person \(visit.personId)") {
            let outcome = await desk.commit(visit)
            inFlight.update { $0[visit.id] = nil }
            guard outcome != .personGone else { return logger.info("visit of person \(visit.personId) not recorded: erased meanwhile") }
            switch outcome {
            case .written(let committed):
                logger.info("visit of person \(visit.personId): \(committed.recording.counted ? "recorded #\(committed.recording.visitNumber)" : "within cooldown")\(committed.learned ? ", face learned" : "")")
                post(.event(.visitCommitted(visit.id, committed.recording)))
            case .queued(let reason):
                logger.warning("visit of person \(visit.personId) queued: \(reason)")
                post(.status(await desk.status))
            case .personGone:
                logger.info("visit of person \(visit.personId) not recorded: erased meanwhile")
            case .lost(let reason):
                logger.error("visit of person \(visit.personId) LOST: \(reason)")
                post(.event(.failed("This visit could not be saved: \(reason)")))
            }
        }
    }

    private func retract(_ id: UUID) {
        // Disowned: whatever happens to the write in progress, quitting must not queue it again.
        visitsInFlight.update { $0[id] = nil }
        let desk = self.desk, logger = self.logger
        work.submit("undoing a visit (Not me)") {
            do { try await desk.retract(id) } catch { logger.error("could not undo visit \(id): \(error)") }
        }
    }

    private func captureSample() {
        let camera = self.camera, desk = self.desk, post = self.post, samples = self.samples
        let seed = lastCaptured.get(), threshold = desk.config.threshold
        let after = camera.latest?.sequence
        work.submit("an enrollment picture") {
            // The face from the capture that led here counts as the first sample.
            if samples.get().isEmpty, let seed {
                samples.update { $0.append(seed) }
                post(.event(.sampleCaptured(accepted: true, problem: nil)))
                return
            }
            try? await Task.sleep(nanoseconds: 400_000_000)  // a slightly different pose each time
            guard let frame = await camera.nextUsableFrame(after: after, timeout: 3) else {
                post(.event(.sampleCaptured(accepted: false, problem: "No picture from the camera: check it, then look at it.")))
                return
            }
            do {
                let analysis = try await desk.analyze(frame.image)
                guard let face = analysis.face, let quality = analysis.quality else {
                    post(.event(.sampleCaptured(accepted: false, problem: "No face: please look at the camera.")))
                    return
                }
                if let problem = quality.problem {
                    post(.event(.sampleCaptured(accepted: false, problem: problem.advice)))
                    return
                }
                // Every sample must show the same person as the first.
                if let first = samples.get().first, face.embedding.distance(to: first.face.embedding) > threshold {
                    post(.event(.sampleCaptured(accepted: false, problem: "That looks like someone else: only the new visitor, please.")))
                    return
                }
                samples.update { $0.append(Captured(face: face, quality: quality, image: frame.image)) }
                post(.event(.sampleCaptured(accepted: true, problem: nil)))
            } catch {
                post(.event(.sampleCaptured(accepted: false, problem: "\(error)")))
            }
        }
    }

    private func saveEnrollment(name: String, preferences: [EnrollmentForm.Preference]) {
        let desk = self.desk, post = self.post, logger = self.logger
        let collected = samples.get()
        samples.set([])
        work.submit("the enrollment of a new visitor") {
            guard let first = collected.first else {
                post(.event(.failed("No face captured: nothing was stored.")))
                return
            }
            do {
                let thumbnail = try await desk.thumbnail(of: first.face, in: first.image)
                let enrollment = Enrollment(name: name, preferences: preferences.map { ($0.key, $0.value) },
                                            consentVersion: desk.config.consentVersion,
                                            templates: collected.map { .init(embedding: $0.face.embedding, quality: $0.quality.score) },
                                            thumbnailJPEG: thumbnail, firstVisitKiosk: desk.config.kioskId)
                let person = try await desk.enroll(enrollment)
                logger.info("enrolled person \(person.id ?? 0) with \(collected.count) templates")
                let image = thumbnail.flatMap { try? JPEGDecoder().decode($0) }
                post(.event(.enrolled(Greeting(personId: person.id ?? 0, name: person.name, visitNumber: 1, lastVisit: nil,
                                               preferences: preferences, distance: nil, thumbnail: image,
                                               countsAsNewVisit: true, justEnrolled: true))))
                post(.status(await desk.status))
            } catch let refusal as EnrollmentRefusal {
                guard case .alreadyEnrolled(let match, _, _) = refusal else { return }
                post(.event(.failed("This face is already enrolled as \(match): nothing was stored. Please ask staff.")))
            } catch {
                logger.error("enrollment failed: \(error)")
                post(.event(.failed("Could not save: \(error). Nothing was stored.")))
            }
        }
    }

    private func verifyPIN(_ digits: String) {
        let desk = self.desk, post = self.post
        work.submit("checking a PIN") {
            post(.event(.pinChecked(await desk.checkStaffPIN(digits))))
        }
    }
}
