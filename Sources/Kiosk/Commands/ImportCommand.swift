import ArgumentParser
import Foundation
import Store
import Vision

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Enroll many people at once from DIR/<Person Name>/*.jpg.",
        discussion: """
            Each sub-directory is one person, named after the directory; each usable photo \
            in it becomes a face template. Photos without a face, with several faces, of poor \
            quality or unreadable are skipped and listed at the end. A person already \
            enrolled under the same name is skipped. Each person is stored in one \
            transaction: an interrupted import leaves whole people or none.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Directory with one folder per person.", valueName: "dir"))
    var directory: String

    @Flag(help: "The people agreed to the consent text; records its version for each.")
    var consent = false

    @Flag(help: "Use the largest face of photos that show several people.")
    var largest = false

    func run() async throws {
        let people = try listPeople()
        let desk = try await global.openFrontDesk()
        let existing = Set(try desk.database.people().map(\.name))
        let total = people.reduce(0) { $0 + $1.photos.count }
        var progress = ProgressBar(total: total, label: "importing")
        var skipped: [(String, String)] = []
        var enrolled = 0, alreadyThere = 0

        for (name, photos) in people {
            if existing.contains(name) {
                alreadyThere += 1
                progress.advance(by: photos.count)
                continue
            }
            var accepted: [EnrollmentFace] = []
            for photo in photos {
                switch await desk.enrollmentFace(photo: photo, largest: largest) {
                case .success(let face): accepted.append(face)
                case .failure(let rejection): skipped.append((photo, rejection.summary))
                }
                progress.advance()
            }
            guard let first = accepted.first else { continue }
            let thumbnail = try? await desk.thumbnail(of: first.face, in: first.image)
            do {
                _ = try await desk.enroll(Enrollment(name: name, consentVersion: consent ? desk.config.consentVersion : nil,
                                                     templates: accepted.map(\.template), thumbnailJPEG: thumbnail ?? nil))
                enrolled += 1
            } catch {
                skipped.append((name, "not stored: \(error)"))
            }
        }
        progress.finish()
        print("Imported \(enrolled) \(enrolled == 1 ? "person" : "people") from \(directory).")
        if alreadyThere > 0 { print("\(alreadyThere) already enrolled under the same name (skipped).") }
        if !skipped.isEmpty {
            print("Skipped \(skipped.count) photo\(skipped.count == 1 ? "" : "s"):")
            for (photo, reason) in skipped { print("  \(photo): \(reason)") }
        }
    }

    /// (name, photo paths) per sub-directory, sorted by name; photos sorted by file name.
    private func listPeople() throws -> [(name: String, photos: [String])] {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: directory) else {
            printError("kiosk: cannot read the directory \(directory)")
            throw ExitCode(1)
        }
        var people: [(String, [String])] = []
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let folder = directory + "/" + entry
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let photos = ImageFile.photos(in: folder)
            if !photos.isEmpty { people.append((entry, photos)) }
        }
        if people.isEmpty {
            printError("kiosk: \(directory) has no person folders with photos (expected DIR/<Person Name>/*.jpg)")
            throw ExitCode(1)
        }
        return people
    }
}
