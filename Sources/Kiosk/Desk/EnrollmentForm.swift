/// The new-visitor form: name (required), preference rows (key and value, added and
/// removed), consent (required). Pure: keys in, form state out.
struct EnrollmentForm: Equatable {
    struct Preference: Equatable {
        var key = ""
        var value = ""
    }

    enum Field: Equatable {
        case name
        case preferenceKey(Int)
        case preferenceValue(Int)
        case addPreference
        case consent
        case save
    }

    enum Outcome: Equatable { case save, cancel }

    var name = ""
    var preferences: [Preference] = []
    var consent = false
    var focus: Field = .name
    /// Why Save was refused, shown under the form.
    var problem: String?

    /// Fields in Tab order.
    var fields: [Field] {
        [.name] + preferences.indices.flatMap { [Field.preferenceKey($0), .preferenceValue($0)] } + [.addPreference, .consent, .save]
    }

    mutating func handle(_ key: Key) -> Outcome? {
        switch key {
        case .escape: return .cancel
        case .tab, .down: move(by: 1)
        case .backTab, .up: move(by: -1)
        case .enter:
            switch focus {
            case .addPreference:
                preferences.append(Preference())
                focus = .preferenceKey(preferences.count - 1)
            case .consent: consent.toggle()
            case .save: return trySave()
            default: move(by: 1)
            }
        case .character(" ") where focus == .consent: consent.toggle()
        case .delete where isPreferenceField:
            removeFocusedPreference()
        case .backspace: editFocused { if !$0.isEmpty { $0.removeLast() } }
        case .character(let c): editFocused { if $0.count < 80 { $0.append(c) } }
        default: break
        }
        return nil
    }

    private var isPreferenceField: Bool {
        switch focus {
        case .preferenceKey, .preferenceValue: return true
        default: return false
        }
    }

    private mutating func move(by step: Int) {
        let all = fields
        let index = all.firstIndex(of: focus) ?? 0
        focus = all[(index + step + all.count) % all.count]
    }

    private mutating func removeFocusedPreference() {
        guard case .preferenceKey(let i) = focus, i < preferences.count else {
            if case .preferenceValue(let i) = focus, i < preferences.count {
                preferences.remove(at: i)
                focus = .addPreference
            }
            return
        }
        preferences.remove(at: i)
        focus = .addPreference
    }

    private mutating func editFocused(_ edit: (inout String) -> Void) {
        problem = nil
        switch focus {
        case .name: edit(&name)
        case .preferenceKey(let i) where i < preferences.count: edit(&preferences[i].key)
        case .preferenceValue(let i) where i < preferences.count: edit(&preferences[i].value)
        default: break
        }
    }

    /// Save needs a name and consent; empty preference rows are dropped, duplicate keys refused.
    private mutating func trySave() -> Outcome? {
        if name.trimmingWhitespace().isEmpty {
            problem = "Please enter the visitor's name."
            focus = .name
            return nil
        }
        if !consent {
            problem = "The visitor must agree to the consent text before we can save."
            focus = .consent
            return nil
        }
        let keys = filledPreferences.map(\.key)
        if Set(keys).count != keys.count {
            problem = "Each preference needs a different name."
            return nil
        }
        return .save
    }

    var filledPreferences: [(key: String, value: String)] {
        preferences.filter { !$0.key.trimmingWhitespace().isEmpty }.map { ($0.key.trimmingWhitespace(), $0.value) }
    }
}
