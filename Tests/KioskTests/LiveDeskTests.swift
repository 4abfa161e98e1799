import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// A running desk (the real binary in tmux) and other processes on the same database:
/// what the CLI changes reaches the desk before its next decision and on screen within
/// a second; a greeting that was shown is a visit, whatever ends the desk.
@Suite("Live desk (tmux + CLI)", .serialized, .enabled(if: TmuxSession.available, "tmux is not installed (scripts/setup installs it)"))
struct LiveDeskTests {
    let root: String
    var db: String { root + "/kiosk.sqlite" }
    let config: String
    let environment: [String: String]
    /// Two photos of one person (enrolled from the first, captured from the second) and a stranger.
    let photos = TUIEndToEndTests.photos

    init() throws {
        root = NSTemporaryDirectory() + "kiosk-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        config = root + "/kiosk.toml"
        try "[visits]\ncooldown_minutes = 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        environment = ["XDG_DATA_HOME": root + "/data", "TERM": "tmux-256color",
                       "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory, "KIOSK_SAMPLES": DataDirectory.samples()]
    }

    func kiosk(_ arguments: [String], input: String? = nil) throws -> KioskBinary.Run {
        try KioskBinary.run(arguments + ["--db", db, "--config", config], environment: environment, input: input)
    }

    func desk(showing photo: String) throws -> TmuxSession {
        let command = "\(KioskBinary.path) run --db \(TmuxSession.quote(db)) --config \(TmuxSession.quote(config)) "
            + "--greeting-seconds 30 --source image:" + TmuxSession.quote(photo)
        let tmux = try TmuxSession(command: command, environment: environment)
        #expect(tmux.waitFor(" live ") != nil, "the front desk did not come up:\n\(tmux.screen)")
        return tmux
    }

    struct Visit: Decodable { let name: String }

    func visits() throws -> [Visit] {
        let run = try kiosk(["visits", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode([Visit].self, from: Data(run.stdout.utf8))
    }

    /// The status line's "N enrolled" shows `count` within `seconds`.
    func showsEnrolled(_ count: Int, _ tmux: TmuxSession, within seconds: Double = 1.5) -> Bool {
        tmux.waitFor(" \(count) enrolled ·", timeout: seconds) != nil
    }

    @Test func enrollmentErasureAndPINFromTheCLIReachARunningDesk() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tmux = try desk(showing: photos.second)
        defer { tmux.stop() }
        #expect(showsEnrolled(0, tmux))

        // Enrolled from the CLI while the desk runs: counted on screen, then greeted.
        let enroll = try kiosk(["enroll", "--name", "Ada Live", "--consent", photos.first])
        #expect(enroll.status == 0, "\(enroll.stderr)")
        #expect(showsEnrolled(1, tmux), "the desk did not see the enrollment within 1.5 s:\n\(tmux.screen)")
        tmux.send("Space")
        #expect(tmux.waitFor("Welcome back, Ada Live!") != nil, "a person enrolled from the CLI was not greeted:\n\(tmux.screen)")
        tmux.send("Enter")
        #expect(tmux.waitFor("Space capture") != nil)

        // Erased from the CLI: gone from the count, and never greeted again.
        let forget = try kiosk(["forget", "Ada Live", "--yes"])
        #expect(forget.status == 0, "\(forget.stderr)")
        #expect(showsEnrolled(0, tmux), "the desk still counts an erased person:\n\(tmux.screen)")
        tmux.send("Space")
        let answer = tmux.waitFor("New visitor")
        #expect(answer != nil, "an erased person was not treated as new:\n\(tmux.screen)")
        #expect(!(answer ?? "").contains("Ada Live"))
        tmux.send("Escape")
        #expect(tmux.waitFor("Space capture") != nil)

        // A PIN set from the CLI: quitting now asks for it.
        #expect(tmux.screen.contains("anyone can quit"))
        let setPIN = try kiosk(["staff", "set-pin"], input: "246810\n")
        #expect(setPIN.status == 0, "\(setPIN.stderr)")
        let deadline = Date().addingTimeInterval(1.5)
        while tmux.screen.contains("anyone can quit") && Date() < deadline { usleep(50_000) }
        #expect(!tmux.screen.contains("anyone can quit"), "the desk did not see the new PIN within 1.5 s")
        tmux.send("F10")
        #expect(tmux.waitFor("Staff PIN to quit") != nil, "F10 quit without the PIN set from the CLI:\n\(tmux.screen)")
        tmux.type("246810")
        tmux.send("Enter")
        #expect(tmux.waitFor("EXIT=0", timeout: 10) != nil)
    }

    @Test func aShownGreetingIsAVisitEvenWhenTheDeskStopsDuringIt() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try kiosk(["enroll", "--name", "Greta", "--consent", photos.first]).status == 0)

