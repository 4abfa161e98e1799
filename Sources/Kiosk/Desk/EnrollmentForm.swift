import Foundation
import Store

/// The new-visitor form: name (required), preference rows (key and value, added and
/// removed), consent (required). Pure: keys in, form state out.
///
/// Anyone in the lobby can type here, or paste through a key injector: each field stops
/// at the store's limit (`VisitorText`), and control and invisible formatting characters
/// are ignored as they arrive, so what the form shows is what will be stored.
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
                guard preferences.count < VisitorText.preferenceLimit else {
                    problem = "At most \(VisitorText.preferenceLimit) preferences."
                    return nil
                }
                preferences.append(Preference())
                focus = .preferenceKey(preferences.count - 1)
            case .consent: consent.toggle()
            case .save: return trySave()
            default: move(by: 1)
            }
        case .character(" ") where focus == .consent: consent.toggle()
        case .delete where isPreferenceField:
            removeFocusedPreference()
        case .backspace:
            editFocused { text, _ in
                if !text.isEmpty { text.removeLast() }
                return true
            }
        case .character(let c) where VisitorText.isAllowed(c):
            let full = editFocused { text, limit in
                // A combining mark joins the previous character without adding to the
                // count, so the scalars are bounded too (a paste of 10,000 accents).
                var edited = text
                edited.append(c)
                guard edited.count <= limit && edited.unicodeScalars.count <= limit * VisitorText.scalarsPerCharacter else { return false }
                text = edited
                return true
            }
            // Said under the form, so a cut paste does not go unnoticed.
            if let limit = full { problem = "This field takes at most \(limit) characters." }
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

    /// Applies `edit` to the focused text field, with that field's length limit; `edit`
    /// returns false when the limit stopped it. Returns the limit that did, or nil.
    @discardableResult
    private mutating func editFocused(_ edit: (inout String, Int) -> Bool) -> Int? {
        problem = nil
        let limit: Int, accepted: Bool
        switch focus {
        case .name:
            limit = VisitorText.nameLimit
            accepted = edit(&name, limit)
        case .preferenceKey(let i) where i < preferences.count:
            limit = VisitorText.keyLimit
            accepted = edit(&preferences[i].key, limit)
        case .preferenceValue(let i) where i < preferences.count:
            limit = VisitorText.valueLimit
            accepted = edit(&preferences[i].value, limit)
        default:
            return nil
        }
        return accepted ? nil : limit
    }

    /// Save needs a name and consent; empty preference rows are dropped, duplicate keys
    /// refused, and the store's own checks run here first so the receptionist reads
    /// the problem under the form.
    private mutating func trySave() -> Outcome? {
        if isBlank(name) {
            problem = "Please enter the visitor's name."
            focus = .name
            return nil
        }
        do {
            _ = try VisitorText.normalized(name, as: .name)
        } catch {
            problem = "\(error)"
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
        do {
            _ = try Enrollment.validated(preferences: filledPreferences)
        } catch {
            problem = "\(error)"
            return nil
        }
        return .save
    }

    private func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    var filledPreferences: [(key: String, value: String)] {
        preferences.filter { !isBlank($0.key) }.map { ($0.key.trimmingCharacters(in: .whitespaces), $0.value) }
    }
}
