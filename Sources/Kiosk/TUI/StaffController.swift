import DeskCore
import Foundation
import Logging
import Store

/// What one load of the staff view's data answers: the tab, the filter, the person
/// shown, and how many rows.
struct StaffQuery: Equatable, Sendable {
    var tab: StaffView.Tab
    var filter: StaffView.ListFilterValue
    var personId: Int64?
    var limit: Int
}

/// Rows for the staff view, loaded off the UI thread.
struct StaffPage: Sendable {
    var query: StaffQuery
    var visits: [VisitEntry] = []
    var people: [PersonSummary] = []
    var history: [VisitEntry] = []
    var preferences: [EnrollmentForm.Preference] = []
    var audit: [AuditEvent] = []
    var templates: TemplateCounts?
}

/// The PIN-protected staff view: keys go to the pure `StaffView`; rows are loaded a page
/// at a time (more as the selection nears the end) by background work, and only when
/// what is asked changes or the data changed, never on every key. Lives on the UI thread.
final class StaffController {
    static let pageSize = 200

    private let desk: FrontDesk
    private let work: WorkQueue
    private let post: @Sendable (KioskApp.Message) -> Void
    private let logger: Logger
    private(set) var view = StaffView()
    private(set) var data = StaffScreenData()
    private var loaded: StaffQuery?
    private var requested: StaffQuery?

    init(desk: FrontDesk, work: WorkQueue, post: @escaping @Sendable (KioskApp.Message) -> Void, logger: Logger) {
        self.desk = desk
        self.work = work
        self.post = post
        self.logger = logger
    }

    func open(settings: [(String, String)]) {
        view = StaffView()
        data = StaffScreenData()
        data.settings = settings
        loaded = nil
        requested = nil
        loadIfNeeded(force: true)
    }

    /// A key in the staff view. Returns true when the view closes.
    func handle(_ key: Key) -> Bool {
        // Editing starts from the shown person's preferences: not before they are loaded
        // (else another person's would be shown, and saved over these).
        if case .detail(let id) = view.mode, key == .character("e") || key == .character("a"), loaded?.personId != id {
            view.message = "Loading this person's preferences…"
            return false
        }
        let rowCount = view.tab == .people ? data.people.count : view.tab == .audit ? data.audit.count : data.visits.count
        let effects = view.handle(key, rowCount: rowCount, selectedPerson: selectedPerson) { [data] in data.preferences }
        var closed = false
        for effect in effects {
            switch effect {
            case .close: closed = true
            case .delete(let personId): erase(personId)
            case .savePreferences(let personId, let preferences): save(preferences, of: personId)
            case .forgetLearned(let personId): forgetLearned(of: personId)
            case .export(let tab, let path, let filter): export(tab, to: path, filter: filter)
            }
        }
        loadIfNeeded(force: false)
        return closed
    }

    /// Something changed in the database (this desk or another process): reload what is shown.
    func dataChanged() { loadIfNeeded(force: true) }

    func show(_ message: String) { view.message = message }

    func receive(_ page: StaffPage) {
        guard page.query == requested else { return }  // an answer to an older question
        loaded = page.query
        data.visits = page.visits
        data.people = page.people
        data.history = page.history
        data.audit = page.audit
        if page.query.personId != nil {
            data.preferences = page.preferences
            data.templates = page.templates
        }
        let rows = view.tab == .people ? data.people.count : view.tab == .audit ? data.audit.count : data.visits.count
        if view.selection >= rows { view.selection = max(0, rows - 1) }
    }

    private var selectedPerson: (id: Int64, name: String)? {
        if case .detail(let id) = view.mode, let p = data.people.first(where: { $0.id == id }) { return (p.id, p.name) }
        guard view.tab == .people, view.selection < data.people.count else { return nil }
        let p = data.people[view.selection]
        return (p.id, p.name)
    }

