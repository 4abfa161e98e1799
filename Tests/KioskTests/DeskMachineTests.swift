import Foundation
import Testing
@testable import Kiosk
import DeskCore
import Store
import Vision

@Suite("Front desk state machine")
struct DeskMachineTests {
    static let visit = VisitCommit(personId: 7, time: Date(timeIntervalSince1970: 1000), kioskId: "desk", distance: 0.3,
                                   quality: 0.9, cooldown: 600)

    func greeting(_ name: String = "Priya", justEnrolled: Bool = false) -> Greeting {
        Greeting(personId: 7, name: name, visitNumber: 3, lastVisit: Date(timeIntervalSince1970: 0),
                 preferences: [.init(key: "drink", value: "oat latte")], distance: 0.3, thumbnail: nil,
                 countsAsNewVisit: true, justEnrolled: justEnrolled, visit: justEnrolled ? nil : Self.visit)
    }

    func machine(pinIsSet: Bool = false) -> DeskMachine {
        var settings = DeskMachine.Settings()
        settings.greetingSeconds = 5
        settings.pinIsSet = pinIsSet
        var m = DeskMachine(settings: settings)
        _ = m.handle(.tick(100))
        return m
    }

    @Test func aGreetingThatIsShownIsWrittenAsItAppears() {
        var m = machine()
        #expect(m.handle(.key(.character(" "))) == [.recognise])
        #expect(m.state == .recognising)
        // Written at once: quitting during the greeting cannot lose the visit.
        #expect(m.handle(.recognised(.returning(greeting()))) == [.commitVisit(Self.visit)])
        #expect(m.state == .greeting(greeting(), until: 105))
        #expect(m.handle(.tick(103)) == [])
        // It ends by itself after the configured seconds, writing nothing more.
        #expect(m.handle(.tick(105.1)) == [])
        #expect(m.state == .live)
    }

