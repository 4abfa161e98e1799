import Foundation
import Testing
@testable import Kiosk
import Store
import Vision

/// Screens rendered into a cell buffer at fixed sizes; the text is what a person reads.
@Suite("Screen snapshots")
struct ScreenSnapshotTests {
    let grey = Image(width: 64, height: 48, pixels: [UInt8](repeating: 128, count: 64 * 48 * 3))
    let fixedNow = Date(timeIntervalSince1970: 1_800_000_000)

    func view(_ state: DeskMachine.State, notice: Notice? = nil, colorMode: ColorMode = .palette256) -> FrontDeskView {
        var machine = DeskMachine()
        machine.state = state
        machine.notice = notice
        var status = LiveCamera.Status()
        status.state = .live
        status.sourceName = "HD Webcam (/dev/video0)"
        status.framesPerSecond = 30
        return FrontDeskView(machine: machine, frame: Frame(image: grey, timestamp: 0, sequence: 1, sourceFormat: "MJPG"),
                             faceBox: FaceBox(left: 16, top: 12, right: 40, bottom: 36), camera: status, enrolledCount: 12,
                             consentText: "I agree.", colorMode: colorMode, now: fixedNow)
    }

    func render(_ v: FrontDeskView, width: Int = 80, height: Int = 24) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        FrontDeskScreen.draw(v, into: &buffer)
        return buffer
    }

    @Test func liveScreenAt80x24() {
        let text = render(view(.live)).textLines
        #expect(text[0].hasPrefix(" kiosk · front desk"))
        #expect(text[22] == " 12 enrolled · live · 30 fps · HD Webcam (/dev/video0)")
        #expect(text[23] == " Space capture · F2 staff · F10 quit")
        // The preview fills the middle with half blocks, and the face box is drawn on it.
        #expect(text[5].contains("▀"))
        #expect(text.contains { $0.contains("┌") && $0.contains("┐") })
    }

    @Test func noColorModeUsesShadingNotHalfBlocks() {
        let text = render(view(.live, colorMode: .none)).textLines
        #expect(!text[5].contains("▀"))
        #expect(text[5].contains("▒") || text[5].contains("▓") || text[5].contains("░"))
    }

    @Test func greetingAt120x40() {
        let g = Greeting(personId: 1, name: "Priya Raman", visitNumber: 3, lastVisit: fixedNow.addingTimeInterval(-4 * 86_400),
                         preferences: [.init(key: "drink", value: "oat latte"), .init(key: "room", value: "21 °C")],
                         distance: 0.31, thumbnail: grey, countsAsNewVisit: true)
        let text = render(view(.greeting(g, until: 0)), width: 120, height: 40).plainText
        #expect(text.contains("Welcome back, Priya Raman!"))
        #expect(text.contains("3rd visit · last here 4 days ago"))
        #expect(text.contains("• drink: oat latte"))
        #expect(text.contains("• room: 21 °C"))
        #expect(text.contains("Any key: continue · N: not me"))
    }

    @Test func ambiguousAsks() {
        let g = Greeting(personId: 1, name: "Sam", visitNumber: 2, lastVisit: nil, preferences: [], distance: 0.4,
                         thumbnail: nil, countsAsNewVisit: true)
        let text = render(view(.confirming(g, runnerUpName: "Samir"))).plainText
        #expect(text.contains("Are you Sam?"))
        #expect(text.contains("Y: yes · N: no, new visitor · Esc: cancel"))
    }

    @Test func enrollmentFormWithWideCharactersStaysAligned() {
        var form = EnrollmentForm()
        form.name = "李小龍"
        form.preferences = [.init(key: "茶", value: "jasmine")]
        let buffer = render(view(.enrolling(form)), width: 100, height: 30)
        let text = buffer.plainText
        #expect(text.contains("New visitor"))
        #expect(text.contains("李小龍"))
        #expect(text.contains("[ ] The visitor agrees"))
        #expect(text.contains("[ Save ]"))
        // Every row is exactly 100 cells wide: wide characters took two cells, not one.
        for row in 0..<buffer.height {
            let width = (0..<buffer.width).reduce(0) { $0 + (buffer[$1, row].continuation ? 0 : DisplayWidth.of(buffer[$1, row].scalar)) }
            #expect(width == 100, "row \(row) is \(width) cells")
        }
    }

    @Test func noticeAndCameraTrouble() {
        var v = view(.live, notice: Notice(text: "No face found", tone: .warning, until: 10))
        v.camera.state = .reconnecting(reason: "camera /dev/video0 disconnected: no frame for 2.0 s")
        let text = render(v).textLines
        #expect(text[21].contains("No face found"))
        #expect(text[1].contains("Camera lost: camera /dev/video0 disconnected"))
        v.frame = nil
        v.camera.state = .reconnecting(reason: "permission denied opening /dev/video0: add this user to the video group")
        #expect(render(v).plainText.contains("video group"))
    }

    @Test func everyKeyLineFitsIn80Columns() {
        var states: [DeskMachine.State] = [.live, .recognising, .enrolling(EnrollmentForm()), .saving(EnrollmentForm()), .staff]
        states.append(.pin(.init(purpose: .openStaff)))
        for state in states { #expect(DisplayWidth.of(FrontDeskScreen.keyHints(state)) < 80, "\(state)") }
        var staff = StaffView()
        for tab in [StaffView.Tab.visits, .people, .settings] {
            staff.tab = tab
            #expect(DisplayWidth.of(StaffScreen.keys(staff)) < 80)
        }
        for mode in [StaffView.Mode.searching, .detail(personId: 1), .editing(personId: 1, row: 0, field: 0), .export(path: "/x")] {
            staff.mode = mode
            #expect(DisplayWidth.of(StaffScreen.keys(staff)) < 80)
        }
    }

    @Test func tooSmallTerminalSaysSo() {
        let text = render(view(.live), width: 60, height: 20).plainText
        #expect(text.contains("at least 80x24"))
    }

    @Test func staffVisitLogAndDetail() {
        let visits = [VisitEntry(id: 2, personId: 1, name: "Zoë", time: fixedNow, kioskId: "front-desk", distance: 0.3),
                      VisitEntry(id: 1, personId: 1, name: "Zoë", time: fixedNow.addingTimeInterval(-86_400 * 8), kioskId: "front-desk", distance: nil)]
        let person = PersonSummary(id: 1, name: "Zoë", createdAt: fixedNow.addingTimeInterval(-86_400 * 8), visitCount: 2,
                                   lastVisit: fixedNow, preferences: ["drink": "tea"], preferenceOrder: ["drink"], consentVersion: "1")
        var data = StaffScreenData(visits: visits, people: [person], history: visits, preferences: [.init(key: "drink", value: "tea")])
        var staff = StaffView()
        var buffer = CellBuffer(width: 80, height: 24)
        StaffScreen.draw(staff, data: data, into: &buffer, now: fixedNow)
        var text = buffer.plainText
        #expect(text.contains("1 Visit log"))
        #expect(text.contains("TIME"))
        #expect(text.contains("Zoë"))
        #expect(text.contains("enrolled"))
        #expect(text.contains("Esc back"))
        staff.tab = .people
        staff.mode = .detail(personId: 1)
        data.settings = []
        buffer = CellBuffer(width: 80, height: 24)
        StaffScreen.draw(staff, data: data, into: &buffer, now: fixedNow)
        text = buffer.plainText
        #expect(text.contains("Visits per week"))
        #expect(text.contains("drink"))
        #expect(text.contains("D delete"))
        // Staff see what the desk learned about a face, and can make it forget.
        data.templates = TemplateCounts(enrolled: 3, learned: 2)
        buffer = CellBuffer(width: 80, height: 24)
        StaffScreen.draw(staff, data: data, into: &buffer, now: fixedNow)
        #expect(buffer.plainText.contains("3 from enrollment, 2 learned from visits"))
        #expect(staff.handle(.character("l"), rowCount: 1, selectedPerson: (1, "Zoë")) { [] } == [.forgetLearned(personId: 1)])
    }

    @Test func visitChartCountsWeeks() {
        let now = fixedNow
        let times = [now, now.addingTimeInterval(-86_400), now.addingTimeInterval(-8 * 86_400), now.addingTimeInterval(-100 * 86_400)]
        #expect(VisitChart.perWeek(times, weeks: 4, now: now) == [0, 0, 1, 2])
    }

    @Test func colourModes() {
        #expect(ColorMode.detect(environment: ["NO_COLOR": "1"], terminalColors: 256) == .none)
        #expect(ColorMode.detect(environment: [:], terminalColors: 8) == .grey)
        #expect(ColorMode.detect(environment: [:], terminalColors: 256) == .palette256)
        #expect(ColorMode.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 256) == .palette256)
        #expect(ColorMode.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 1 << 24) == .direct)
        #expect(ColorMode.xterm256(255, 0, 0) == 196)
        #expect(ColorMode.xterm256(128, 128, 128) == 244)
        #expect(ColorMode.palette256.number(for: .standard) == -1)
    }

    @Test func rendererSendsOnlyChangedCells() {
        final class Recorder: TerminalBackend {
            var writes: [(Int, Int)] = []
            let size = (width: 10, height: 3)
            let colorMode = ColorMode.palette256
            func put(x: Int, y: Int, cell: Cell) { writes.append((x, y)) }
            func flush() {}
            func invalidate() {}
            func readKey(timeoutMilliseconds: Int) -> Key? { nil }
        }
        let terminal = Recorder()
        let renderer = Renderer(terminal: terminal)
        var buffer = CellBuffer(width: 10, height: 3)
        buffer.text("hello", x: 0, y: 0)
        renderer.render(buffer)
        #expect(terminal.writes.count == 30)
        terminal.writes = []
        buffer.text("J", x: 0, y: 0)
        renderer.render(buffer)
        #expect(terminal.writes.count == 1)
        #expect(terminal.writes.first! == (0, 0))
        terminal.writes = []
        renderer.render(buffer)
        #expect(terminal.writes.isEmpty)
    }
}
