import DeskCore
import Foundation
import Store
import Vision

/// The front desk as a pure state machine: `(state, event) -> (state, effects)`.
/// Events are keys, clock ticks and results of work; effects are work for the app to
/// do (recognise the newest frame, write or undo a visit, capture an enrollment sample,
/// save, check a PIN, open the staff view, quit). Tests drive every path without camera or tty.
///
/// A greeting that is shown is a visit: it is written as the greeting appears, and
/// undone only if the visitor answers "Not me". Quitting during a greeting keeps it.
struct DeskMachine: Equatable {
    enum State: Equatable {
        case live
        case recognising
        case greeting(Greeting, until: Double)
        case confirming(Greeting, runnerUpName: String)
        case enrolling(EnrollmentForm)
        case capturing(EnrollmentForm, collected: Int, hint: String)
        case saving(EnrollmentForm)
        case pin(PINPrompt)
        case staff
    }

    /// A PIN prompt to unlock the staff view or quitting. The PIN itself is set only
    /// from the box's shell (`kiosk staff set-pin`), never at this keyboard.
    struct PINPrompt: Equatable {
        enum Purpose: Equatable { case openStaff, quit }
        var purpose: Purpose
        var digits = ""
        var message: String?
        /// A check is running: keys typed meanwhile are dropped, so no answer is ever
        /// checked against a lock state that is out of date.
        var checking = false
    }

    enum Event: Equatable {
        case key(Key)
        case tick(Double)
        case recognised(Recognition)
        case sampleCaptured(accepted: Bool, problem: String?)
        case enrolled(Greeting)
        case failed(String)
        /// Result of checking a PIN (the lockout is the core's, kept in the database).
        case pinChecked(PINCheck)
        case staffClosed
        /// A visit was written: the number it got (another desk may have written one meanwhile).
        case visitCommitted(UUID, VisitRecording)
        /// The database's current word on whether a staff PIN is set (another process may set it).
        case pinIsSet(Bool)
    }

    enum Effect: Equatable {
        case recognise
        case commitVisit(VisitCommit)
        /// "Not me": undo the visit written when the greeting appeared.
        case retractVisit(UUID)
        /// Start the guided capture afresh (samples of an earlier, cancelled try are dropped).
        case beginCapture
        case captureSample
        case saveEnrollment(name: String, preferences: [EnrollmentForm.Preference])
        case verifyPIN(String)
        case openStaff
        case quit
    }

    struct Settings: Equatable {
        var greetingSeconds = 6.0
        var samplesNeeded = 3
        var pinIsSet = false
    }

    var state: State = .live
    var notice: Notice?
    var settings: Settings
    var now: Double = 0

    init(settings: Settings = Settings()) { self.settings = settings }

    /// Applies one event; returns the work to do.
    mutating func handle(_ event: Event) -> [Effect] {
        if case .tick(let time) = event {
            now = time
            if let n = notice, n.until <= now { notice = nil }
            if case .greeting(let greeting, let until) = state, until <= now { return finishGreeting(greeting) }
            return []
        }
        if case .pinIsSet(let isSet) = event {
            settings.pinIsSet = isSet
            return []
        }
        if case .visitCommitted(let id, let recording) = event {
            if case .greeting(var greeting, let until) = state, greeting.visit?.id == id {
                greeting.visitNumber = recording.visitNumber
                greeting.lastVisit = recording.previousVisit
                greeting.countsAsNewVisit = recording.counted
                state = .greeting(greeting, until: until)
            }
            return []
        }
        if case .failed(let message) = event {
            notice = Notice(text: message, tone: .warning, until: now + 6)
            switch state {
            case .recognising, .saving: state = .live
            case .capturing(let form, _, _): state = .enrolling(form)
            default: break
            }
            return []
        }
        switch state {
        case .live: return live(event)
        case .recognising: return recognising(event)
        case .greeting(let greeting, _): return greeting_(event, greeting)
        case .confirming(let greeting, _): return confirming(event, greeting)
        case .enrolling(var form):
            guard case .key(let key) = event else { return [] }
            switch form.handle(key) {
            case .cancel?:
                state = .live
                notice = Notice(text: "Enrollment cancelled: nothing was stored.", tone: .info, until: now + 4)
            case .save?:
                state = .capturing(form, collected: 0, hint: "Look at the camera, please.")
                return [.beginCapture]
            case nil: state = .enrolling(form)
            }
            return []
        case .capturing(let form, let collected, _): return capturing(event, form, collected)
        case .saving:
            if case .enrolled(let greeting) = event {
                state = .greeting(greeting, until: now + settings.greetingSeconds)
            }
            return []
        case .pin(let prompt): return pin(event, prompt)
        case .staff:
            if case .staffClosed = event { state = .live }
            return []
        }
    }

    private mutating func live(_ event: Event) -> [Effect] {
        guard case .key(let key) = event else { return [] }
        switch key {
        case .character(" "):
            state = .recognising
            notice = nil
            return [.recognise]
        case .function(2):
            guard settings.pinIsSet else {
                notice = Notice(text: "The staff view is closed until a staff PIN is set: run kiosk staff set-pin on this box.",
                                tone: .warning, until: now + 6)
                return []
            }
            return askPIN(for: .openStaff)
        case .function(10), .interrupt: return requestQuit()
        default: return []
        }
    }

