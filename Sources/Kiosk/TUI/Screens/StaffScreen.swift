import Foundation
import Store

/// What the staff screen shows, loaded by the app for the current tab and filter.
struct StaffScreenData {
    var visits: [VisitEntry] = []
    var people: [PersonSummary] = []
    /// The selected person's visits, for the detail view.
    var history: [VisitEntry] = []
    var preferences: [EnrollmentForm.Preference] = []
    var settings: [(String, String)] = []
    /// The audit log, newest first.
    var audit: [AuditEvent] = []
    /// The shown person's face templates.
    var templates: TemplateCounts?
}

/// Draws the staff view: tabs, the visit log or people list (scrolling with the
/// selection), a person's detail with visits per week, prompts, and the keys.
enum StaffScreen {
    static func draw(_ view: StaffView, data: StaffScreenData, into buffer: inout CellBuffer, now: Date = Date()) {
        let w = buffer.width, h = buffer.height
        if w < 80 || h < 24 {
            buffer.centered("Please enlarge the terminal to at least 80x24 (now \(w)x\(h)).", y: h / 2)
            return
        }
        let bar = CellStyle(foreground: .white, background: .panel, bold: true)
        buffer.fill(x: 0, y: 0, width: w, height: 1, style: bar)
        var x = 1
        for (tab, name) in [(StaffView.Tab.visits, "1 Visit log"), (.people, "2 People"), (.settings, "3 Settings"), (.audit, "4 Audit log")] {
            let style = tab == view.tab ? CellStyle(foreground: .black, background: .accent, bold: true) : bar
            x += buffer.text(" \(name) ", x: x, y: 0, style: style) + 1
        }
        buffer.text("kiosk · staff", x: w - 14, y: 0, style: bar)

        var filters: [String] = []
        if let day = view.day { filters.append("day \(DateText.local(day).prefix(10))") }
        if !view.search.isEmpty || view.mode == .searching { filters.append("name contains “\(view.search)”" + (view.mode == .searching ? "▏" : "")) }
        buffer.text(filters.isEmpty ? "All days, everyone" : filters.joined(separator: " · "), x: 1, y: 1,
                    style: CellStyle(foreground: .muted))

        let bodyTop = 3, bodyHeight = h - bodyTop - 2
        switch view.mode {
        case .detail(let id), .editing(let id, _, _), .confirmDelete(let id, _):
            drawDetail(view, personId: id, data: data, into: &buffer, top: bodyTop, height: bodyHeight, now: now)
        default:
            switch view.tab {
            case .visits: drawVisits(view, data.visits, into: &buffer, top: bodyTop, height: bodyHeight)
            case .people: drawPeople(view, data.people, into: &buffer, top: bodyTop, height: bodyHeight)
            case .audit: drawAudit(view, data.audit, into: &buffer, top: bodyTop, height: bodyHeight)
            case .settings:
                var y = bodyTop
                for (key, value) in data.settings where y < h - 2 {
                    buffer.text(key, x: 2, y: y, style: CellStyle(foreground: .accent, bold: true), maxWidth: 28)
                    buffer.text(value, x: 31, y: y, maxWidth: w - 33)
                    y += 1
                }
            }
        }

        if let message = view.message { buffer.text(message, x: 1, y: h - 2, style: CellStyle(foreground: .warning, bold: true)) }
        if case .export(let path) = view.mode {
            buffer.fill(x: 0, y: h - 2, width: w, height: 1, style: CellStyle(background: .black))
            buffer.text("Export CSV to: \(path)▏", x: 1, y: h - 2, style: CellStyle(foreground: .white, background: .black, bold: true))
        }
        if case .confirmDelete(_, let name) = view.mode {
            buffer.fill(x: 0, y: h - 2, width: w, height: 1, style: CellStyle(background: .black))
            buffer.text("Erase \(name) and all their data (face, preferences, visits)? Y: erase · any other key: keep", x: 1, y: h - 2,
                        style: CellStyle(foreground: .danger, background: .black, bold: true))
        }
        buffer.fill(x: 0, y: h - 1, width: w, height: 1, style: CellStyle(foreground: .black, background: .muted))
        buffer.text(" " + keys(view), x: 0, y: h - 1, style: CellStyle(foreground: .black, background: .muted))
    }

