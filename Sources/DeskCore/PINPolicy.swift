import Foundation
import Store

/// The staff PIN's lockout rule, pure: 5 wrong PINs in a row lock the prompt for a
/// minute; each further lockout without a correct PIN between doubles it, up to an hour.
/// The state lives in the database (`PINLockState`), so a restart or another desk does
/// not reset it.
public enum PINPolicy {
    public static let maximumFailures = 5
    public static let firstLockSeconds = 60.0
    public static let longestLockSeconds = 3600.0

    public static func isLocked(_ state: PINLockState, now: Date) -> Bool {
        state.lockedUntil.map { now < $0 } ?? false
    }

    public static func secondsLeft(_ state: PINLockState, now: Date) -> Int {
        Int(((state.lockedUntil ?? now).timeIntervalSince(now)).rounded(.up))
    }

    /// How long the `lockouts`-th lockout in a row lasts.
    public static func lockSeconds(lockouts: Int) -> Double {
        min(longestLockSeconds, firstLockSeconds * pow(2, Double(max(0, lockouts - 1))))
    }

    public static func recordFailure(_ state: inout PINLockState, now: Date) {
        state.failures += 1
        if state.failures >= maximumFailures {
            state.failures = 0
            state.lockouts += 1
            state.lockedUntil = now.addingTimeInterval(lockSeconds(lockouts: state.lockouts))
        }
    }

    public static func recordSuccess(_ state: inout PINLockState) {
        state = PINLockState()
    }
}

/// The answer to a PIN typed at the desk.
public enum PINCheck: Equatable, Sendable {
    case correct
    case wrong(triesLeft: Int)
    /// Not even checked: the prompt is locked for this many more seconds.
    case locked(secondsLeft: Int)
}
