import ArgumentParser
import DeskCore
import Foundation
import Store

struct PreferencesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preferences",
        abstract: "Show or change a person's preferences (what the greeting shows).",
        discussion: """
            Without --set or --remove, prints them. --set KEY=VALUE adds or replaces one \
            (repeat for several); --remove KEY deletes one. Running desks show the change \
            at their next greeting. Example: kiosk preferences "Priya Raman" --set drink="flat white"
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The person's exact name, or their id (see kiosk people).", valueName: "name-or-id"))
    var who: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Add or replace a preference.", valueName: "key=value"))
    var set: [PreferenceArgument] = []

    @Option(help: ArgumentHelp("Delete a preference.", valueName: "key"))
    var remove: [String] = []

    func run() async throws {
        let store = try global.openStore()
        do {
            let person = try store.person(matching: who)
            guard let id = person.id else { return }
            var preferences = try store.preferences(personId: id)
            if !set.isEmpty || !remove.isEmpty {
                for key in remove {
                    guard preferences.contains(where: { $0.key == key }) else {
                        throw KioskError(exitCode: 1, "\(person.name) has no preference '\(key)'; nothing was changed".terminalSafe)
                    }
                    preferences.removeAll { $0.key == key }
                }
                for change in set {
                    if let index = preferences.firstIndex(where: { $0.key == change.key }) {
                        preferences[index].value = change.value
                    } else {
                        preferences.append((change.key, change.value))
                    }
                }
                try store.setPreferences(personId: id, preferences)
                global.audit(store, "preferences edited", detail: "id \(id)")
                preferences = try store.preferences(personId: id)
            }
            print("\(person.name) (id \(id))".terminalSafe)
            if preferences.isEmpty { print("  no preferences") }
            for preference in preferences { print("  \(preference.key): \(preference.value)".terminalSafe) }
        } catch let error as KioskError {
            throw error
        } catch {
            throw KioskError(exitCode: 1, "\(error)")
        }
    }
}
