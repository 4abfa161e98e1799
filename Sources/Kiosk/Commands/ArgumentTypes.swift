import ArgumentParser
import Foundation
import Vision

// Option values the parser reads and checks itself, so a bad value is reported as a
// usage error (exit code 2) naming the option, before any work starts.

/// `--source`: v4l2, v4l2:/dev/videoN, image:PATH, dir:PATH, mjpeg:PATH or demo.
extension SourceSpec: ExpressibleByArgument {
    public init?(argument: String) {
        guard let spec = try? SourceSpec.parse(argument) else { return nil }
        self = spec
    }

    public static var defaultCompletionKind: CompletionKind {
        .list(["v4l2", "demo", "image:", "dir:", "mjpeg:", "v4l2:/dev/video0"])
    }
}

/// `--pref KEY=VALUE`: a preference with a non-empty key.
struct PreferenceArgument: ExpressibleByArgument, Equatable {
    var key: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
        value = String(argument[argument.index(after: equals)...])
        if key.isEmpty { return nil }
    }
}

/// `--since` / `--until`: YYYY-MM-DD, "YYYY-MM-DD HH:MM", today, yesterday or Nd.
struct DateArgument: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        guard let date = DateText.parse(argument) else { return nil }
        self.date = date
    }
}