        // F10 while the greeting is on screen.
        do {
            let tmux = try desk(showing: photos.second)
            defer { tmux.stop() }
            tmux.send("Space")
            #expect(tmux.waitFor("Welcome back, Greta!") != nil, "\(tmux.screen)")
            tmux.send("F10")
            #expect(tmux.waitFor("EXIT=0", timeout: 10) != nil, "\(tmux.screen)")
        }
        #expect(try visits().filter { $0.name == "Greta" }.count == 1, "the visit shown before F10 was lost")

        // SIGTERM while the greeting is on screen (a shutdown, systemd stopping the desk).
        do {
            let tmux = try desk(showing: photos.second)
            defer { tmux.stop() }
            tmux.send("Space")
            #expect(tmux.waitFor("Welcome back, Greta!") != nil, "\(tmux.screen)")
            #expect(Spawn.run(["pkill", "-TERM", "-f", "kiosk run --db \(db)"]) == 0)
            #expect(tmux.waitFor("EXIT=", timeout: 10) != nil, "the desk did not stop on SIGTERM:\n\(tmux.screen)")
        }
        #expect(try visits().filter { $0.name == "Greta" }.count == 2, "the visit shown before SIGTERM was lost")

        // "Not me" undoes the visit the greeting wrote.
        do {
            let tmux = try desk(showing: photos.second)
            defer { tmux.stop() }
            tmux.send("Space")
            #expect(tmux.waitFor("Welcome back, Greta!") != nil, "\(tmux.screen)")
            tmux.send("n")
            #expect(tmux.waitFor("New visitor") != nil)
            tmux.send("Escape")
            #expect(tmux.waitFor("nothing was stored") != nil)
            tmux.send("F10")
            #expect(tmux.waitFor("EXIT=0", timeout: 10) != nil)
        }
        #expect(try visits().filter { $0.name == "Greta" }.count == 2, "a disowned greeting was counted")
    }

    @Test func theCLIAndTheDeskDecideTheSameOnTheSamePictures() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try kiosk(["enroll", "--name", "Sam Same", "--consent", photos.first]).status == 0)
        struct CheckIn: Decodable { let status: String; let name: String? }
        for (photo, screenText) in [(photos.second, "Welcome back, Sam Same!"), (photos.other, "New visitor")] {
            let run = try kiosk(["checkin", "--json", photo])
            #expect(run.status == 0, "\(run.stderr)")
            let cli = try JSONDecoder().decode(CheckIn.self, from: Data(run.stdout.utf8))
            let tmux = try desk(showing: photo)
            defer { tmux.stop() }
            tmux.send("Space")
            let screen = tmux.waitFor(screenText)
            #expect(screen != nil, "the desk did not show \(screenText):\n\(tmux.screen)")
            switch cli.status {
            case "returning": #expect(screenText.contains(cli.name ?? "?"))
            case "unknown": #expect(screenText == "New visitor")
            default: Issue.record("unexpected CLI status \(cli.status)")
            }
        }
    }

    @Test func twoDesksCheckingInOnePersonAtOnceRecordOneVisit() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The default cooldown (10 minutes): the same person at two desks is one visit.
        try "".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try kiosk(["enroll", "--name", "Twin Desk", "--consent", photos.first]).status == 0)
        let path = KioskBinary.path
        let arguments = ["checkin", photos.second, "--db", db, "--config", config]
        for round in 1...3 {
            // Both processes start together and race to commit.
            let errors = (0..<2).map { root + "/round\(round)-desk\($0).err" }
            let pids = errors.compactMap { Spawn.start([path] + arguments, stderr: $0, environment: environment) }
            #expect(pids.count == 2)
            for (pid, error) in zip(pids, errors) {
                let status = Spawn.wait(pid)
                #expect(status == 0, "round \(round): \((try? String(contentsOfFile: error, encoding: .utf8)) ?? "")")
            }
            #expect(try visits().count == 1, "round \(round): two desks at one moment made more than one visit")
        }
    }
}
