import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with posix_spawn and waits for it; stdout optionally into a file.
/// (Foundation's Process keeps pipes that daemonising children inherit, and hangs.)
enum Spawn {
    @discardableResult
    static func run(_ arguments: [String], stdout: String? = nil, stderr: String? = nil, environment: [String: String]? = nil) -> Int32 {
        guard let pid = start(arguments, stdout: stdout, stderr: stderr, environment: environment) else { return -1 }
        return wait(pid)
    }

    /// Starts without waiting; nil when the program cannot be started.
    static func start(_ arguments: [String], stdout: String? = nil, stderr: String? = nil, environment: [String: String]? = nil) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        let status = env == nil ? posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
            : posix_spawnp(&pid, arguments[0], &actions, nil, argv, env!)
        return status == 0 ? pid : nil
    }

    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xFF : -1
    }

    /// Runs and returns (exit code, stdout, stderr).
    static func output(_ arguments: [String], environment: [String: String]? = nil) -> (status: Int32, out: String, err: String) {
        let out = NSTemporaryDirectory() + "spawn-out-\(UUID().uuidString)", err = out + ".err"
        defer { unlink(out); unlink(err) }
        let status = run(arguments, stdout: out, stderr: err, environment: environment)
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