    static func keys(_ view: StaffView) -> String {
        switch view.mode {
        case .searching: return "Type a name · Enter: done · Esc: done"
        case .export: return "Type the file path · Enter: write CSV · Esc: cancel"
        case .detail: return "E edit · A add preference · L forget learned faces · D delete · Esc back"
        case .editing: return "Type · Tab: next field · Del: remove row · Enter/Esc: save"
        case .confirmDelete: return "Y: erase for good · any other key: keep"
        case .browsing:
            switch view.tab {
            case .settings: return "Tab: next tab · Esc: back to the front desk"
            case .audit: return "↑↓ scroll · Tab: next tab · Esc: back to the front desk"
            case .people: return "↑↓ select · Enter details · / search · X export CSV · Tab next tab · Esc back"
            case .visits: return "↑↓ scroll · / search · [ ] day · T today · A all · X export · Tab · Esc back"
            }
        }
    }

    private static func window(selection: Int, count: Int, height: Int) -> Range<Int> {
        let start = max(0, min(selection - height / 2, count - height))
        return start..<min(count, start + height)
    }

    private static func drawVisits(_ view: StaffView, _ visits: [VisitEntry], into buffer: inout CellBuffer, top: Int, height: Int) {
        if visits.isEmpty { buffer.text("No visits.", x: 2, y: top); return }
        var table = TextTable(headers: ["TIME", "NAME", "KIOSK", "DISTANCE"])
        let range = window(selection: view.selection, count: visits.count, height: height - 1)
        for v in visits[range] {
            table.add([DateText.local(v.time), v.name, v.kioskId, v.distance.map { String(format: "%.3f", $0) } ?? "enrolled"])
        }
        drawTable(table, into: &buffer, top: top, selected: view.selection - range.lowerBound)
        buffer.text("\(visits.count) visit\(visits.count == 1 ? "" : "s")", x: buffer.width - 16, y: 1, style: CellStyle(foreground: .muted))
    }

    private static func drawAudit(_ view: StaffView, _ events: [AuditEvent], into buffer: inout CellBuffer, top: Int, height: Int) {
        if events.isEmpty { buffer.text("No staff events yet.", x: 2, y: top); return }
        var table = TextTable(headers: ["TIME", "KIOSK", "EVENT", "DETAIL"])
        let range = window(selection: view.selection, count: events.count, height: height - 1)
        for e in events[range] { table.add([DateText.local(e.time), e.kioskId, e.kind, e.detail]) }
        drawTable(table, into: &buffer, top: top, selected: view.selection - range.lowerBound)
    }

    private static func drawPeople(_ view: StaffView, _ people: [PersonSummary], into buffer: inout CellBuffer, top: Int, height: Int) {
        if people.isEmpty { buffer.text("Nobody enrolled.", x: 2, y: top); return }
        var table = TextTable(headers: ["NAME", "VISITS", "LAST SEEN"])
        let range = window(selection: view.selection, count: people.count, height: height - 1)
        for p in people[range] { table.add([p.name, String(p.visitCount), p.lastVisit.map(DateText.local) ?? "never"]) }
        drawTable(table, into: &buffer, top: top, selected: view.selection - range.lowerBound)
    }

