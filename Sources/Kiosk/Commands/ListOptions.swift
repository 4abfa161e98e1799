import ArgumentParser
import Foundation
import Store

/// Output format of the listing commands.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Filters and format shared by `kiosk visits` and `kiosk people`.
struct ListOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only from this date on: YYYY-MM-DD, \"YYYY-MM-DD HH:MM\", today, yesterday or Nd (N days ago).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only before this date (same forms as --since).", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("Only people whose name contains this text (case-insensitive).", valueName: "name"))
    var person: String?

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, DateText.parse(value) == nil {
                throw ValidationError("\(flag): cannot read the date '\(value)' (try 2026-11-29, today, or 7d).")
            }
        }
    }

    var filter: ListFilter {
        ListFilter(since: since.flatMap { DateText.parse($0) }, until: until.flatMap { DateText.parse($0) }, name: person)
    }
}
