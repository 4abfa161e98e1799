import Foundation
import Testing
@testable import Kiosk
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// `kiosk doctor` reports a data directory or database files that other users can read,
/// with the chmod that fixes it, and is satisfied once it has been run.
@Suite("Doctor: private data files", .serialized)
struct DoctorPermissionsTests {
    let root: String
    var dataDirectory: String { root + "/data/kiosk" }
    var db: String { dataDirectory + "/kiosk.sqlite" }
    var environment: [String: String] {
        ["XDG_DATA_HOME": root + "/data", "XDG_CONFIG_HOME": root + "/config",
         "KIOSK_MODELS": ModelFiles.resolve(explicit: nil).directory, "KIOSK_SAMPLES": DataDirectory.samples()]
    }

    init() throws {
        root = NSTemporaryDirectory() + "kiosk-doctor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    @Test func exposedDataIsAProblemWithTheChmodToRun() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // What an older setup and umask 022 left: a 0755 directory, a 0644 database and log.
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let enroll = try KioskBinary.run(["enroll", "--db", db, "--name", "Ada", "--consent", KioskBinary.sample("obama.jpg")],
                                         environment: environment)
        try #require(enroll.status == 0, "\(enroll.stderr)")
        chmod(db, 0o644)
        FileManager.default.createFile(atPath: db + ".log", contents: Data(), attributes: [.posixPermissions: 0o640])

        let exposed = try KioskBinary.run(["doctor", "--db", db], environment: environment)
        #expect(exposed.status == 1, "doctor must fail on exposed data:\n\(exposed.stdout)\(exposed.stderr)")
        #expect(exposed.stdout.contains("FAIL  data permissions: \(dataDirectory) is 755"), "\(exposed.stdout)")
        #expect(exposed.stdout.contains("fix: chmod 700 \(dataDirectory)\n"), "\(exposed.stdout)")
        #expect(exposed.stdout.contains("FAIL  data permissions: \(db) is 644"), "\(exposed.stdout)")
        #expect(exposed.stdout.contains("fix: chmod 600 \(db)\n"), "\(exposed.stdout)")
        #expect(exposed.stdout.contains("fix: chmod 600 \(db).log\n"), "\(exposed.stdout)")

        // Running the fixes it printed satisfies it.
        for fix in exposed.stdout.split(separator: "\n").compactMap({ $0.split(separator: "fix: chmod ", maxSplits: 1).dropFirst().first }) {
            let parts = fix.split(separator: " ", maxSplits: 1).map(String.init)
            #expect(Spawn.run(["chmod", parts[0], parts[1]]) == 0, "could not run chmod \(fix)")
        }
        let fixed = try KioskBinary.run(["doctor", "--db", db], environment: environment)
        #expect(!fixed.stdout.contains("FAIL  data permissions"), "\(fixed.stdout)")
        #expect(fixed.stdout.contains("ok    data permissions"), "\(fixed.stdout)")
    }

    @Test func missingFilesAndPrivateOnesAreFine() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(DataPermissions.problems(directories: [dataDirectory], files: DataPermissions.companions(ofDatabase: db)).isEmpty)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: db, contents: Data(), attributes: [.posixPermissions: 0o600])
        #expect(DataPermissions.problems(directories: [dataDirectory], files: DataPermissions.companions(ofDatabase: db)).isEmpty)

        // Group access counts as exposure too, for the files kiosk keeps beside the database.
        FileManager.default.createFile(atPath: db + ".pending-visits", contents: Data(), attributes: [.posixPermissions: 0o660])
        let problems = DataPermissions.problems(directories: [dataDirectory], files: DataPermissions.companions(ofDatabase: db))
        #expect(problems.map(\.path) == [db + ".pending-visits"])
        #expect(problems.first?.fix == "chmod 600 \(db).pending-visits")
    }

    @Test func aPathWithSpacesIsQuotedInTheFix() {
        let problem = DataPermissions.Problem(path: "/srv/front desk/kiosk.sqlite", mode: 0o644, isDirectory: false)
        #expect(problem.fix == "chmod 600 '/srv/front desk/kiosk.sqlite'")
    }
}