    private static func drawTable(_ table: TextTable, into buffer: inout CellBuffer, top: Int, selected: Int) {
        for (i, line) in table.render().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let style: CellStyle = i == 0 ? CellStyle(foreground: .muted, bold: true)
                : (i - 1 == selected ? CellStyle(foreground: .black, background: .accent) : .plain)
            if i - 1 == selected { buffer.fill(x: 1, y: top + i, width: buffer.width - 2, height: 1, style: style) }
            buffer.text(String(line), x: 2, y: top + i, style: style, maxWidth: buffer.width - 4)
        }
    }

    private static func drawDetail(_ view: StaffView, personId: Int64, data: StaffScreenData, into buffer: inout CellBuffer,
                                   top: Int, height: Int, now: Date) {
        guard let person = data.people.first(where: { $0.id == personId }) else { return }
        let heading = CellStyle(foreground: .accent, bold: true)
        buffer.text(person.name, x: 2, y: top, style: heading)
        buffer.text("\(person.visitCount) visits · enrolled \(DateText.local(person.createdAt)) · consent \(person.consentVersion.map { "v\($0)" } ?? "not recorded")",
                    x: 2, y: top + 1, style: CellStyle(foreground: .muted))
        if let templates = data.templates {
            buffer.text("Face templates: \(templates.enrolled) from enrollment, \(templates.learned) learned from visits"
                + (templates.learned > 0 ? " (L forgets the learned ones)" : ""), x: 2, y: top + 2, style: CellStyle(foreground: .muted))
        }
        var y = top + 4
        buffer.text("Preferences", x: 2, y: y, style: CellStyle(foreground: .warning, bold: true))
        y += 1
        let rows: [EnrollmentForm.Preference] = { if case .editing = view.mode { return view.editedPreferences }; return data.preferences }()
        if rows.isEmpty { buffer.text("none (A to add)", x: 4, y: y, style: CellStyle(foreground: .muted)); y += 1 }
        for (i, p) in rows.enumerated() {
            var keyStyle = CellStyle.plain, valueStyle = CellStyle.plain
            if case .editing(_, let row, let field) = view.mode, row == i {
                if field == 0 { keyStyle = CellStyle(foreground: .black, background: .accent) } else { valueStyle = CellStyle(foreground: .black, background: .accent) }
            }
            buffer.text(p.key.isEmpty ? "…" : p.key, x: 4, y: y, style: keyStyle, maxWidth: 24)
            buffer.text(p.value.isEmpty ? "…" : p.value, x: 30, y: y, style: valueStyle, maxWidth: buffer.width - 32)
            y += 1
        }
        y += 1
        // Visits per week, the last 8 weeks, as a bar chart.
        buffer.text("Visits per week (last 8 weeks)", x: 2, y: y, style: CellStyle(foreground: .warning, bold: true))
        y += 1
        let weeks = VisitChart.perWeek(data.history.map(\.time), weeks: 8, now: now)
        let peak = max(1, weeks.max() ?? 1)
        for (i, count) in weeks.enumerated() where y < top + height {
            let label = i == weeks.count - 1 ? "this week" : "\(weeks.count - 1 - i) wk ago"
            buffer.text(label, x: 4, y: y, style: CellStyle(foreground: .muted), maxWidth: 12)
            buffer.text(String(repeating: "█", count: count * 30 / peak) + " \(count)", x: 16, y: y, style: CellStyle(foreground: .accent))
            y += 1
        }
        y += 1
        buffer.text("Recent visits", x: 2, y: y, style: CellStyle(foreground: .warning, bold: true))
        y += 1
        for v in data.history.prefix(max(0, top + height - y)) {
            buffer.text("\(DateText.local(v.time))  \(v.kioskId)", x: 4, y: y)
            y += 1
        }
    }
}

/// Counts of visits per week, oldest first, ending with the current week.
enum VisitChart {
    static func perWeek(_ times: [Date], weeks: Int, now: Date) -> [Int] {
        var counts = [Int](repeating: 0, count: weeks)
        for time in times {
            let age = Int(now.timeIntervalSince(time) / (7 * 86_400))
            if age >= 0 && age < weeks { counts[weeks - 1 - age] += 1 }
        }
        return counts
    }
}
