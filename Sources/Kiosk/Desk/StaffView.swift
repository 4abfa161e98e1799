import Foundation
import Store

/// The PIN-protected staff screens: visit log, people, person detail, export, settings.
/// Pure state plus keys; changes to data are returned as effects for the app to apply.
struct StaffView: Equatable {
    enum Tab: Equatable, Sendable { case visits, people, settings, audit }

    enum Mode: Equatable {
        case browsing
        /// Typing a name filter ("/").
        case searching
        case detail(personId: Int64)
        /// Editing a preference of the person shown: which row and field.
        case editing(personId: Int64, row: Int, field: Int)
        case confirmDelete(personId: Int64, name: String)
        case export(path: String)
    }

    enum Effect: Equatable {
        case close
        case delete(personId: Int64)
        case savePreferences(personId: Int64, [EnrollmentForm.Preference])
        /// Drop the templates learned from this person's visits.
        case forgetLearned(personId: Int64)
        case export(tab: Tab, path: String, filter: ListFilterValue)
    }

    /// ListFilter as an Equatable value.
    struct ListFilterValue: Equatable, Sendable {
        var day: Date?
        var name: String
        var filter: ListFilter {
            ListFilter(since: day, until: day.flatMap { Calendar.current.date(byAdding: .day, value: 1, to: $0) },
                       name: name.isEmpty ? nil : name)
        }
    }

    var tab: Tab = .visits
    var mode: Mode = .browsing
    var search = ""
    var day: Date?
    var selection = 0
    var scroll = 0
    /// Preferences being edited in the detail view.
    var editedPreferences: [EnrollmentForm.Preference] = []
    var message: String?

    var filter: ListFilterValue { ListFilterValue(day: day, name: search) }

    mutating func handle(_ key: Key, rowCount: Int, selectedPerson: (id: Int64, name: String)?,
                         preferences: () -> [EnrollmentForm.Preference]) -> [Effect] {
        message = nil
        switch mode {
        case .searching:
            switch key {
            case .enter, .escape: mode = .browsing
            case .backspace: if !search.isEmpty { search.removeLast() }
            case .character(let c) where VisitorText.isAllowed(c) && search.count < VisitorText.nameLimit: search.append(c)
            default: break
            }
            selection = 0
            return []
        case .export(var path):
            switch key {
            case .escape: mode = .browsing
            case .backspace: if !path.isEmpty { path.removeLast() }; mode = .export(path: path)
            case .character(let c) where VisitorText.isAllowed(c) && path.utf8.count < Self.pathLimit:
                path.append(c); mode = .export(path: path)
            case .enter:
                mode = .browsing
                guard !path.isEmpty else { return [] }
                return [.export(tab: tab == .people ? .people : .visits, path: path, filter: filter)]
            default: break
            }
            return []
        case .confirmDelete(let id, _):
            if key == .character("y") || key == .character("Y") {
                mode = .browsing
                return [.delete(personId: id)]
            }
            mode = .detail(personId: id)
            return []
        case .editing(let id, let row, let field):
            switch key {
            case .escape, .enter:
                mode = .detail(personId: id)
                return [.savePreferences(personId: id, editedPreferences)]
            case .tab:
                let next = field == 0 ? (row, 1) : (row + 1 < editedPreferences.count ? (row + 1, 0) : (0, 0))
                mode = .editing(personId: id, row: next.0, field: next.1)
            case .backspace:
                edit(row, field) { if !$0.isEmpty { $0.removeLast() } }
            case .delete:
                if row < editedPreferences.count { editedPreferences.remove(at: row) }
                mode = editedPreferences.isEmpty ? .detail(personId: id) : .editing(personId: id, row: max(0, row - 1), field: 0)
                if editedPreferences.isEmpty { return [.savePreferences(personId: id, [])] }
            case .character(let c) where VisitorText.isAllowed(c):
                // Same limits as the store and the enrollment form: a paste stops at the limit.
                let limit = field == 0 ? VisitorText.keyLimit : VisitorText.valueLimit
                edit(row, field) { if $0.count < limit { $0.append(c) } }
            default: break
            }
            return []
        case .detail(let id):
            switch key {
            case .escape: mode = .browsing
            case .character("e"):
                editedPreferences = preferences()
                if editedPreferences.isEmpty { editedPreferences = [EnrollmentForm.Preference()] }
                mode = .editing(personId: id, row: 0, field: 0)
            case .character("a"):
                editedPreferences = preferences() + [EnrollmentForm.Preference()]
                mode = .editing(personId: id, row: editedPreferences.count - 1, field: 0)
            case .character("d"):
                if let person = selectedPerson, person.id == id { mode = .confirmDelete(personId: id, name: person.name) }
            case .character("l"):
                return [.forgetLearned(personId: id)]
            default: break
            }
            return []
        case .browsing:
            switch key {
            case .escape: return [.close]
            case .tab, .right: switchTab(by: 1)
            case .backTab, .left: switchTab(by: -1)
            case .character("1"): tab = .visits; selection = 0
            case .character("2"): tab = .people; selection = 0
            case .character("3"): tab = .settings
            case .character("4"): tab = .audit; selection = 0
            case .up: selection = max(0, selection - 1)
            case .down: selection = min(max(0, rowCount - 1), selection + 1)
            case .pageUp: selection = max(0, selection - 10)
            case .pageDown: selection = min(max(0, rowCount - 1), selection + 10)
            case .character("/"): if tab == .visits || tab == .people { mode = .searching }
            case .character("["): shiftDay(by: -1)
            case .character("]"): shiftDay(by: 1)
            case .character("t"): day = Calendar.current.startOfDay(for: Date()); selection = 0
            case .character("a"): day = nil; search = ""; selection = 0
            case .character("x"):
                if tab == .visits || tab == .people {
                    let name = tab == .people ? "people" : "visits"
                    mode = .export(path: FileManager.default.currentDirectoryPath + "/kiosk-\(name).csv")
                }
            case .enter:
                if tab == .people, let person = selectedPerson { mode = .detail(personId: person.id) }
            default: break
            }
            return []
        }
    }

    /// Longest export path typed (bytes, as the kernel counts them: PATH_MAX).
    static let pathLimit = 4096

    private mutating func edit(_ row: Int, _ field: Int, _ change: (inout String) -> Void) {
        guard row < editedPreferences.count else { return }
        if field == 0 { change(&editedPreferences[row].key) } else { change(&editedPreferences[row].value) }
    }

    private mutating func switchTab(by step: Int) {
        let tabs: [Tab] = [.visits, .people, .settings, .audit]
        tab = tabs[(tabs.firstIndex(of: tab)! + step + tabs.count) % tabs.count]
        selection = 0
        scroll = 0
    }

    private mutating func shiftDay(by days: Int) {
        let base = day ?? Calendar.current.startOfDay(for: Date())
        day = Calendar.current.date(byAdding: .day, value: day == nil ? 0 : days, to: base)
        selection = 0
    }
}
