import ArgumentParser
import DeskCore
import Foundation
import Store
import Vision
#if canImport(Glibc)
import Glibc
#endif

struct CheckinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "The front-desk decision for one photo, without the TUI; records the visit.",
        discussion: """
            Status is returning (visit recorded, unless within visits.cooldown_minutes of the \
            last one), unknown, ambiguous (two people nearly as close: ask), no_face or \
            poor_quality (with the reason). With several faces, the largest is used.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The captured photo (or none with --stdin).")
    var photo: String?

    @Flag(help: "Print JSON: {\"status\", \"name\", \"person_id\", \"visit_number\", \"last_visit\", \"preferences\", \"distance\", \"reason\"}.")
    var json = false

    @Flag(help: ArgumentHelp(
        "Stay running as one desk: read photo paths from standard input, one per line, and answer each on one line.",
        discussion: "The desk keeps its gallery loaded and follows other desks' changes as the TUI does; for scripted desks and tests."))
    var stdin = false

    func validate() throws {
        if stdin == (photo != nil) { throw ValidationError(stdin ? "--stdin reads the photos from standard input: give no photo" : "give the photo to check in (or --stdin)") }
    }

    func run() async throws {
        let desk = try await global.openFrontDesk()
        guard stdin else {
            if case .lost? = try await checkIn(photo ?? "", at: desk) { throw KioskError.reported(exitCode: 1) }
            return
        }
        while let line = readLine() {
            let path = line.trimmingCharacters(in: .whitespaces)
            if path.isEmpty { continue }
            do {
                _ = try await checkIn(path, at: desk)
            } catch {
                // One bad photo does not end the desk: say why and read the next line.
                if json { print(#"{"status":"error","reason":\#(try jsonText("\(error)"))}"#) } else { print("error: \(error)".terminalSafeLines) }
            }
            fflush(nil)  // each answer reaches a reading script at once
        }
    }

    /// Checks one photo in and prints the answer; returns what became of the visit.
    private func checkIn(_ path: String, at desk: FrontDesk) async throws -> CommitOutcome? {
        let result: (decision: CheckInDecision, outcome: CommitOutcome?)
        do {
            result = try await desk.checkIn(try ImageFile.load(path))
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
        switch result.outcome {
        case .queued(let reason)?:
            printError("kiosk: the database did not take the visit now (\(reason)); it is queued in \(desk.pending?.path ?? "?") and will be written by the next kiosk command or the running desk.")
        case .lost(let reason)?:
            printError("kiosk: the visit could not be written nor queued: \(reason)")
        default: break
        }
        let report = CheckInReport(result.decision, outcome: result.outcome)
        if json {
            print(try jsonText(report))
        } else {
            print(report.sentence.terminalSafeLines)
        }
        return result.outcome
    }
}

/// The JSON shape of a check-in (documented in the README and `kiosk checkin --help`) and its one-line summary.
struct CheckInReport: Encodable {
    var status: String
    var name: String?
    var person_id: Int64?
    var visit_number: Int?
    var last_visit: String?
    var new_visit: Bool?
    var preferences: [String: String]?
    var distance: Double?
    var reason: String?
    var faces: Int

    private var preferenceOrder: [String] = []

    enum CodingKeys: String, CodingKey {
        case status, name, person_id, visit_number, last_visit, new_visit, preferences, distance, reason, faces
    }

    /// Every key of the contract is always present, null when it does not apply.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(name, forKey: .name)
        try container.encode(person_id, forKey: .person_id)
        try container.encode(visit_number, forKey: .visit_number)
        try container.encode(last_visit, forKey: .last_visit)
        try container.encode(new_visit, forKey: .new_visit)
        try container.encode(preferences, forKey: .preferences)
        try container.encode(distance, forKey: .distance)
        try container.encode(reason, forKey: .reason)
        try container.encode(faces, forKey: .faces)
    }

    /// The report of a decision and, for a returning visitor, of writing the visit (the
    /// visit number is the written one; the decision's preview when it was queued).
    init(_ decision: CheckInDecision, outcome: CommitOutcome?) {
        status = decision.verdict.status
        faces = decision.faceCount
        switch decision.verdict {
        case .returning(let match):
            name = match.name
            person_id = match.personId
            distance = match.distance
            var recording = decision.visitor?.preview
            if case .written(let committed)? = outcome { recording = committed.recording }
            visit_number = recording?.visitNumber
            last_visit = recording?.previousVisit.map(DateText.iso)
            new_visit = recording?.counted
            let shown = decision.visitor?.preferences ?? []
            preferences = Dictionary(shown.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            preferenceOrder = shown.map(\.key)
        case .ambiguous(let match):
            name = match.name
            person_id = match.personId
            distance = match.distance
            // Asked either because another person is almost as close, or because the
            // distance is in the asking band beyond the greeting threshold.
            let next = match.runnerUp.map { String(format: "%.3f", $0.distance) } ?? "none"
            reason = "not sure enough to greet: distance \(String(format: "%.3f", match.distance)), next enrolled person \(next)"
        case .unknown(let closest):
            distance = closest
        case .noFace:
            reason = "no face found"
        case .poorQuality(let problem):
            reason = problem.rawValue
        }
        if decision.faceCount > 1 && reason == nil && status != "returning" {
            reason = "\(decision.faceCount) faces; the largest was used"
        }
    }

    var sentence: String {
        switch status {
        case "returning":
            var text = "Welcome back, \(name ?? "")! "
            if let n = visit_number { text += "\(Ordinal.text(n)) visit" }
            if let last = last_visit, let date = ISO8601DateFormatter().date(from: last) {
                text += ", last here \(DateText.relative(date))"
            }
            if new_visit == false { text += " (already checked in moments ago: not counted again)" }
            let prefs = preferenceOrder.compactMap { key in preferences?[key].map { "\(key): \($0)" } }
            if !prefs.isEmpty { text += "\n  " + prefs.joined(separator: "\n  ") }
            return text
        case "ambiguous": return "Are you \(name ?? "")? (\(reason ?? ""))"
        case "unknown": return "New visitor: not enrolled yet."
        case "no_face": return "No face found in the photo."
        default:
            return "Poor quality: " + (reason.flatMap { FaceQuality.Problem(rawValue: $0)?.advice } ?? (reason ?? ""))
        }
    }
}

/// "1st", "2nd", "3rd", "11th", "22nd".
enum Ordinal {
    static func text(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