    /// The question the screen needs answered now.
    private var wanted: StaffQuery {
        var personId: Int64?
        switch view.mode {
        case .detail(let id), .editing(let id, _, _), .confirmDelete(let id, _): personId = id
        default: break
        }
        // Grow by a page when the selection comes near the end of what is loaded.
        var limit = loaded?.limit ?? Self.pageSize
        if view.selection + 20 >= limit { limit = (view.selection / Self.pageSize + 2) * Self.pageSize }
        return StaffQuery(tab: view.tab, filter: view.filter, personId: personId, limit: limit)
    }

    private func loadIfNeeded(force: Bool) {
        let query = wanted
        guard force || (query != loaded && query != requested) else { return }
        requested = query
        let desk = self.desk, post = self.post, logger = self.logger
        Task {
            do {
                post(.staffLoaded(try await desk.withStore { try StaffController.load(query, from: $0) }))
            } catch {
                logger.error("staff view: \(error)")
                post(.staffMessage("Could not read the database: \(error)"))
            }
        }
    }

    private static func load(_ query: StaffQuery, from store: any VisitorStore) throws -> StaffPage {
        var page = StaffPage(query: query)
        switch query.tab {
        case .visits: page.visits = try store.visits(query.filter.filter, limit: query.limit, offset: 0)
        case .people: page.people = try store.people(ListFilter(name: query.filter.filter.name), limit: query.limit, offset: 0)
        case .audit: page.audit = try store.auditEvents(limit: query.limit, offset: 0)
        case .settings: break
        }
        if let id = query.personId {
            page.history = try store.visits(ListFilter(personId: id), limit: 1000, offset: 0)
            page.preferences = try store.preferences(personId: id).map { .init(key: $0.key, value: $0.value) }
            page.templates = try store.templateCounts(personId: id)
        }
        return page
    }

    // MARK: changes

    private func erase(_ personId: Int64) {
        let desk = self.desk, post = self.post
        let name = data.people.first { $0.id == personId }?.name ?? "the person"
        work.submit("erasing a person") {
            do {
                try await desk.forget(personId: personId)
                post(.staffMessage("Erased \(name) completely."))
            } catch {
                post(.staffMessage("Could not erase: \(error)"))
            }
            post(.status(await desk.status))
        }
    }

    private func save(_ preferences: [EnrollmentForm.Preference], of personId: Int64) {
        let desk = self.desk, post = self.post
        let kept = preferences.filter { !$0.key.trimmingWhitespace().isEmpty }.map { (key: $0.key, value: $0.value) }
        work.submit("saving preferences") {
            do {
                try await desk.withStore { try $0.setPreferences(personId: personId, kept) }
                await desk.audit("preferences edited", detail: "person id \(personId)")
                post(.staffMessage("Preferences saved."))
            } catch {
                post(.staffMessage("Not saved: \(error)"))
            }
        }
    }

    private func forgetLearned(of personId: Int64) {
        let desk = self.desk, post = self.post
        work.submit("forgetting learned faces") {
            do {
                let removed = try await desk.withStore { try $0.removeLearnedTemplates(personId: personId) }
                await desk.audit("learned faces removed", detail: "person id \(personId), \(removed) template\(removed == 1 ? "" : "s")")
                await desk.refresh()
                post(.staffMessage(removed == 0 ? "No learned faces to forget." : "Forgot \(removed) learned face\(removed == 1 ? "" : "s"): recognition rests on the enrollment captures."))
            } catch {
                post(.staffMessage("Not changed: \(error)"))
            }
        }
    }

    private func export(_ tab: StaffView.Tab, to path: String, filter: StaffView.ListFilterValue) {
        let desk = self.desk, post = self.post
        work.submit("exporting \(path)") {
            do {
                let csv = try await desk.withStore { store in
                    tab == .people ? CSVExport.people(try store.people(ListFilter(name: filter.filter.name), limit: nil, offset: 0))
                        : CSVExport.visits(try store.visits(filter.filter, limit: nil, offset: 0))
                }
                let written = try PrivateFile.createNew(at: path, contents: Data(csv.utf8))
                await desk.audit("exported", detail: "\(tab == .people ? "people" : "visits") to \(written)")
                post(.staffMessage("Exported to \(written)."))
            } catch {
                post(.staffMessage("Export failed: \(error)"))
            }
        }
    }
}
