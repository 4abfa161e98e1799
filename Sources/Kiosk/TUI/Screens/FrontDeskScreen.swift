import Foundation
import Vision

/// Everything the front-desk screen shows, gathered by the app each frame.
struct FrontDeskView {
    var machine: DeskMachine
    var frame: Frame?
    var faceBox: FaceBox?
    var camera: LiveCamera.Status
    var enrolledCount: Int
    /// Whether a staff PIN is set: without one, anyone at the keyboard can quit.
    var pinIsSet = true
    /// Visits shown but waiting for the database to accept them.
    var pendingVisits = 0
    /// Why the database could not be read at the last refresh (a server out of reach).
    var databaseProblem: String?
    var consentText: String
    var colorMode: ColorMode
    var now = Date()
}

/// Draws the front desk: live preview with the face box, a panel for the greeting,
/// question or enrollment form, a notice line, the status line and the keys.
enum FrontDeskScreen {
    static let minimumSize = (width: 80, height: 24)

    static func draw(_ view: FrontDeskView, into buffer: inout CellBuffer) {
        let w = buffer.width, h = buffer.height
        if w < minimumSize.width || h < minimumSize.height {
            buffer.centered("Please enlarge the terminal to at least 80x24 (now \(w)x\(h)).", y: h / 2)
            return
        }
        let title = CellStyle(foreground: .white, background: .panel, bold: true)
        buffer.fill(x: 0, y: 0, width: w, height: 1, style: title)
        buffer.text(" kiosk · front desk", x: 0, y: 0, style: title)
        buffer.text(DateText.local(view.now), x: w - 17, y: 0, style: title)

        let panelWidth = panelShown(view.machine.state) ? min(46, w / 2) : 0
        let previewWidth = w - panelWidth
        let previewHeight = h - 4
        drawPreview(view, into: &buffer, width: previewWidth, height: previewHeight)
        if panelWidth > 0 { drawPanel(view, into: &buffer, x: previewWidth, width: panelWidth, height: previewHeight) }

        if let notice = view.machine.notice {
            let color: TerminalColor = notice.tone == .warning ? .warning : notice.tone == .success ? .accent : .white
            buffer.fill(x: 0, y: h - 3, width: w, height: 1, style: CellStyle(background: .black))
            buffer.text(" " + notice.text, x: 0, y: h - 3, style: CellStyle(foreground: color, background: .black, bold: true))
        }
        drawStatus(view, into: &buffer, y: h - 2)
        let keys = keyHints(view.machine.state)
        buffer.fill(x: 0, y: h - 1, width: w, height: 1, style: CellStyle(foreground: .black, background: .muted))
        buffer.text(" " + keys, x: 0, y: h - 1, style: CellStyle(foreground: .black, background: .muted))
    }

    static func panelShown(_ state: DeskMachine.State) -> Bool {
        switch state {
        case .live, .staff: return false
        default: return true
        }
    }

    static func keyHints(_ state: DeskMachine.State) -> String {
        switch state {
        case .live: return "Space capture · F2 staff · F10 quit"
        case .recognising: return "Recognising…"
        case .greeting(let g, _): return g.justEnrolled ? "Any key: continue" : "Any key: continue · N: not me"
        case .confirming: return "Y: yes · N: no, new visitor · Esc: cancel"
        case .enrolling: return "Tab/Shift-Tab field · Enter choose · Del remove preference · Esc cancel"
        case .capturing: return "Hold still, looking at the camera · Esc: back to the form"
        case .saving: return "Saving…"
        case .pin: return "Digits, then Enter · Backspace: erase · Esc: cancel"
        case .staff: return ""
        }
    }

