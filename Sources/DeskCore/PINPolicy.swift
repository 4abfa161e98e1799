import Foundation

/// Staff PIN attempts: 5 wrong tries lock the prompt for 60 seconds. Pure.
public struct PINPolicy: Equatable, Sendable {
    public static let maximumFailures = 5
    public static let lockSeconds = 60.0

    public var failures = 0
    public var lockedUntil: Double?

    public init() {}

    public func isLocked(now: Double) -> Bool { lockedUntil.map { now < $0 } ?? false }

    public func secondsLeft(now: Double) -> Int { Int(((lockedUntil ?? now) - now).rounded(.up)) }

    public mutating func record(success: Bool, now: Double) {
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
