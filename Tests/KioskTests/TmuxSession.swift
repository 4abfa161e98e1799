import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private tmux server running one command in a fixed-size pane, driven like a person
/// at the keyboard. Spawned with posix_spawn: Foundation's Process hangs on
/// `new-session` because the forked server keeps its pipes open.
final class TmuxSession {
    let socket: String
    private(set) var serverPID: pid_t = 0

    init(command: String, width: Int = 120, height: Int = 40, environment: [String: String]) throws {
        socket = "kiosk-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        // The pane prints the exit code, then stays so the test can read it.
        let script = "env \(exports) \(command); echo EXIT=$?; sleep 120"
        guard Self.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", String(width), "-y", String(height),
                        script]) == 0 else { throw SessionError.cannotStart }
        let pid = try output(["tmux", "-L", socket, "display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        serverPID = pid_t(pid) ?? 0
    }

    enum SessionError: Error { case cannotStart }

    deinit { stop() }

    func stop() {
        _ = Self.run(["tmux", "-L", socket, "kill-server"])
        if serverPID > 0 { kill(serverPID, SIGKILL) }
        serverPID = 0
    }

    func send(_ keys: String...) { _ = Self.run(["tmux", "-L", socket, "send-keys"] + keys) }
    func type(_ text: String) { _ = Self.run(["tmux", "-L", socket, "send-keys", "-l", text]) }

    var screen: String { (try? output(["tmux", "-L", socket, "capture-pane", "-p"])) ?? "" }

    /// Polls the pane every 50 ms until it contains `text`; returns the screen, or nil after `timeout`.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = screen
            if current.contains(text) { return current }
            usleep(50_000)
        }
        return nil
    }

    private func output(_ arguments: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "tmux-out-\(UUID().uuidString)"
        defer { unlink(path) }
        _ = Self.run(arguments, stdout: path)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @discardableResult
    static func run(_ arguments: [String], stdout: String? = nil) -> Int32 { Spawn.run(arguments, stdout: stdout) }

    static func quote(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static var available: Bool { run(["tmux", "-V"]) == 0 }
}
