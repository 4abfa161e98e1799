import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// The real binary in a real terminal (tmux): enroll a visitor, be greeted back on
/// another photo, see both visits in the PIN-protected staff log, and check that
/// someone else is not greeted by that name.
@Suite("TUI end to end (tmux)", .serialized, .enabled(if: TmuxSession.available, "tmux is not installed (scripts/setup installs it)"))
struct TUIEndToEndTests {
    /// Two photos of one person and one of someone else: from ../shared/faces/dev
    /// when present, else face_recognition's samples (obama, obama2, biden).
    static var photos: (first: String, second: String, other: String) {
        if let dev = StoreCLITests.sharedDev {
            return (dev + "/Adel_Al-Jubeir/Adel_Al-Jubeir_0001.jpg", dev + "/Adel_Al-Jubeir/Adel_Al-Jubeir_0003.jpg",
                    dev + "/Aaron_Pena/Aaron_Pena_0001.jpg")
        }
        return (KioskBinary.sample("obama.jpg"), KioskBinary.sample("obama2.jpg"), KioskBinary.sample("biden.jpg"))
    }

    @Test func enrollThenWelcomeBackThenStaffLog() throws {
        let root = NSTemporaryDirectory() + "kiosk-tui-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/kiosk.toml"
        try "[visits]\ncooldown_minutes = 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["XDG_DATA_HOME": root + "/data", "TERM": "tmux-256color",
                           "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory, "KIOSK_SAMPLES": DataDirectory.samples()]
        let base = "\(KioskBinary.path) run --db \(root)/kiosk.sqlite --config \(config) --greeting-seconds 30"
        let name = "Zoë Ångström 李"

        // 1. A new visitor: Space, the form, save, greeted.
        do {
            let tmux = try TmuxSession(command: base + " --source image:" + TmuxSession.quote(Self.photos.first), environment: environment)
            defer { tmux.stop() }
            #expect(tmux.waitFor("Space capture") != nil, "the front desk did not come up:\n\(tmux.screen)")
            #expect(tmux.waitFor(" live ") != nil)
            tmux.send("Space")
            #expect(tmux.waitFor("New visitor") != nil, "no enrollment form:\n\(tmux.screen)")
            tmux.type(name)
            tmux.send("Tab", "Enter")
            tmux.type("drink")
            tmux.send("Tab")
            tmux.type("oat latte")
            tmux.send("Tab", "Tab", "Space", "Tab", "Enter")
            let greeted = tmux.waitFor("Welcome, \(name)!", timeout: 30)
            #expect(greeted != nil, "not greeted after saving:\n\(tmux.screen)")
            #expect(greeted?.contains("• drink: oat latte") == true)
            tmux.send("Enter")
            tmux.send("F10")
            #expect(tmux.waitFor("EXIT=0") != nil, "did not quit cleanly:\n\(tmux.screen)")
        }

        // 2. Another photo of the same person: welcome back, 2nd visit; then the staff log.
        do {
            let tmux = try TmuxSession(command: base + " --source image:" + TmuxSession.quote(Self.photos.second), environment: environment)
            defer { tmux.stop() }
            #expect(tmux.waitFor(" live ") != nil)
            tmux.send("Space")
            let back = tmux.waitFor("Welcome back, \(name)!")
            #expect(back != nil, "not recognised:\n\(tmux.screen)")
            #expect(back?.contains("2nd visit") == true)
            tmux.send("Enter")  // ends the greeting: the visit is logged
            #expect(tmux.waitFor("Space capture") != nil)
            // No PIN yet: the staff view stays closed and says how to set one.
            tmux.send("F2")
            #expect(tmux.waitFor("kiosk staff set-pin") != nil, "the staff view opened without a PIN:\n\(tmux.screen)")
            // The installer sets it from the shell; the running desk asks for it at once.
            let setPIN = try KioskBinary.run(["staff", "set-pin", "--db", root + "/kiosk.sqlite"], environment: environment, input: "246810\n")
            #expect(setPIN.status == 0, "\(setPIN.stderr)")
            let deadline = Date().addingTimeInterval(1.5)
            while tmux.screen.contains("anyone can quit") && Date() < deadline { usleep(50_000) }
            #expect(!tmux.screen.contains("anyone can quit"), "the desk did not see the PIN set from the CLI")
            tmux.send("F2")
            #expect(tmux.waitFor("Staff PIN") != nil)
            tmux.type("246810")
            tmux.send("Enter")
            let log = tmux.waitFor("2 visits", timeout: 30)
            #expect(log != nil, "staff log:\n\(tmux.screen)")
            #expect(log.map { $0.components(separatedBy: name).count - 1 } == 2)
            tmux.send("Escape")
            #expect(tmux.waitFor("Space capture") != nil)
            tmux.send("F10")
            #expect(tmux.waitFor("Staff PIN to quit") != nil, "quitting must ask for the PIN once set")
            tmux.type("246810")
            tmux.send("Enter")
            #expect(tmux.waitFor("EXIT=0", timeout: 30) != nil)
        }

        // 3. Someone else is not greeted by that name.
        do {
            let tmux = try TmuxSession(command: base + " --source image:" + TmuxSession.quote(Self.photos.other), environment: environment)
            defer { tmux.stop() }
            #expect(tmux.waitFor(" live ") != nil)
            tmux.send("Space")
            let answer = tmux.waitFor("New visitor")
            #expect(answer != nil, "a stranger was not offered enrollment:\n\(tmux.screen)")
            #expect(!(answer ?? "").contains(name))
            tmux.send("Escape")
            #expect(tmux.waitFor("nothing was stored") != nil)
            tmux.send("F10")
            #expect(tmux.waitFor("Staff PIN to quit") != nil)
            tmux.type("246810")
            tmux.send("Enter")
            #expect(tmux.waitFor("EXIT=0", timeout: 30) != nil)
        }
    }
}
