import Foundation
import Testing
@testable import Kiosk
import Vision

@Suite("Front desk state machine")
struct DeskMachineTests {
    func greeting(_ name: String = "Priya", justEnrolled: Bool = false) -> Greeting {
        Greeting(personId: 7, name: name, visitNumber: 3, lastVisit: Date(timeIntervalSince1970: 0),
                 preferences: [.init(key: "drink", value: "oat latte")], distance: 0.3, thumbnail: nil,
                 countsAsNewVisit: true, justEnrolled: justEnrolled)
    }

    func machine(pinIsSet: Bool = false) -> DeskMachine {
        var settings = DeskMachine.Settings()
        settings.greetingSeconds = 5
        settings.pinIsSet = pinIsSet
        var m = DeskMachine(settings: settings)
        _ = m.handle(.tick(100))
        return m
    }

    @Test func spaceCapturesAndAReturningVisitorIsGreetedThenLogged() {
        var m = machine()
        #expect(m.handle(.key(.character(" "))) == [.recognise])
        #expect(m.state == .recognising)
        #expect(m.handle(.recognised(.returning(greeting()))) == [])
        #expect(m.state == .greeting(greeting(), until: 105))
        // Nothing is recorded until the greeting ends (so "Not me" leaves no trace)...
        #expect(m.handle(.tick(103)) == [])
        // ...and it ends by itself after the configured seconds, recording the visit.
        #expect(m.handle(.tick(105.1)) == [.recordVisit(personId: 7, distance: 0.3)])
        #expect(m.state == .live)
    }

    @Test func anyKeyEndsTheGreetingAndRecords() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.returning(greeting())))
        #expect(m.handle(.key(.enter)) == [.recordVisit(personId: 7, distance: 0.3)])
        #expect(m.state == .live)
    }

    @Test func notMeRecordsNothingAndOffersEnrollment() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.returning(greeting())))
        #expect(m.handle(.key(.character("n"))) == [])
        #expect(m.state == .enrolling(EnrollmentForm()))
        #expect(m.handle(.tick(200)) == [])
    }

    @Test func ambiguousAsksFirst() {
        var m = machine()
        _ = m.handle(.key(.character(" ")))
        _ = m.handle(.recognised(.ambiguous(greeting(), runnerUpName: "Pia")))
        #expect(m.state == .confirming(greeting(), runnerUpName: "Pia"))
        _ = m.handle(.key(.character("y")))
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
        #expect(m.handle(.key(.enter)) == [.captureSample])
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

    @Test func firstStaffEntrySetsThePINTwiceThenOpens() {
        var m = machine()
        _ = m.handle(.key(.function(2)))
        for c in "2468" { _ = m.handle(.key(.character(c))) }
        _ = m.handle(.key(.enter))
        for c in "2468" { _ = m.handle(.key(.character(c))) }
        #expect(m.handle(.key(.enter)) == [.setPIN("2468")])
        #expect(m.handle(.pinResult(ok: true)) == [.openStaff])
        #expect(m.state == .staff)
        #expect(m.settings.pinIsSet)
        _ = m.handle(.staffClosed)
        #expect(m.state == .live)
    }

    @Test func fiveWrongPINsLockThePromptForAMinute() {
        var m = machine(pinIsSet: true)
        _ = m.handle(.key(.function(2)))
        for _ in 0..<5 {
            for c in "0000" { _ = m.handle(.key(.character(c))) }
            #expect(m.handle(.key(.enter)) == [.verifyPIN("0000")])
            _ = m.handle(.pinResult(ok: false))
        }
        for c in "1234" { _ = m.handle(.key(.character(c))) }
        #expect(m.handle(.key(.enter)) == [], "locked: the PIN is not even checked")
        _ = m.handle(.tick(100 + PINPolicy.lockSeconds + 1))
        for c in "1234" { _ = m.handle(.key(.character(c))) }
        #expect(m.handle(.key(.enter)) == [.verifyPIN("1234")])
        #expect(m.handle(.pinResult(ok: true)) == [.openStaff])
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

    @Test func pinHashIsSaltedSlowAndVerifiable() {
        // RFC 7914 section 11 vector for PBKDF2-HMAC-SHA256 ("passwd", "salt", 1 iteration, first 32 bytes).
        #expect(PINHash.hex(PINHash.pbkdf2(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1))
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        let stored = PINHash.make(pin: "2468", iterations: 1000)
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(!stored.contains("2468"))
        #expect(PINHash.verify(pin: "2468", against: stored))
        #expect(!PINHash.verify(pin: "2469", against: stored))
        #expect(PINHash.make(pin: "2468", iterations: 1000) != stored, "a fresh salt each time")
        #expect(!PINHash.verify(pin: "2468", against: "garbage"))
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
