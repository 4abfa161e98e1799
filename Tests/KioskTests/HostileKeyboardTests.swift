import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// The keyboard of a desk in a lobby belongs to the public. With a staff PIN set, no
/// burst of keys — every control byte, unknown escape sequences, F13-F24, thousands at
/// once as a USB key injector sends them — may end the desk or open the staff view.
@Suite("Hostile keyboard (tmux)", .serialized, .enabled(if: TmuxSession.available, "tmux is not installed (scripts/setup installs it)"))
struct HostileKeyboardTests {
    /// Sends `bytes` as raw input to the pane, `times` times in bursts.
    func burst(_ tmux: TmuxSession, _ bytes: [UInt8], times: Int) {
        let hex = bytes.map { String(format: "%02x", $0) }
        var sent = 0
        while sent < times {
            let chunk = min(50, times - sent)
            _ = TmuxSession.run(["tmux", "-L", tmux.socket, "send-keys", "-H"] + Array(repeating: hex, count: chunk).flatMap { $0 })
            sent += chunk
        }
    }

    @Test func noBurstOfKeysEndsTheDeskOrOpensTheStaffView() throws {
        let root = NSTemporaryDirectory() + "kiosk-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = root + "/kiosk.sqlite"
        let environment = ["XDG_DATA_HOME": root + "/data", "TERM": "tmux-256color",
                           "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory, "KIOSK_SAMPLES": DataDirectory.samples()]
        let setPIN = try KioskBinary.run(["staff", "set-pin", "--db", db], environment: environment, input: "246810\n")
        #expect(setPIN.status == 0, "\(setPIN.stderr)")
        let tmux = try TmuxSession(command: "\(KioskBinary.path) run --db \(TmuxSession.quote(db)) --source demo", environment: environment)
        defer { tmux.stop() }
        #expect(tmux.waitFor("Space capture") != nil, "the front desk did not come up:\n\(tmux.screen)")

        var attacks: [(String, [UInt8])] = []
        for byte in UInt8(0)...UInt8(0x1f) where byte != 0x0d && byte != 0x20 {
            attacks.append(("control byte \(byte)", [byte]))
        }
        attacks.append(("DEL", [0x7f]))
        for code in ["1;2P", "1;2Q", "1;2R", "1;2S", "15;2~", "17;2~", "18;2~", "19;2~", "20;2~", "21;2~", "23;2~", "24;2~"] {
            attacks.append(("F13-F24 \(code)", [0x1b, 0x5b] + Array(code.utf8)))  // ESC [ code
        }
        attacks.append(("unknown CSI", [0x1b, 0x5b, 0x39, 0x39, 0x7a]))                  // ESC [ 9 9 z
        attacks.append(("clear screen", [0x1b, 0x5b, 0x32, 0x4a]))                       // ESC [ 2 J
        attacks.append(("OSC title", [0x1b, 0x5d, 0x30, 0x3b, 0x78, 0x07]))             // ESC ] 0 ; x BEL
        attacks.append(("C1 CSI", [0xc2, 0x9b]))                                          // U+009B
        for (name, bytes) in attacks {
            burst(tmux, bytes, times: 250)
            usleep(100_000)
            #expect(!tmux.screen.contains("EXIT="), "\(name) x250 ended the desk:\n\(tmux.screen)")
            #expect(!tmux.screen.contains("1 Visit log"), "\(name) x250 opened the staff view")
            // Back to the live desk for the next burst (a form or a prompt may have opened).
            for _ in 0..<4 {
                tmux.send("Escape")
                usleep(60_000)
            }
        }
        // Still the desk, still locked: F10 asks for the PIN.
        #expect(tmux.waitFor("Space capture") != nil, "\(tmux.screen)")
        usleep(300_000)  // an F10 right behind an Escape would read as one Alt-F10 sequence
        tmux.send("F10")
        #expect(tmux.waitFor("Staff PIN to quit") != nil, "\(tmux.screen)")
        tmux.type("246810")
        tmux.send("Enter")
        let audit = try KioskBinary.run(["audit", "--db", db], environment: environment).stdout
        #expect(tmux.waitFor("EXIT=0", timeout: 20) != nil, "\(tmux.screen)\naudit log:\n\(audit)")
    }
}
