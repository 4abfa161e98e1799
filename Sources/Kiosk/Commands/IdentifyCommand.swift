import ArgumentParser
import DeskCore
import Foundation
import Store
import Vision

struct IdentifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Look up every face of each photo among enrolled people (records nothing).",
        discussion: """
            Like encode, with a "match" per face: the closest enrolled person when within \
            recognition.threshold, else null. Unreadable photos are reported and skipped.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("JPEG or PNG photos.", valueName: "photo"))
    var photos: [String]

    @Flag(help: "Print JSON: [{\"image\", \"faces\": [{\"box\", \"landmarks\", \"embedding\", \"match\"}]}].")
    var json = false

    func validate() throws {
        if photos.isEmpty { throw ValidationError("Give at least one photo.") }
    }

    struct Match: Encodable {
        let person_id: Int64
        let name: String
        let distance: Double
    }

    /// encode's face object plus "match".
    struct FaceJSON: Encodable {
        let face: EncodedImage.FaceJSON
        let match: Match?

        func encode(to encoder: Encoder) throws {
            try face.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(match, forKey: .match)  // explicit null when no match
        }
        enum CodingKeys: String, CodingKey { case match }
    }

    struct ImageJSON: Encodable {
        let image: String
        var faces: [FaceJSON]?
        var error: String?
    }

    func run() async throws {
        let desk = try await global.openFrontDesk()
        var results: [ImageJSON] = []
        var failures = 0
        for path in photos {
            do {
                let image = try ImageFile.load(path)
                let faces = try await desk.engine.faces(in: image, upsample: desk.config.upsample)
                var entries: [FaceJSON] = []
                for face in faces {
                    let hit = await desk.identify(face.embedding)
                    let match = hit.flatMap { $0.distance <= desk.config.threshold ? Match(person_id: $0.personId, name: $0.name, distance: $0.distance) : nil }
                    entries.append(FaceJSON(face: EncodedImage.FaceJSON(face, in: image), match: match))
                }
                results.append(ImageJSON(image: path, faces: entries))
                if !json {
                    print("\(path): \(faces.count) face\(faces.count == 1 ? "" : "s")".terminalSafe)
                    for (i, entry) in entries.enumerated() {
                        let who = entry.match.map { "\($0.name) (id \($0.person_id), distance \(String(format: "%.3f", $0.distance)))" } ?? "not enrolled"
                        print("  face \(i + 1): \(who)".terminalSafe)
                    }
                }
            } catch {
                failures += 1
                printError("kiosk: \(error)")
                results.append(ImageJSON(image: path, error: "\(error)"))
            }
        }
        if json { print(try jsonText(results)) }
        if failures > 0 { throw KioskError.reported(exitCode: 1) }
    }
}
