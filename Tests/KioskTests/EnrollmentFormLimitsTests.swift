import Store
import Testing
@testable import Kiosk

/// The new-visitor form under a paste or a USB key injector: fields stop at the
/// store's limits and control or invisible formatting characters never get in.
@Suite("Enrollment form: pastes and control characters")
struct EnrollmentFormLimitsTests {
    func type(_ text: String, into form: inout EnrollmentForm) {
        for character in text { _ = form.handle(.character(character)) }
    }

    func formWithOnePreference() -> EnrollmentForm {
        var form = EnrollmentForm()
        form.focus = .addPreference
        _ = form.handle(.enter)
        return form
    }

    @Test func aPasteIsCutAtEachFieldsLimit() {
        let paste = String(repeating: "Lorem ipsum ", count: 500)  // 6,000 characters
        var form = formWithOnePreference()
        form.focus = .name
        type(paste, into: &form)
        #expect(form.name.count == VisitorText.nameLimit)
        #expect(form.name == String(paste.prefix(80)))
        #expect(form.problem == "This field takes at most 80 characters.", "the cut is said under the form")
        form.focus = .preferenceKey(0)
        type(paste, into: &form)
        #expect(form.preferences[0].key.count == VisitorText.keyLimit)
        form.focus = .preferenceValue(0)
        type(paste, into: &form)
        #expect(form.preferences[0].value.count == VisitorText.valueLimit)
        #expect(form.problem == "This field takes at most 200 characters.")
        _ = form.handle(.backspace)
        #expect(form.problem == nil)
        #expect((VisitorText.nameLimit, VisitorText.keyLimit, VisitorText.valueLimit) == (80, 32, 200))
    }

    @Test func controlAndFormatCharactersTypedAreIgnored() {
        var form = EnrollmentForm()
        // C1 CSI, DEL-range C1, bidi override and isolate, zero-width space and joiner, BOM,
        // line separator: what curses delivers as "characters".
        let hostile: [Character] = ["\u{9B}", "\u{85}", "\u{202E}", "\u{2066}", "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{2028}", "\u{1B}"]
        _ = form.handle(.character("A"))
        for character in hostile { _ = form.handle(.character(character)) }
        _ = form.handle(.character("n"))
        _ = form.handle(.character("a"))
        #expect(form.name == "Ana")
    }

    @Test func aFloodOfCombiningMarksIsBounded() {
        var form = EnrollmentForm()
        type("a", into: &form)
        for _ in 0..<5_000 { _ = form.handle(.character("\u{0301}")) }
        #expect(form.name.count == 1)
        #expect(form.name.unicodeScalars.count <= VisitorText.nameLimit * VisitorText.scalarsPerCharacter)
        // Real accented and wide names still fit in full.
        var real = EnrollmentForm()
        type("Nguyễn Thị Ánh 李小龍", into: &real)
        #expect(real.name == "Nguyễn Thị Ánh 李小龍")
    }

    @Test func atMostTwentyPreferences() {
        var form = EnrollmentForm()
        for i in 0..<20 {
            form.focus = .addPreference
            _ = form.handle(.enter)
            type("k\(i)", into: &form)
        }
        form.focus = .addPreference
        _ = form.handle(.enter)
        #expect(form.preferences.count == VisitorText.preferenceLimit)
        #expect(form.problem == "At most 20 preferences.")
        #expect(form.focus == .addPreference)
    }

    @Test func saveShowsTheStoresRefusalUnderTheForm() {
        // Text set directly (as a restored draft would be) is still checked before saving.
        var form = EnrollmentForm()
        form.name = "Mallory\u{1B}[2J"
        form.consent = true
        form.focus = .save
        #expect(form.handle(.enter) == nil)
        #expect(form.problem?.contains("U+001B") == true)
        #expect(form.focus == .name)
        form.name = "Mallory"
        form.preferences = [.init(key: "drink", value: "tea\u{202E}")]
        form.focus = .save
        #expect(form.handle(.enter) == nil)
        #expect(form.problem?.contains("U+202E") == true)
        form.preferences = [.init(key: "drink", value: "tea")]
        form.focus = .save
        #expect(form.handle(.enter) == .save)
    }

    @Test func staffEditsSearchAndExportPathStopAtTheirLimits() {
        var staff = StaffView()
        func paste(_ text: String) {
            for character in text { _ = staff.handle(.character(character), rowCount: 1, selectedPerson: nil, preferences: { [] }) }
        }
        let flood = String(repeating: "x", count: 10_000)
        staff.editedPreferences = [.init()]
        staff.mode = .editing(personId: 1, row: 0, field: 0)
        paste("\u{1B}[2J" + flood)
        #expect(staff.editedPreferences[0].key == "[2J" + String(repeating: "x", count: VisitorText.keyLimit - 3))
        staff.mode = .editing(personId: 1, row: 0, field: 1)
        paste(flood)
        #expect(staff.editedPreferences[0].value.count == VisitorText.valueLimit)
        staff.mode = .searching
        paste("\u{202E}" + flood)
        #expect(staff.search.count == VisitorText.nameLimit)
        #expect(!staff.search.unicodeScalars.contains("\u{202E}"))
        staff.mode = .export(path: "")
        paste(flood)
        #expect(staff.mode == .export(path: String(repeating: "x", count: StaffView.pathLimit)))
    }
}