    private static func drawPreview(_ view: FrontDeskView, into buffer: inout CellBuffer, width: Int, height: Int) {
        guard let frame = view.frame else {
            let message: String
            switch view.camera.state {
            case .reconnecting(let reason): message = reason
            case .failed(let reason): message = reason
            default: message = "Starting the camera…"
            }
            for (i, line) in TextWrap.lines(message, width: width - 6).enumerated() {
                buffer.centered(line, width: width, y: height / 2 + i, style: CellStyle(foreground: .warning, bold: true))
            }
            return
        }
        let placement = Preview.draw(frame.image, into: &buffer, x: 0, y: 1, width: width, height: height, colorMode: view.colorMode)
        if let box = view.faceBox, let placement {
            Preview.drawFaceBox(box, placement: placement, into: &buffer)
        }
        if case .reconnecting(let reason) = view.camera.state {
            buffer.fill(x: 0, y: 1, width: width, height: 1, style: CellStyle(background: .black))
            buffer.text(" Camera lost: \(reason) (retrying)", x: 0, y: 1, style: CellStyle(foreground: .warning, background: .black, bold: true), maxWidth: width)
        }
    }

    private static func drawStatus(_ view: FrontDeskView, into buffer: inout CellBuffer, y: Int) {
        let state: String
        switch view.camera.state {
        case .starting: state = "starting"
        case .live: state = "live"
        case .reconnecting: state = "reconnecting"
        case .failed: state = "failed"
        }
        // What staff must act on comes first: a long camera name must not push it off the line.
        var warnings: [String] = []
        if view.databaseProblem != nil { warnings.append("database unreachable: recognising from this desk's memory") }
        if !view.pinIsSet { warnings.append("no staff PIN: anyone can quit") }
        if view.pendingVisits > 0 { warnings.append("\(view.pendingVisits) visit\(view.pendingVisits == 1 ? "" : "s") waiting for the database") }
        var text = warnings.map { " \($0) ·" }.joined() + " \(view.enrolledCount) enrolled · \(state) · "
            + "\(Int(view.camera.framesPerSecond.rounded())) fps · \(view.camera.sourceName.isEmpty ? "camera" : view.camera.sourceName)"
        if view.camera.corruptFramesSkipped > 0 { text += " · \(view.camera.corruptFramesSkipped) damaged frames skipped" }
        if view.frame?.isDark == true { text += " · picture too dark" }

        buffer.fill(x: 0, y: y, width: buffer.width, height: 1, style: CellStyle(foreground: .white, background: .panel))
        buffer.text(text, x: 0, y: y, style: CellStyle(foreground: .white, background: .panel))
    }

    private static func drawPanel(_ view: FrontDeskView, into buffer: inout CellBuffer, x: Int, width: Int, height: Int) {
        let panel = CellStyle(foreground: .white, background: .panel)
        buffer.fill(x: x, y: 1, width: width, height: height, style: panel)
        let inner = width - 4
        var y = 2
        func line(_ text: String, _ style: CellStyle = panel) {
            for part in TextWrap.lines(text, width: inner) where y < height {
                buffer.text(part, x: x + 2, y: y, style: style, maxWidth: inner)
                y += 1
            }
        }
        let heading = CellStyle(foreground: .accent, background: .panel, bold: true)
        switch view.machine.state {
        case .recognising:
            line("Recognising…", heading)
        case .greeting(let greeting, _):
            line(greeting.justEnrolled ? "Welcome, \(greeting.name)!" : "Welcome back, \(greeting.name)!", heading)
            y += 1
            if greeting.visitNumber > 0 {
                var visit = "\(Ordinal.text(greeting.visitNumber)) visit"
                if let last = greeting.lastVisit { visit += " · last here \(DateText.relative(last, now: view.now))" }
                line(visit)
            } else {
                // Decided while the database was out of reach: the visit waits in the queue.
                line("Visit noted (the visit count shows once the database is back)", CellStyle(foreground: .muted, background: .panel))
            }
            if !greeting.countsAsNewVisit { line("(checked in moments ago: not counted again)", CellStyle(foreground: .muted, background: .panel)) }
            if !greeting.preferences.isEmpty {
                y += 1
                line("Preferences", CellStyle(foreground: .warning, background: .panel, bold: true))
                for p in greeting.preferences { line("• \(p.key): \(p.value)") }
            }
            if let thumbnail = greeting.thumbnail, height - y > 8 {
                y += 1
                let side = min(inner, (height - y - 1) * 2, 24)
                Preview.draw(thumbnail, into: &buffer, x: x + 2, y: y, width: side, height: side / 2, colorMode: view.colorMode)
            }
        case .confirming(let greeting, let runnerUp):
            line("Are you \(greeting.name)?", heading)
            y += 1
            // Asked when another person is nearly as close, or when the face is close to
            // this person but not close enough to greet without asking.
            line("The desk is not sure enough to greet by name (next closest: \(runnerUp)), so it asks instead of guessing.")
        case .enrolling(let form), .capturing(let form, _, _), .saving(let form):
            drawForm(form, state: view.machine.state, consent: view.consentText, into: &buffer, x: x + 2, y: &y, width: inner,
                     height: height, panel: panel, heading: heading)
        case .pin(let prompt):
            line(prompt.purpose == .quit ? "Staff PIN to quit" : "Staff PIN", heading)
            y += 1
            line(prompt.checking ? "checking…" : String(repeating: "●", count: prompt.digits.count) + "▁")
            if let message = prompt.message { y += 1; line(message, CellStyle(foreground: .warning, background: .panel, bold: true)) }
        case .live, .staff:
            break
        }
    }

