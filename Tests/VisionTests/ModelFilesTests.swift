import Foundation
import Testing
import Vision

@Suite("Model files")
struct ModelFilesTests {
    @Test func resolutionOrder() {
        #expect(ModelFiles.resolve(explicit: "/a", environment: ["KIOSK_MODELS": "/b"]).directory == "/a")
        #expect(ModelFiles.resolve(explicit: nil, environment: ["KIOSK_MODELS": "/b"]).directory == "/b")
        #expect(ModelFiles.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/x"]).directory == "/x/kiosk/models")
        #expect(ModelFiles.resolve(explicit: nil, environment: ["HOME": "/home/desk"]).directory
            == "/home/desk/.local/share/kiosk/models")
    }

    @Test func missingModelIsNamed() {
        let empty = ModelFiles(directory: NSTemporaryDirectory() + "kiosk-no-models-\(UUID().uuidString)")
        let expected = VisionError.modelMissing(path: empty.path(of: .landmarks))
        #expect(throws: expected) { try FaceEngine(models: empty) }
        #expect(expected.isSetupProblem)
    }

    @Test func truncatedModelIsCorruptAndNamed() throws {
        let directory = NSTemporaryDirectory() + "kiosk-bad-models-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bad = ModelFiles(directory: directory)
        let good = Fixtures.models
        // A good landmark model, and the descriptor model cut to its first kilobyte.
        try FileManager.default.copyItem(atPath: good.path(of: .landmarks), toPath: bad.path(of: .landmarks))
        let head = try #require(FileManager.default.contents(atPath: good.path(of: .descriptor))).prefix(1024)
        try head.write(to: URL(fileURLWithPath: bad.path(of: .descriptor)))
        let error = thrownError { try FaceEngine(models: bad) } as? VisionError
        guard case .modelCorrupt(let path, _)? = error else {
            Issue.record("expected modelCorrupt for a truncated model, got \(String(describing: error))")
            return
        }
        #expect(path == bad.path(of: .descriptor))
        #expect(error?.isSetupProblem == true)
        #expect(throws: VisionError.self) { try bad.verifyChecksum(of: .descriptor) }
    }

    @Test func installedModelsMatchPinnedChecksums() throws {
        for model in [ModelFiles.Model.landmarks, .descriptor] {
            try Fixtures.models.verifyChecksum(of: model)
        }
    }

    /// The streaming file hash (swift-crypto's SHA-256 fed 1 MiB at a time) on known digests:
    /// the empty file, FIPS 180-2's "abc" and one million "a", and a file spanning three
    /// reads whose digest comes from Python's hashlib.
    @Test(arguments: [
        (0, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (1, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (1_000_000, "a", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        (2_621_440 + 12_345, "a", "042e61251633e7ffbe27516db02b02967f66dd0203b1153f2907b422fbff348c"),
    ])
    func fileSHA256KnownDigests(repeats: Int, text: String, expected: String) throws {
        let file = NSTemporaryDirectory() + "kiosk-sha256-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(String(repeating: text, count: repeats).utf8).write(to: URL(fileURLWithPath: file))
        #expect(try ModelFiles.sha256Hex(ofFileAt: file) == expected)
    }

    @Test func hashingAMissingFileNamesIt() {
        let file = "/nonexistent/kiosk-model.dat"
        #expect(throws: VisionError.modelMissing(path: file)) { try ModelFiles.sha256Hex(ofFileAt: file) }
    }
}