    @Test func theWrittenVisitNumberReplacesThePreview() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.returning(greeting())))
        // Another desk wrote a visit meanwhile: the greeting shows the number this one got.
        _ = m.handle(.visitCommitted(Self.visit.id, VisitRecording(counted: true, visitNumber: 4, previousVisit: nil)))
        guard case .greeting(let shown, _) = m.state else { Issue.record("expected a greeting"); return }
        #expect(shown.visitNumber == 4)
        // An answer about another visit changes nothing.
        _ = m.handle(.visitCommitted(UUID(), VisitRecording(counted: true, visitNumber: 9, previousVisit: nil)))
        guard case .greeting(let still, _) = m.state else { Issue.record("expected a greeting"); return }
        #expect(still.visitNumber == 4)
    }

    @Test func anyKeyEndsTheGreeting() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.returning(greeting())))
        #expect(m.handle(.key(.enter)) == [])
        #expect(m.state == .live)
    }

    @Test func notMeUndoesTheVisitAndOffersEnrollment() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.returning(greeting())))
        #expect(m.handle(.key(.character("n"))) == [.retractVisit(Self.visit.id)])
        #expect(m.state == .enrolling(EnrollmentForm()))
        #expect(m.handle(.tick(200)) == [])
    }

    @Test func ambiguousAsksFirst() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.ambiguous(greeting(), runnerUpName: "Pia")))
        #expect(m.state == .confirming(greeting(), runnerUpName: "Pia"))
        // Nothing is written before the visitor answers; "yes" writes the visit.
        #expect(m.handle(.key(.character("y"))) == [.commitVisit(Self.visit)])
        #expect(m.state == .greeting(greeting(), until: 105))

        var other = machine()
        _ = other.handle(.key(.character(" ")))
        _ = other.handle(.recognised(.ambiguous(greeting(), runnerUpName: "Pia")))
        _ = other.handle(.key(.character("n")))
        #expect(other.state == .enrolling(EnrollmentForm()))
    }

    @Test func noFaceAndPoorQualityShowAMessageAndGoBackToLive() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.noFace))
        #expect(m.state == .live)
        #expect(m.notice?.text.contains("No face") == true)
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.poorQuality(.tooDark)))
        #expect(m.notice?.text == FaceQuality.Problem.tooDark.advice)
        _ = m.handle(.tick(200))
        #expect(m.notice == nil)
    }

    @Test func enrollmentSavesAfterGuidedCapturesAndGreets() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.unknown))
        for c in "Zoë" { _ = m.handle(.key(.character(c))) }
        _ = m.handle(.key(.tab))          // add a preference
        _ = m.handle(.key(.enter))
        for c in "room" { _ = m.handle(.key(.character(c))) }
        _ = m.handle(.key(.tab))
        for c in "21 °C" { _ = m.handle(.key(.character(c))) }
        _ = m.handle(.key(.tab))          // add
        _ = m.handle(.key(.tab))          // consent
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.key(.tab))          // save
        #expect(m.handle(.key(.enter)) == [.beginCapture])
        #expect(m.handle(.sampleCaptured(accepted: true, problem: nil)) == [.captureSample])
        // A refused sample asks again with the reason.
        #expect(m.handle(.sampleCaptured(accepted: false, problem: "too dark")) == [.captureSample])
        if case .capturing(_, let collected, let hint) = m.state {
            #expect(collected == 1)
            #expect(hint == "too dark")
        } else { Issue.record("expected capturing, got \(m.state)") }
        _ = m.handle(.sampleCaptured(accepted: true, problem: nil))
        let effects = m.handle(.sampleCaptured(accepted: true, problem: nil))
        #expect(effects == [.saveEnrollment(name: "Zoë", preferences: [.init(key: "room", value: "21 °C")])])
        _ = m.handle(.enrolled(greeting("Zoë", justEnrolled: true)))
        // The first visit was logged with the enrollment: ending the greeting records nothing more.
        #expect(m.handle(.key(.enter)) == [])
        #expect(m.state == .live)
    }

    @Test func saveNeedsANameAndConsent() {
        var form = EnrollmentForm()
        form.focus = .save
        #expect(form.handle(.enter) == nil)
        #expect(form.problem?.contains("name") == true)
        form.name = "Ana"
        form.focus = .save
        #expect(form.handle(.enter) == nil)
        #expect(form.problem?.contains("consent") == true)
        form.consent = true
        form.focus = .save
        #expect(form.handle(.enter) == .save)
        #expect(form.handle(.escape) == .cancel)
    }

    @Test func preferenceRowsCanBeAddedAndRemoved() {
        var form = EnrollmentForm()
        form.focus = .addPreference
        _ = form.handle(.enter)
        _ = form.handle(.character("k"))
        #expect(form.preferences == [.init(key: "k", value: "")])
        _ = form.handle(.delete)
        #expect(form.preferences.isEmpty)
        #expect(form.focus == .addPreference)
    }

    @Test func cancellingEnrollmentStoresNothing() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.unknown))
        #expect(m.handle(.key(.escape)) == [])
        #expect(m.state == .live)
        #expect(m.notice?.text.contains("nothing was stored") == true)
    }

    @Test func escapeDuringCaptureThenSaveStartsTheSamplesAfresh() {
        // Attack: Esc during the guided capture, then Save again, stored more than 3 templates.
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.unknown))
        var form = EnrollmentForm()
        form.name = "Ana"
        form.consent = true
        form.focus = .save
        m.state = .enrolling(form)
        #expect(m.handle(.key(.enter)) == [.beginCapture])
        #expect(m.handle(.sampleCaptured(accepted: true, problem: nil)) == [.captureSample])
        _ = m.handle(.key(.escape))
        guard case .enrolling(var again) = m.state else { Issue.record("expected the form"); return }
        again.focus = .save
        m.state = .enrolling(again)
        // The controller drops earlier samples on .beginCapture; the count starts at zero.
        #expect(m.handle(.key(.enter)) == [.beginCapture])
        guard case .capturing(_, let collected, _) = m.state else { Issue.record("expected capturing"); return }
        #expect(collected == 0)
    }

    @Test func withoutAPINTheStaffViewStaysClosedAndNoPINCanBeChosenAtTheKeyboard() {
        // Attack: with no PIN set, F2 let whoever was at the keyboard choose one.
        var m = machine(pinIsSet: false)
        #expect(m.handle(.key(.function(2))) == [])
        #expect(m.state == .live)
        #expect(m.notice?.text.contains("kiosk staff set-pin") == true)
        for c in "246800" { #expect(m.handle(.key(.character(c))) == []) }
        #expect(m.handle(.key(.enter)) == [])
        #expect(m.state == .live)
    }

    @Test func aPINSetElsewhereIsHonouredAtOnce() {
        var m = machine(pinIsSet: false)
        _ = m.handle(.pinIsSet(true))
        #expect(m.handle(.key(.function(10))) == [], "quitting now needs the PIN")
        guard case .pin(let prompt) = m.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.purpose == .quit)
    }

    @Test func keysTypedWhileAPINIsCheckedAreDropped() {
        // Attack: wrong PINs typed ahead in one burst, then the right one, beat the lockout.
        var m = machine(pinIsSet: true)
        _ = m.handle(.key(.function(2)))
        for c in "000000" { _ = m.handle(.key(.character(c))) }
        #expect(m.handle(.key(.enter)) == [.verifyPIN("000000")])
        var effects: [DeskMachine.Effect] = []
        for _ in 0..<28 {
            for c in "111111" { effects += m.handle(.key(.character(c))) }
            effects += m.handle(.key(.enter))
        }
        #expect(effects.isEmpty, "nothing typed during a check is checked")
        guard case .pin(let prompt) = m.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.checking)
        #expect(prompt.digits.isEmpty)
        _ = m.handle(.pinChecked(.wrong(triesLeft: 4)))
        guard case .pin(let after) = m.state else { Issue.record("expected a PIN prompt"); return }
        #expect(after.message?.contains("4 tries left") == true)
        #expect(!after.checking)
    }

    @Test func anEntryTooShortToBeThePINIsNotCheckedNorCounted() {
        // Attack: Enter, Enter, Enter... to lock staff out without typing anything.
        var m = machine(pinIsSet: true)
        _ = m.handle(.key(.function(10)))
        for _ in 0..<10 { #expect(m.handle(.key(.enter)) == []) }
        for c in "123" { _ = m.handle(.key(.character(c))) }
        #expect(m.handle(.key(.enter)) == [])
        guard case .pin(let prompt) = m.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.message?.contains("at least 6 digits") == true)
    }

    @Test func onlyASCIIDigitsArePINDigits() {
        var m = machine(pinIsSet: true)
        _ = m.handle(.key(.function(2)))
        for c in "٠١٢٣٤٥" { _ = m.handle(.key(.character(c))) }
        guard case .pin(let prompt) = m.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.digits.isEmpty)
    }

    @Test func aLockedAnswerIsShownAndTheRightPINOpens() {
        var m = machine(pinIsSet: true)
        _ = m.handle(.key(.function(2)))
        for c in "000000" { _ = m.handle(.key(.character(c))) }
        _ = m.handle(.key(.enter))
        _ = m.handle(.pinChecked(.locked(secondsLeft: 60)))
        guard case .pin(let prompt) = m.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.message?.contains("locked for 60 s") == true)
        for c in "246810" { _ = m.handle(.key(.character(c))) }
        #expect(m.handle(.key(.enter)) == [.verifyPIN("246810")], "the core, not the screen, decides about the lock")
        #expect(m.handle(.pinChecked(.correct)) == [.openStaff])
        #expect(m.state == .staff)
    }

    @Test func f10DuringAGreetingQuitsAndTheVisitIsAlreadyWritten() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        #expect(m.handle(.recognised(.returning(greeting()))) == [.commitVisit(Self.visit)])
        #expect(m.handle(.key(.function(10))) == [.quit])
        var locked = machine(pinIsSet: true)
        _ = locked.handle(.key(.character(" ")))
        _ = locked.handle(.recognised(.returning(greeting())))
        #expect(locked.handle(.key(.function(10))) == [])
        guard case .pin(let prompt) = locked.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.purpose == .quit)
    }

    @Test func quitNeedsThePINWhenSet() {
        var open = machine(pinIsSet: false)
        #expect(open.handle(.key(.function(10))) == [.quit])
        var locked = machine(pinIsSet: true)
        #expect(locked.handle(.key(.function(10))) == [])
        #expect(locked.handle(.key(.interrupt)) == [])
        guard case .pin(let prompt) = locked.state else { Issue.record("expected a PIN prompt"); return }
        #expect(prompt.purpose == .quit)
    }

    @Test func keysDecode() {
        #expect(Key.decode(isFunctionKey: false, value: 32) == .character(" "))
        #expect(Key.decode(isFunctionKey: false, value: 0x5965) == .character("奥"))
        #expect(Key.decode(isFunctionKey: false, value: 13) == .enter)
        #expect(Key.decode(isFunctionKey: false, value: 27) == .escape)
        #expect(Key.decode(isFunctionKey: false, value: 3) == .interrupt)
        #expect(Key.decode(isFunctionKey: false, value: 127) == .backspace)
    }
}
