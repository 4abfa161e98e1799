import Foundation
import Store

/// Setting and changing the staff PIN, for the CLI (`kiosk staff set-pin`): the only way
/// to set one. The desk's keyboard can never set or change it; here, a PIN that exists
/// is replaced only by someone who knows it, or with an explicit reset by whoever has
/// the box's shell (the people who installed it).
public enum StaffPIN {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case unacceptable(String)
        case wrongCurrentPIN
        case currentPINNeeded

        public var description: String {
            switch self {
            case .unacceptable(let reason): return reason
            case .wrongCurrentPIN: return "the current PIN is wrong; nothing changed (kiosk staff set-pin --reset replaces a lost PIN)"
            case .currentPINNeeded: return "a staff PIN is already set: give the current one, or use --reset"
            }
        }
    }

    /// Stores `new` as the staff PIN. Over an existing PIN, `current` must match unless `reset`.
    public static func set(_ new: String, current: String?, reset: Bool, in store: any VisitorStore) throws {
        if let problem = PINHash.isAcceptable(pin: new) { throw Refusal.unacceptable(problem) }
        if let stored = try store.staffPINHash(), !reset {
            guard let current else { throw Refusal.currentPINNeeded }
            guard PINHash.verify(pin: current, against: stored) else { throw Refusal.wrongCurrentPIN }
        }
        try store.setStaffPINHash(PINHash.make(pin: new))
        // A new PIN from the shell ends any lockout at the desks.
        _ = try store.updatePINLockState { $0 = PINLockState() }
    }
}
