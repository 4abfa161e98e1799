import DeskCore
import Foundation

/// Dates as people read and type them: local time for display, ISO 8601 for files.
enum DateText {
    /// "2026-11-29 14:05" in local time.
    static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// "2026-11-29T13:05:00Z", for JSON and CSV.
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// "4 days ago", "just now": how long since `date`.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        if seconds < 60 { return "just now" }
        let minutes = seconds / 60, hours = minutes / 60, days = hours / 24
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s") ago" }
        if minutes < 60 { return plural(minutes, "minute") }
        if hours < 24 { return plural(hours, "hour") }
        if days < 60 { return plural(days, "day") }
        return plural(days / 30, "month")
    }

    /// Reads `--since`/`--until` values: "2026-11-29" (local midnight),
    /// "2026-11-29 14:00", "today", "yesterday", or "7d" (seven days ago).
    static func parse(_ text: String, now: Date = Date(), calendar: Calendar = .current) -> Date? {
        let trimmed = text.trimmingWhitespace().lowercased()
        let startOfToday = calendar.startOfDay(for: now)
        if trimmed == "today" { return startOfToday }
        if trimmed == "yesterday" { return calendar.date(byAdding: .day, value: -1, to: startOfToday) }
        if trimmed.hasSuffix("d"), let days = Int(trimmed.dropLast()), days >= 0 {
            return calendar.date(byAdding: .day, value: -days, to: now)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        for format in ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text.trimmingWhitespace()) { return date }
        }
        return nil
    }
}
