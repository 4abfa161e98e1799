import ArgumentParser
import Vision

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Tell whether two photos show the same person.",
        discussion: """
            Uses the largest face in each photo. Prints the distance between the two \
            descriptors and "same person" when it is at most the tolerance \
            (recognition.ask_threshold in the config, 0.55 by default: the distance up to which the \
            desk would ask "Are you ...?"; face_recognition uses 0.6). Exit code 1 when a photo \
            cannot be read or has no face.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The first photo.") var first: String
    @Argument(help: "The second photo.") var second: String

    @Option(help: "Largest distance still counted as the same person (default: from the config).")
    var tolerance: Double?

    @Option(help: "Times to upsample before detection (default: from the config).")
    var upsample: Int?

    @Flag(help: "Print JSON: {\"distance\", \"tolerance\", \"same_person\"}.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let engine = try await global.loadEngine()
        let tolerance = self.tolerance ?? config.askThreshold
        let upsample = self.upsample ?? config.upsample
        var embeddings: [Embedding] = []
        for path in [first, second] {
            do {
                let faces = try await engine.faces(in: try ImageFile.load(path), upsample: upsample)
                guard let largest = faces.first else {
                    throw KioskError(exitCode: 1, "\(path): no face found")
                }
                if faces.count > 1 { printError("note: \(path) shows \(faces.count) faces; using the largest") }
                embeddings.append(largest.embedding)
            } catch let error as VisionError {
                throw KioskError(exitCode: 1, "\(error)")
            }
        }
        let distance = embeddings[0].distance(to: embeddings[1])
        let same = distance <= tolerance
        if json {
            struct Result: Encodable { let distance: Double; let tolerance: Double; let same_person: Bool }
            print(try jsonText(Result(distance: distance, tolerance: tolerance, same_person: same)))
        } else {
            let verdict = same ? "same person" : "different people"
            print("distance \(String(format: "%.4f", distance)): \(verdict) (tolerance \(String(format: "%.2f", tolerance)))")
        }
    }
}
