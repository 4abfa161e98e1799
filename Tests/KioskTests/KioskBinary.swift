import Foundation
import Testing
import Vision

/// Runs the built `kiosk` executable, as a user would, and captures its output.
enum KioskBinary {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `KIOSK_BIN` when set, else the `kiosk` built beside this test bundle.
    static let path: String = {
        if let explicit = ProcessInfo.processInfo.environment["KIOSK_BIN"] { return explicit }
        let besideTests = Bundle.main.bundleURL.appendingPathComponent("kiosk").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return repositoryRoot + "/.build/debug/kiosk"
    }()

    /// Runs `kiosk arguments`; `input` is its standard input (empty when nil).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // stdout through a pipe, stderr to a file: two pipes read one after the
        // other could deadlock once the second fills up.
        let errPath = NSTemporaryDirectory() + "kiosk-stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        var inputPath: String?
        if let input {
            let path = NSTemporaryDirectory() + "kiosk-stdin-\(UUID().uuidString)"
            FileManager.default.createFile(atPath: path, contents: Data(input.utf8))
            inputPath = path
            process.standardInput = FileHandle(forReadingAtPath: path)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        defer { if let inputPath { try? FileManager.default.removeItem(atPath: inputPath) } }
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func sample(_ name: String) -> String { DataDirectory.samples() + "/" + name }
}
