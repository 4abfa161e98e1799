import Foundation
import Testing

/// Where systemd-analyze is, when the package systemd is installed.
enum SystemAnalyzer {
    static let path: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// `Config/systemd/kiosk@.service`, checked by systemd's own parser.
@Suite("Appliance unit (systemd-analyze verify)",
       .enabled(if: SystemAnalyzer.path != nil,
                "systemd-analyze is not installed (package systemd; scripts/setup --camera-test-stack installs it)"))
struct SystemdUnitTests {
    static let unit = KioskBinary.repositoryRoot + "/Config/systemd/kiosk@.service"

    /// Verifies `text` as the instance `kiosk@tty1.service`; returns (status, everything it said).
    static func verify(_ text: String) throws -> (status: Int32, said: String) {
        let directory = NSTemporaryDirectory() + "kiosk-unit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // An instance name, so %I and %i expand (/dev/tty1, getty@tty1.service) as on a box.
        let path = directory + "/kiosk@tty1.service"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = Spawn.output([SystemAnalyzer.path ?? "systemd-analyze", "verify", path])
        return (run.status, run.out + run.err)
    }

    /// verify refuses an ExecStart= whose program does not exist, and /usr/local/bin/kiosk is
    /// not installed on a test machine: the copy checked starts the kiosk just built instead.
    /// Everything else is the file as shipped (User= stays: verify does not look users up).
    /// verify exits 0 even for unknown keys or bad values (it only warns), so the check is
    /// that it says nothing at all.
    static func shippedUnitStartingTheBuiltBinary() throws -> String {
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("ExecStart=/usr/local/bin/kiosk ") ? "ExecStart=\(KioskBinary.path) " + line.dropFirst("ExecStart=/usr/local/bin/kiosk ".count)
                : String(line)
        }
        return lines.joined(separator: "\n")
    }

    @Test func theUnitVerifiesWithoutAWord() throws {
        let text = try Self.shippedUnitStartingTheBuiltBinary()
        #expect(text.contains("ExecStart=\(KioskBinary.path) run\n"), "the unit does not start `kiosk run` from /usr/local/bin/kiosk")
        let result = try Self.verify(text)
        #expect(result.status == 0 && result.said.isEmpty, "systemd-analyze verify:\n\(result.said)")
    }

    @Test func theCheckCatchesAMistake() throws {
        // The same check on a unit with a misspelt key and a bad value must complain,
        // or the test above proves nothing.
        let broken = try Self.shippedUnitStartingTheBuiltBinary()
            .replacingOccurrences(of: "TTYReset=yes", with: "TTYReseet=yes")
            .replacingOccurrences(of: "Restart=always", with: "Restart=sometimes")
        let result = try Self.verify(broken)
        #expect(result.said.contains("TTYReseet"), "\(result.said)")
        #expect(result.said.contains("sometimes"), "\(result.said)")
    }

    @Test func theUnitKeepsTheDeskUpAndConfined() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        let settings = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") })
        for required in ["Restart=always", "RestartSec=1", "User=kiosk", "Group=kiosk", "SupplementaryGroups=video",
                         "StandardInput=tty", "StandardOutput=tty", "TTYPath=/dev/%I", "TTYReset=yes", "TTYVHangup=yes",
                         "Conflicts=getty@%i.service", "ExecStart=/usr/local/bin/kiosk run", "NoNewPrivileges=yes",
                         "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=kiosk",
                         "StateDirectoryMode=0700", "Environment=XDG_DATA_HOME=/var/lib", "StartLimitIntervalSec=0"] {
            #expect(settings.contains(required), "missing: \(required)")
        }
    }
}
