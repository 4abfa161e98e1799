/// `kiosk bench --json`, in this shape (README, "kiosk bench"):
/// {"frame","runs","stages":{name:{"p50_ms","p99_ms"}},"search":{size:{"p50_ms"}},"cold_start_ms","peak_rss_mb"}.
struct BenchReport: Encodable {
    /// Percentiles of one stage, or of one gallery size's search.
    struct Stage: Encodable {
        let p50_ms: Double
        let p99_ms: Double

        init(p50_ms: Double, p99_ms: Double) {
            self.p50_ms = p50_ms
            self.p99_ms = p99_ms
        }

        init(_ timings: Timings) { self.init(p50_ms: timings.p50, p99_ms: timings.p99) }
    }

    struct Store: Encodable {
        let enroll_p50_ms: Double
        let checkin_p50_ms: Double
        let people: Int
    }

    /// The detection plan measured, and how far its embeddings are from the exact search's.
    struct Detection: Encodable {
        let plan: String
        let embedding_shift_p50: Double
        let embedding_shift_max: Double
        let frames_missed: Int
        /// The CNN detector on the same frames (upsample 0 and 1), when measured: the cost of
        /// using it on camera frames.
        var cnn_upsample0: Stage?
        var cnn_upsample1: Stage?
        var cnn_frames: Int = 0
    }

    let frame: String
    let runs: Int
    let images: Int
    let upsample: Int
    let detection: Detection
    let stages: [String: Stage]
    /// The same frames through the front-desk core: decide, commit, total with decode.
    /// Frames per capture (recognition.capture_frames): core decide searches each.
    let capture_frames: Int
    let core: [String: Stage]
    let search: [String: Stage]
    let store: Store?
    let live_state: LiveStateBenchmark.Report?
    let staff: LiveStateBenchmark.StaffReport?
    let cold_start_ms: Double?
    let peak_rss_mb: Double
    let blas: String

    static let stageOrder = ["decode", "detect", "landmarks", "embed", "match", "record", "total"]

    /// The human-readable table.
    var text: String {
        var lines = ["kiosk bench: \(frame) frames from \(images) photos, \(runs) runs after warm-up, upsample \(upsample)"]
        lines.append("detection: \(detection.plan); embedding shift from the exact search p50 "
            + "\(fmt(detection.embedding_shift_p50)), max \(fmt(detection.embedding_shift_max)); frames missed \(detection.frames_missed)")
        if let c0 = detection.cnn_upsample0 {
            var line = "CNN detector on \(detection.cnn_frames) of these frames: upsample 0 p50 \(fmt(c0.p50_ms)) ms (p99 \(fmt(c0.p99_ms)))"
            if let c1 = detection.cnn_upsample1 { line += ", upsample 1 p50 \(fmt(c1.p50_ms)) ms (p99 \(fmt(c1.p99_ms)))" }
            lines.append(line)
        }
        var table = TextTable(headers: ["STAGE", "P50 MS", "P99 MS"])
        for name in Self.stageOrder { if let s = stages[name] { table.add([name, fmt(s.p50_ms), fmt(s.p99_ms)]) } }
        for name in ["decide", "commit", "total"] {
            if let s = core[name] { table.add(["core \(name)", fmt(s.p50_ms), fmt(s.p99_ms)]) }
        }
        lines.append(table.render())
        lines.append("(stages: the engine, the gallery and the visit write called directly; core: the same frames through "
            + "FrontDesk.decide and commit, as kiosk run and kiosk checkin take them; a capture decides on \(capture_frames) frame\(capture_frames == 1 ? "" : "s"))")
        if !search.isEmpty {
            var searchTable = TextTable(headers: ["GALLERY", "SEARCH P50 MS", "P99 MS"])
            for (size, s) in search.sorted(by: { Int($0.key)! < Int($1.key)! }) { searchTable.add([size, fmt(s.p50_ms), fmt(s.p99_ms)]) }
            lines.append("")
            lines.append(searchTable.render())
        }
        if let store {
            lines.append("")
            lines.append("database only (\(store.people) people): enroll p50 \(fmt(store.enroll_p50_ms)) ms, check-in record p50 \(fmt(store.checkin_p50_ms)) ms")
        }
        if let live = live_state {
            lines.append("")
            lines.append("live state at \(live.templates) templates: change check p50 \(fmt(live.change_check.p50_ms)) ms "
                + "(p99 \(fmt(live.change_check.p99_ms))); apply one enrollment p50 \(fmt(live.apply_enrollment.p50_ms)) ms "
                + "(p99 \(fmt(live.apply_enrollment.p99_ms))), one erasure p50 \(fmt(live.apply_erasure.p50_ms)) ms "
                + "(p99 \(fmt(live.apply_erasure.p99_ms))); whole gallery reload \(fmt(live.full_reload_ms)) ms")
        }
        if let staff {
            lines.append("staff view at \(staff.people) people, \(staff.visits) visits: people page p50 \(fmt(staff.people_page.p50_ms)) ms, "
                + "visit log page p50 \(fmt(staff.visits_page.p50_ms)) ms; whole people table \(fmt(staff.people_whole_table_ms)) ms")
        }
        lines.append("")
        if let cold = cold_start_ms { lines.append("cold start (process start to ready to capture): \(fmt(cold)) ms") }
        lines.append("peak memory during the pipeline: \(fmt(peak_rss_mb)) MB; BLAS: \(blas)")
        return lines.joined(separator: "\n")
    }

    private func fmt(_ v: Double) -> String {
        v < 1 ? String(format: "%.3f", v) : String(format: "%.1f", v)
    }
}

import Foundation
