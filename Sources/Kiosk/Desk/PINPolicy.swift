import Foundation

/// Staff PIN attempts: 5 wrong tries lock the prompt for 60 seconds. Pure.
struct PINPolicy: Equatable {
    static let maximumFailures = 5
    static let lockSeconds = 60.0

    var failures = 0
    var lockedUntil: Double?

    func isLocked(now: Double) -> Bool { lockedUntil.map { now < $0 } ?? false }

    func secondsLeft(now: Double) -> Int { Int(((lockedUntil ?? now) - now).rounded(.up)) }

    mutating func record(success: Bool, now: Double) {
        if success {
            failures = 0
            lockedUntil = nil
            return
        }
        failures += 1
        if failures >= Self.maximumFailures {
            lockedUntil = now + Self.lockSeconds
            failures = 0
        }
    }
}
