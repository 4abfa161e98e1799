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
    var since: DateArgument?

    @Option(help: ArgumentHelp("Only before this date (same forms as --since).", valueName: "date"))
    var until: DateArgument?

    @Option(help: ArgumentHelp("Only people whose name contains this text (case-insensitive).", valueName: "name"))
    var person: String?

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    var filter: ListFilter {
        ListFilter(since: since?.date, until: until?.date, name: person)
    }
}
