import CNcursesShim

/// A key press, decoded from what curses reports. Pure, so it is tested without a tty.
enum Key: Equatable, Sendable {
    case character(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    case resize
    case interrupt  // Ctrl-C (raw mode delivers it as a key)

    /// `isFunctionKey`: curses returned KEY_CODE_YES (a key code, not a character).
    static func decode(isFunctionKey: Bool, value: UInt32) -> Key? {
        if isFunctionKey {
            let code = Int32(value)
            switch code {
            case KIOSK_KEY_RESIZE: return .resize
            case KIOSK_KEY_UP: return .up
            case KIOSK_KEY_DOWN: return .down
            case KIOSK_KEY_LEFT: return .left
            case KIOSK_KEY_RIGHT: return .right
            case KIOSK_KEY_BACKSPACE: return .backspace
            case KIOSK_KEY_ENTER: return .enter
            case KIOSK_KEY_BTAB: return .backTab
            case KIOSK_KEY_DC: return .delete
            case KIOSK_KEY_HOME: return .home
            case KIOSK_KEY_END: return .end
            case KIOSK_KEY_NPAGE: return .pageDown
            case KIOSK_KEY_PPAGE: return .pageUp
            default:
                for n in 1...12 where code == kiosk_key_f(Int32(n)) { return .function(n) }
                return nil
            }
        }
        switch value {
        case 3: return .interrupt
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }
}