    /// F10 or Ctrl-C: quit, behind the PIN once one is set. Also during a greeting (whose
    /// visit is already written) and a question.
    private mutating func requestQuit() -> [Effect] {
        if settings.pinIsSet { return askPIN(for: .quit) }
        state = .live
        return [.quit]
    }

    private mutating func recognising(_ event: Event) -> [Effect] {
        guard case .recognised(let result) = event else { return [] }
        switch result {
        case .returning(let greeting):
            state = .greeting(greeting, until: now + settings.greetingSeconds)
            return greeting.visit.map { [.commitVisit($0)] } ?? []
        case .ambiguous(let greeting, let runnerUp):
            state = .confirming(greeting, runnerUpName: runnerUp)
        case .unknown:
            state = .enrolling(EnrollmentForm())
        case .noFace:
            state = .live
            notice = Notice(text: "No face found: please look at the camera and press Space again.", tone: .warning, until: now + 5)
        case .poorQuality(let problem):
            state = .live
            notice = Notice(text: problem.advice, tone: .warning, until: now + 5)
        }
        return []
    }

    private mutating func greeting_(_ event: Event, _ greeting: Greeting) -> [Effect] {
        guard case .key(let key) = event else { return [] }
        if key == .character("n") || key == .character("N"), !greeting.justEnrolled {
            // "Not me": the visit written for the wrong person is undone; enroll the visitor instead.
            state = .enrolling(EnrollmentForm())
            return greeting.visit.map { [.retractVisit($0.id)] } ?? []
        }
        if key == .resize { return [] }
        if key == .function(10) || key == .interrupt { return requestQuit() }
        return finishGreeting(greeting)
    }

    private mutating func finishGreeting(_ greeting: Greeting) -> [Effect] {
        state = .live
        return []
    }

    private mutating func confirming(_ event: Event, _ greeting: Greeting) -> [Effect] {
        guard case .key(let key) = event else { return [] }
        switch key {
        case .character("y"), .character("Y"), .enter:
            // Confirmed by the visitor: a visit, but nothing is learned from an unclear match.
            state = .greeting(greeting, until: now + settings.greetingSeconds)
            return greeting.visit.map { [.commitVisit($0)] } ?? []
        case .character("n"), .character("N"):
            state = .enrolling(EnrollmentForm())
        case .escape:
            state = .live
        case .function(10), .interrupt:
            return requestQuit()
        default: break
        }
        return []
    }

    private mutating func capturing(_ event: Event, _ form: EnrollmentForm, _ collected: Int) -> [Effect] {
        switch event {
        case .key(.escape):
            state = .enrolling(form)
            return []
        case .sampleCaptured(let accepted, let problem):
            let count = collected + (accepted ? 1 : 0)
            if count >= settings.samplesNeeded {
                state = .saving(form)
                return [.saveEnrollment(name: form.name, preferences: form.preferences.filter { !$0.key.trimmingWhitespace().isEmpty })]
            }
            let hint = accepted ? "Good. Again, please: look at the camera (\(count) of \(settings.samplesNeeded))."
                : (problem ?? "Look at the camera, please.")
            state = .capturing(form, collected: count, hint: hint)
            return [.captureSample]
        default:
            return []
        }
    }

    private mutating func askPIN(for purpose: PINPrompt.Purpose) -> [Effect] {
        state = .pin(PINPrompt(purpose: purpose))
        return []
    }

    private mutating func pin(_ event: Event, _ prompt: PINPrompt) -> [Effect] {
        var prompt = prompt
        switch event {
        case .pinChecked(let check):
            prompt.checking = false
            prompt.digits = ""
            switch check {
            case .correct: return unlocked(prompt.purpose)
            case .wrong(let triesLeft):
                prompt.message = "Wrong PIN (\(triesLeft) \(triesLeft == 1 ? "try" : "tries") left before a lockout)."
            case .locked(let seconds):
                prompt.message = "Too many wrong PINs: locked for \(Self.duration(seconds))."
            }
            state = .pin(prompt)
            return []
        case .key(let key):
            if prompt.checking { return [] }  // typed ahead while a check runs: dropped
            switch key {
            case .escape:
                state = .live
            case .backspace:
                if !prompt.digits.isEmpty { prompt.digits.removeLast() }
                state = .pin(prompt)
            case .character(let c) where c.isASCII && c.isNumber && prompt.digits.count < 32:
                prompt.digits.append(c)
                prompt.message = nil
                state = .pin(prompt)
            case .enter:
                // Too short to be the PIN: said at once, not checked, not counted.
                guard prompt.digits.count >= PINHash.minimumDigits else {
                    prompt.message = "A staff PIN has at least \(PINHash.minimumDigits) digits."
                    prompt.digits = ""
                    state = .pin(prompt)
                    return []
                }
                let digits = prompt.digits
                prompt.digits = ""
                prompt.checking = true
                prompt.message = nil
                state = .pin(prompt)
                return [.verifyPIN(digits)]
            default: break
            }
            return []
        default:
            return []
        }
    }

    /// "45 s", "2 min", "1 h".
    static func duration(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7200 { return "\((seconds + 59) / 60) min" }
        return "\((seconds + 3599) / 3600) h"
    }

    private mutating func unlocked(_ purpose: PINPrompt.Purpose) -> [Effect] {
        switch purpose {
        case .openStaff:
            state = .staff
            return [.openStaff]
        case .quit:
            state = .live
            return [.quit]
        }
    }
}
