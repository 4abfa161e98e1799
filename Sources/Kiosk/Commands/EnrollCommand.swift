import ArgumentParser
import DeskCore
import Store
import Vision

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll a person from one or more photos (one face template per photo).",
        discussion: """
            Every photo must show exactly one face (or use --largest) of good quality; \
            otherwise nothing is stored. If the face already matches someone enrolled, \
            enroll stops and says who (--force enrolls anyway). No visit is recorded.

            Example: kiosk enroll --name "Priya Raman" --pref drink="oat latte" --consent priya1.jpg priya2.jpg
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The person's name, stored exactly as typed (UTF-8).")
    var name: String

    @Option(name: .customLong("pref"), help: ArgumentHelp("A preference as KEY=VALUE; repeat for several.", valueName: "key=value"))
    var preferences: [PreferenceArgument] = []

    @Flag(help: "The person agreed to the consent text (enrollment.consent_text); records its version.")
    var consent = false

    @Flag(help: "Use the largest face of photos that show several people.")
    var largest = false

    @Flag(help: "Enroll even if the face already matches an enrolled person.")
    var force = false

    @Argument(help: ArgumentHelp("Photos of the person (JPEG or PNG).", valueName: "photo"))
    var photos: [String]

    func validate() throws {
        if photos.isEmpty { throw ValidationError("Give at least one photo of the person.") }
        if name.trimmingWhitespace().isEmpty { throw ValidationError("--name must not be empty.") }
    }

    func parsedPreferences() -> [(key: String, value: String)] {
        preferences.map { (key: $0.key, value: $0.value) }
    }

    func run() async throws {
        let desk = try await global.openFrontDesk()
        var accepted: [EnrollmentFace] = []
        var rejected = false
        for photo in photos {
            switch await desk.enrollmentFace(photo: photo, largest: largest) {
            case .success(let face): accepted.append(face)
            case .failure(let rejection):
                rejected = true
                printError("kiosk: \(photo): \(rejection)")
            }
        }
        if rejected {
            printError("Nothing was stored. Fix or leave out the photos above and try again.")
            throw KioskError.reported(exitCode: 1)
        }
        let thumbnail = try await desk.thumbnail(of: accepted[0].face, in: accepted[0].image)
        let enrollment = Enrollment(name: name, preferences: parsedPreferences(),
                                    consentVersion: consent ? desk.config.consentVersion : nil,
                                    templates: accepted.map(\.template), thumbnailJPEG: thumbnail)
        do {
            let person = try await desk.enroll(enrollment, evenIfAlreadyEnrolled: force)
            print("Enrolled \(person.name) (id \(person.id ?? 0)) with \(accepted.count) face template\(accepted.count == 1 ? "" : "s").".terminalSafe)
            if !consent { printError("note: no consent recorded (pass --consent once the person has agreed).") }
        } catch let refusal as EnrollmentRefusal {
            throw KioskError(exitCode: 1, "\(refusal). Use --force to enroll anyway.")
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
