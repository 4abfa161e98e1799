import Foundation
import Testing
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// A crashing desk (the real binary in tmux, sent SIGSEGV from outside: the product has
/// no way to crash on purpose) leaves a usable terminal: the alternate screen left, the
/// cursor shown, line editing and echo back; it says so in a fixed message, notes it in
/// the log beside its database, and exits with status 70.
@Suite("Crash handler (tmux)", .serialized, .enabled(if: TmuxSession.available, "tmux is not installed (scripts/setup installs it)"))
struct CrashHandlerTests {
    static let message = "kiosk: crashed; the desk will restart if it runs as a service"

    @Test(arguments: ["SEGV", "ABRT", "BUS"])
    func aCrashRestoresTheTerminalSaysSoAndExitsWith70(signal: String) throws {
        let root = NSTemporaryDirectory() + "kiosk-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = root + "/kiosk.sqlite"
        let environment = ["XDG_DATA_HOME": root + "/data", "XDG_CONFIG_HOME": root + "/config", "TERM": "tmux-256color",
                           "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory, "KIOSK_SAMPLES": DataDirectory.samples()]
        // After the desk: its status, then the terminal's line discipline as the shell
        // finds it (curses turned icanon and echo off; the handler must turn them back on).
        let command = "\(KioskBinary.path) run --db \(TmuxSession.quote(db)) --source image:"
            + TmuxSession.quote(TUIEndToEndTests.photos.first)
            + "; status=$?; stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | sed 's/^/TTY /'; (exit $status)"
        let tmux = try TmuxSession(command: command, width: 100, height: 30, environment: environment)
        defer { tmux.stop() }
        #expect(tmux.waitFor("Space capture") != nil, "the front desk did not come up:\n\(tmux.screen)")
        #expect(tmux.query("#{alternate_on}") == "1", "curses should be on the alternate screen while the desk runs")

        // The desk is the pane shell's only child (env execs it).
        let shell = tmux.query("#{pane_pid}")
        let found = Spawn.output(["pgrep", "-P", shell, "-x", "kiosk"])
        let desk = found.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(found.status == 0 && Int32(desk) != nil, "no kiosk process under the pane's shell \(shell): \(found.out)")
        #expect(Spawn.run(["kill", "-\(signal)", desk]) == 0)

        let screen = tmux.waitFor("EXIT=", timeout: 10)
        try #require(screen != nil, "the desk did not end on SIG\(signal):\n\(tmux.screen)")
        let lines = (screen ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0).trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains(Self.message), "no crash message on its own line:\n\(screen ?? "")")
        #expect(lines.contains("EXIT=70"), "the exit status is not 70, or not on a fresh line:\n\(screen ?? "")")
        #expect(tmux.waitFor("TTY echo", timeout: 5) != nil)
        let after = tmux.screen
        #expect(after.contains("TTY icanon") && after.contains("TTY echo"), "line editing and echo are not back:\n\(after)")
        #expect(!after.contains("TTY -icanon") && !after.contains("TTY -echo"), "the terminal was left raw:\n\(after)")
        #expect(tmux.query("#{alternate_on}") == "0", "the alternate screen was not left")
        #expect(tmux.query("#{cursor_flag}") == "1", "the cursor is still hidden")

        let log = (try? String(contentsOfFile: db + ".log", encoding: .utf8)) ?? ""
        #expect(log.contains("critical kiosk: crashed on SIG\(signal)"), "the log beside the database has no crash line:\n\(log)")
    }
}

extension TmuxSession {
    /// A tmux format (`#{cursor_flag}`, `#{pane_pid}`...) evaluated for the pane.
    func query(_ format: String) -> String {
        let path = NSTemporaryDirectory() + "tmux-query-\(UUID().uuidString)"
        defer { unlink(path) }
        Spawn.run(["tmux", "-L", socket, "display-message", "-p", format], stdout: path)
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The C handler on its own, in a small program built from the shim's source: a stack
/// overflow (which leaves no stack to run a handler on) still ends in the fixed message and
/// status 70, on the main thread and on a thread that called kiosk_crash_prepare_thread.
@Suite("Crash handler: stack overflow")
struct CrashHandlerStackOverflowTests {
    static let program = """
        #include "kiosk_crash.h"
        #include <pthread.h>
        #include <string.h>
        // Each call keeps 1 KiB live on the stack until the guard page is hit.
        static int deeper(volatile char *caller) {
            volatile char frame[1024];
            frame[0] = caller ? caller[0] : 1;
            return deeper(frame) + frame[1];
        }
        static void *thread_main(void *prepare) {
            if (prepare) kiosk_crash_prepare_thread();
            deeper(0);
            return 0;
        }
        int main(int argc, char **argv) {
            kiosk_install_crash_handler(argv[2]);
            if (strcmp(argv[1], "main") == 0) deeper(0);
            pthread_t thread;
            pthread_create(&thread, 0, thread_main, strcmp(argv[1], "thread") == 0 ? (void *)1 : 0);
            pthread_join(thread, 0);
            return 0;
        }
        """

    static func build(in directory: String) throws -> String? {
        let source = directory + "/overflow.c", binary = directory + "/overflow"
        try program.write(toFile: source, atomically: true, encoding: .utf8)
        let shim = KioskBinary.repositoryRoot + "/Sources/CNcursesShim"
        // The handler compiles without a warning; the program at -O0, so the recursion stays one.
        let handler = Spawn.output(["cc", "-c", "-O2", "-Wall", "-Wextra", "-Werror", "-I", shim + "/include",
                                    shim + "/kiosk_crash.c", "-o", directory + "/kiosk_crash.o"])
        #expect(handler.status == 0, "cc kiosk_crash.c:\n\(handler.err)")
        let compile = Spawn.output(["cc", "-O0", "-Wno-infinite-recursion", "-I", shim + "/include", source,
                                    directory + "/kiosk_crash.o", "-o", binary, "-lpthread"])
        #expect(compile.status == 0, "cc overflow.c:\n\(compile.err)")
        return handler.status == 0 && compile.status == 0 ? binary : nil
    }

    @Test func aStackOverflowIsCaughtWhereAnAlternateStackWasPrepared() throws {
        let directory = NSTemporaryDirectory() + "kiosk-overflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let binary = try Self.build(in: directory) else { return }

        for place in ["main", "thread"] {
            let log = directory + "/\(place).log"
            let run = Spawn.output([binary, place, log])
            #expect(run.status == 70, "overflow on the \(place) thread: status \(run.status)")
            #expect(run.err == "\r" + CrashHandlerTests.message + "\r\n", "\(place): \(run.err)")
            let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(logged.contains("critical kiosk: crashed on SIGSEGV (signal 11); exit status 70\n"), "\(place): \(logged)")
        }
        // Without its own alternate stack a thread's overflow cannot run the handler: the
        // kernel kills the process. This is why the UI thread prepares one.
        let unprepared = Spawn.output([binary, "unprepared", directory + "/unprepared.log"])
        #expect(unprepared.status != 70 && !unprepared.err.contains(CrashHandlerTests.message))
    }
}
