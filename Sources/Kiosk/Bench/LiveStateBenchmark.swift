import DeskCore
import Foundation
import Store
import Vision

/// What keeping a running desk current costs, at gallery sizes a large site reaches:
/// the change check made before every decision when nothing changed, applying one
/// enrollment or erasure made by another process, and (for comparison) reloading the
/// whole gallery, which is what a desk would do without the change log. Also the staff
/// view's page loads on a big visit log.
struct LiveStateBenchmark {
    struct Report: Encodable {
        let templates: Int
        /// `FrontDesk.refresh()` when nothing changed (before every decision).
        let change_check: BenchReport.Stage
        /// `refresh()` after another process enrolled one person (3 templates).
        let apply_enrollment: BenchReport.Stage
        /// `refresh()` after another process erased one person.
        let apply_erasure: BenchReport.Stage
        /// Loading the whole gallery from the database, once.
        let full_reload_ms: Double
    }

    struct StaffReport: Encodable {
        let people: Int
        let visits: Int
        /// The staff view's first page (200 rows) of people, and of the visit log.
        let people_page: BenchReport.Stage
        let visits_page: BenchReport.Stage
        /// The whole people table at once, as the staff view loaded it before pages.
        let people_whole_table_ms: Double
    }

    let engine: FaceEngine
    let config: KioskConfig
    let directory: String

    func run(templates: Int) async throws -> Report {
        let path = directory + "/live-\(templates).sqlite"
        let store = try AppDatabase.open(path: path, createDirectory: false)
        var synthetic = SyntheticEmbeddings(seed: 11)
        try store.insertSynthetic(people: templates, visitsPerPerson: 0) { _ in synthetic.next() }
        let loadStart = ContinuousClock.now
        _ = try store.loadGallery()
        let fullReload = milliseconds(since: loadStart)

        let desk = try FrontDesk(engine: engine, store: store, config: config, pending: nil)
        let other = try AppDatabase.open(path: path, createDirectory: false)  // another process's connection
        var check = Timings(), enrollment = Timings(), erasure = Timings()
        for _ in 0..<20 { await desk.refresh() }  // warm-up
        for _ in 0..<500 {
            let start = ContinuousClock.now
            await desk.refresh()
            check.add(milliseconds(since: start))
        }
        for i in 0..<30 {
            let person = try other.enroll(Enrollment(name: "New \(i)", consentVersion: "1",
                                                     templates: (0..<3).map { _ in .init(embedding: synthetic.next(), quality: 1) }))
            var start = ContinuousClock.now
            await desk.refresh()
            enrollment.add(milliseconds(since: start))
            try other.forget(personId: person.id!)
            start = ContinuousClock.now
            await desk.refresh()
            erasure.add(milliseconds(since: start))
        }
        return Report(templates: templates, change_check: .init(check), apply_enrollment: .init(enrollment),
                      apply_erasure: .init(erasure), full_reload_ms: fullReload)
    }

    func staffPages(people: Int, visits: Int) throws -> StaffReport {
        let store = try AppDatabase.open(path: directory + "/staff.sqlite", createDirectory: false)
        var synthetic = SyntheticEmbeddings(seed: 13)
        try store.insertSynthetic(people: people, visitsPerPerson: visits / max(1, people)) { _ in synthetic.next() }
        var peoplePage = Timings(), visitsPage = Timings()
        for run in 0..<25 {
            var start = ContinuousClock.now
            let rows = try store.people(ListFilter(), limit: StaffController.pageSize, offset: 0)
            if run >= 5 { peoplePage.add(milliseconds(since: start)) }
            precondition(rows.count == min(people, StaffController.pageSize))
            start = ContinuousClock.now
            _ = try store.visits(ListFilter(), limit: StaffController.pageSize, offset: 0)
            if run >= 5 { visitsPage.add(milliseconds(since: start)) }
        }
        let start = ContinuousClock.now
        _ = try store.people(ListFilter(), limit: nil, offset: 0)
        return StaffReport(people: people, visits: visits, people_page: .init(peoplePage), visits_page: .init(visitsPage),
                           people_whole_table_ms: milliseconds(since: start))
    }
}
