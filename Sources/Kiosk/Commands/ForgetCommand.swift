import DeskCore
import ArgumentParser
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#endif

struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase a person completely: preferences, face templates, thumbnail and visits.",
        discussion: """
            The rows are deleted in one transaction with SQLite's secure_delete, so the \
            face data is overwritten in the file, not just unlinked. Asks for confirmation \
            unless --yes is given.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The person's exact name, or their id (see kiosk people).", valueName: "name-or-id"))
    var who: String

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        let database = try global.openStore()
        do {
            let person = try database.person(matching: who)
            if !yes {
                guard isatty(0) != 0 else {
                    throw KioskError(exitCode: 1, "not asking on a non-interactive input; add --yes to erase \(person.name) (id \(person.id!)).")
                }
                printErrorRaw("Erase \(person.name.terminalSafe) (id \(person.id!)) and all their data? Type yes to confirm: ")
                guard readLine()?.trimmingWhitespace().lowercased() == "yes" else {
                    print("Nothing erased.")
                    return
                }
            }
            try database.forget(personId: person.id!)
            global.audit(database, "person erased", detail: "id \(person.id!)")
            // Visits of theirs waiting to be written hold their face: they go too.
            _ = try? global.pendingVisits(for: database).remove { $0.personId == person.id! }
            print("Erased \(person.name) (id \(person.id!)).".terminalSafe)
        } catch let error as StoreError {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
