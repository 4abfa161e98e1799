import Foundation
import Testing
@testable import Kiosk

@Suite("Configuration")
struct ConfigTests {
    @Test func shippedConfigEqualsBuiltInDefaults() throws {
        let path = KioskBinary.repositoryRoot + "/Config/kiosk.toml"
        let shipped = try KioskConfig.load(explicitPath: path)
        var expected = KioskConfig()
        expected.source = path
        #expect(shipped == expected)
    }

    @Test func parsesValuesSectionsAndComments() throws {
        let values = try TOMLSubset.parse("""
            top = "x # not a comment"   # a comment
            [recognition]
            tolerance = 0.55
            upsample = 0
            enabled = true
            name = "Café \\"Ünïcode\\""
            big = 1_000
            """)
        #expect(values["top"] == .string("x # not a comment"))
        #expect(values["recognition.tolerance"] == .float(0.55))
        #expect(values["recognition.upsample"] == .integer(0))
        #expect(values["recognition.enabled"] == .boolean(true))
        #expect(values["recognition.name"] == .string("Café \"Ünïcode\""))
        #expect(values["recognition.big"] == .integer(1000))
    }

    @Test(arguments: [
        ("[recognition\ntolerance = 0.5", "line 1"),
        ("[recognition]\ntolerance 0.5", "line 2"),
        ("[recognition]\ntolerance = abc", "line 2"),
        ("[recognition]\ntolerance = 0.5\ntolerance = 0.4", "set twice"),
        ("[recognition]\nname = \"open", "unterminated"),
    ])
    func rejectsMalformedLinesWithTheirNumber(text: String, expected: String) {
        do {
            _ = try TOMLSubset.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func rejectsUnknownKeysAndOutOfRangeValues() {
        #expect(throws: (any Error).self) { try KioskConfig.parse("[recognition]\ntolerence = 0.5") }
        #expect(throws: (any Error).self) { try KioskConfig.parse("[recognition]\ntolerance = 5.0") }
        #expect(throws: (any Error).self) { try KioskConfig.parse("[recognition]\nupsample = \"one\"") }
    }

    @Test func missingExplicitFileIsNamed() {
        do {
            _ = try KioskConfig.load(explicitPath: "/nonexistent/kiosk.toml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.contains("/nonexistent/kiosk.toml"))
        }
    }

    @Test func absentUserFileMeansDefaults() throws {
        let config = try KioskConfig.load(explicitPath: nil, environment: ["XDG_CONFIG_HOME": "/nonexistent-config-home"])
        #expect(config == KioskConfig())
    }
}
