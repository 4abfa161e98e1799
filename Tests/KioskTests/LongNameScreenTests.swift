import Foundation
import Testing
@testable import Kiosk

/// A name as long as the store allows is greeted in full; a huge name left by an older
/// version (before names had a limit) still renders instead of stalling the desk.
extension ScreenSnapshotTests {
    func greeting(named name: String) -> Greeting {
        Greeting(personId: 1, name: name, visitNumber: 2, lastVisit: fixedNow.addingTimeInterval(-86_400),
                 preferences: [.init(key: "drink", value: "tea")], distance: 0.3, thumbnail: grey, countsAsNewVisit: true)
    }

    @Test func aMaximumLengthNameIsGreetedInFull() {
        let name = (0..<8).map { "Name\($0)abcd" }.joined(separator: " ") + "Z"  // 8 x 9 letters, 7 spaces, 1: 80
        #expect(name.count == 80)
        let text = render(view(.greeting(greeting(named: name), until: 0))).textLines
        let panel = text.joined(separator: " ")
        for word in name.split(separator: " ") { #expect(panel.contains(word), "\(word) missing from\n\(text.joined(separator: "\n"))") }
        #expect(panel.contains("Any key: continue"))
    }

    @Test func aHugeNameFromAnOlderDatabaseStillRenders() {
        let text = render(view(.greeting(greeting(named: String(repeating: "A", count: 100_000)), until: 0))).textLines
        // The name is wider than the panel: it is cut into full lines, as many as fit.
        #expect(text.contains { $0.contains("Welcome back,") }, "\(text.joined(separator: "\n"))")
        #expect(text.contains { $0.contains(String(repeating: "A", count: 30)) })
        #expect(text.count == 24)
        #expect(text[23].contains("Any key"), "\(text.joined(separator: "\n"))")
    }
}