    private static func drawForm(_ form: EnrollmentForm, state: DeskMachine.State, consent: String, into buffer: inout CellBuffer,
                                 x: Int, y: inout Int, width: Int, height: Int, panel: CellStyle, heading: CellStyle) {
        func field(_ label: String, _ value: String, focused: Bool) {
            guard y < height else { return }
            let style = focused ? CellStyle(foreground: .black, background: .accent) : CellStyle(foreground: .white, background: .black)
            buffer.text(label, x: x, y: y, style: panel, maxWidth: 10)
            buffer.fill(x: x + 10, y: y, width: width - 10, height: 1, style: style)
            buffer.text(value + (focused ? "▏" : ""), x: x + 10, y: y, style: style, maxWidth: width - 10)
            y += 1
        }
        buffer.text("New visitor", x: x, y: y, style: heading)
        y += 2
        field("Name", form.name, focused: form.focus == .name)
        y += 1
        for (i, p) in form.preferences.enumerated() {
            field("Pref \(i + 1)", p.key, focused: form.focus == .preferenceKey(i))
            field("  value", p.value, focused: form.focus == .preferenceValue(i))
        }
        let add = form.focus == .addPreference ? CellStyle(foreground: .black, background: .accent) : panel
        buffer.text("[ + add a preference ]", x: x, y: y, style: add)
        y += 2
        for part in TextWrap.lines(consent, width: width) where y < height - 4 {
            buffer.text(part, x: x, y: y, style: CellStyle(foreground: .muted, background: .panel), maxWidth: width)
            y += 1
        }
        let box = form.consent ? "[x]" : "[ ]"
        let consentStyle = form.focus == .consent ? CellStyle(foreground: .black, background: .accent) : panel
        buffer.text("\(box) The visitor agrees", x: x, y: y, style: consentStyle)
        y += 2
        let saveStyle = form.focus == .save ? CellStyle(foreground: .black, background: .accent, bold: true) : CellStyle(foreground: .accent, background: .panel, bold: true)
        buffer.text("[ Save ]", x: x, y: y, style: saveStyle)
        y += 2
        if let problem = form.problem { buffer.text(problem, x: x, y: y, style: CellStyle(foreground: .warning, background: .panel, bold: true), maxWidth: width); y += 1 }
        switch state {
        case .capturing(_, let collected, let hint):
            buffer.text("Capturing \(collected + 1): \(hint)", x: x, y: y, style: CellStyle(foreground: .warning, background: .panel, bold: true), maxWidth: width)
        case .saving:
            buffer.text("Saving…", x: x, y: y, style: heading)
        default: break
        }
    }
}
