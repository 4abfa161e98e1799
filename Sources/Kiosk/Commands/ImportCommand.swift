import ArgumentParser
import DeskCore
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
            enrolled under the same name is skipped, and so is a face that already matches \
            an enrolled person (unless --force). Each person is stored in one \
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

    @Flag(help: "Enroll people whose face already matches someone enrolled.")
    var force = false

    func run() async throws {
        let people = try listPeople()
        let desk = try await global.openFrontDesk()
        let existing = Set(try desk.store.people(ListFilter(), limit: nil, offset: 0).map(\.name))
        let total = people.reduce(0) { $0 + $1.photos.count }
        var progress = ProgressBar(total: total, label: "importing")
        var skipped: [(String, String)] = []
        var enrolled = 0, alreadyThere = 0
        /// People whose face already matches someone enrolled (the desk would mistake one for the other).
        var lookalikes: [(String, String)] = []
        var failed = false  // an unreadable photo or a refused name: exit code 1 at the end

        for (folder, photos) in people {
            // The folder name becomes the person's name: the store's rules apply, checked
            // before any photo is read; names are compared as stored (NFC, trimmed).
            let name: String
            do {
                name = try VisitorText.normalized(folder, as: .name)
                if name.isEmpty { throw StoreError.invalidInput("A name is required.") }
            } catch {
                failed = true
                skipped.append((folder, "not imported: \(error)"))
                progress.advance(by: photos.count)
                continue
            }
            if existing.contains(name) {
                alreadyThere += 1
                progress.advance(by: photos.count)
                continue
            }
            var accepted: [EnrollmentFace] = []
            for photo in photos {
                switch await desk.enrollmentFace(photo: photo, largest: largest) {
                case .success(let face): accepted.append(face)
                case .failure(let rejection):
                    skipped.append((photo, rejection.summary))
                    if case .unreadable = rejection {
                        failed = true
                        progress.finish()  // clears the bar's line on a terminal; the next photo redraws it
                        printError("kiosk: \(rejection)")
                    }
                }
                progress.advance()
            }
            guard let first = accepted.first else { continue }
            let thumbnail = try? await desk.thumbnail(of: first.face, in: first.image)
            do {
                _ = try await desk.enroll(Enrollment(name: name, consentVersion: consent ? desk.config.consentVersion : nil,
                                                     templates: accepted.map(\.template), thumbnailJPEG: thumbnail ?? nil),
                                          evenIfAlreadyEnrolled: force)
                enrolled += 1
            } catch let refusal as EnrollmentRefusal {
                lookalikes.append((name, "\(refusal)"))
            } catch let error as StoreError {
                failed = true
                skipped.append((name, "not stored: \(error)"))
            } catch {
                skipped.append((name, "not stored: \(error)"))
            }
        }
        progress.finish()
        print("Imported \(enrolled) \(enrolled == 1 ? "person" : "people") from \(directory).".terminalSafe)
        if alreadyThere > 0 { print("\(alreadyThere) already enrolled under the same name (skipped).") }
        if !lookalikes.isEmpty {
            print("Not enrolled, their face already matches someone enrolled (--force enrolls them anyway):")
            for (name, reason) in lookalikes { print("  \(name): \(reason)".terminalSafe) }
        }
        if !skipped.isEmpty {
            print("Skipped \(skipped.count) photo\(skipped.count == 1 ? "" : "s"):")
            for (photo, reason) in skipped { print("  \(photo): \(reason)".terminalSafe) }
        }
        if failed { throw KioskError.reported(exitCode: 1) }
    }

    /// (name, photo paths) per sub-directory, sorted by name; photos sorted by file name.
    private func listPeople() throws -> [(name: String, photos: [String])] {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: directory) else {
            throw KioskError(exitCode: 1, "cannot read the directory \(directory)")
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
            throw KioskError(exitCode: 1, "\(directory) has no person folders with photos (expected DIR/<Person Name>/*.jpg)")
        }
        return people
    }
}
