import CNcursesw
import Dispatch
import TermUI

extension CursesTerminal {
    /// What one `wget_wch` call reported.
    enum Decoded: Hashable {
        case key(Key)
        case resize
        /// A mouse event is waiting (`getmouse`).
        case mouse
        /// A key Duet has no name for (skipped).
        case unknown
        /// ERR: the timeout passed, or input ended.
        case timeout
    }

    /// The next key or resize; nil when `timeoutMilliseconds` passes first
    /// (nil waits for ever) or input has ended.
    ///
    /// Waiting for ever, it wakes every 100 ms to compare the terminal's size
    /// with the kernel's: SIGWINCH reaches only one thread, and in a process
    /// with Swift's thread pool that is often not the one blocked in
    /// `wget_wch`, so ncurses alone can miss a resize.
    public func nextEvent(timeoutMilliseconds: Int?) throws -> Event? {
        guard activate() != nil else { throw TerminalError.closed }
        let win = CNcursesw_stdscr()
        let polling = timeoutMilliseconds == nil
        let timeout = timeoutMilliseconds.map { Int32(clamping: max(0, $0)) } ?? 100
        wtimeout(win, timeout)
        var quickErrors = 0
        while true {
            var value: wint_t = 0
            let started = DispatchTime.now().uptimeNanoseconds
            let status = wget_wch(win, &value)
            let decoded = Self.decode(status: status, value: UInt32(value))
            if polling, decoded == .timeout {
                if let resized = resizedFromKernel() { return resized }
                // ERR at once, again and again: input has ended (a pipe or /dev/null).
                if DispatchTime.now().uptimeNanoseconds - started < 20_000_000 {
                    quickErrors += 1
                    if quickErrors >= 3 { return nil }
                } else {
                    quickErrors = 0
                }
                continue
            }
            switch decoded {
            case .key(let key):
                return .key(key)
            case .resize:
                // ncurses has already resized stdscr; repaint everything next time.
                needsFullRedraw = true
                let s = Self.screenSize()
                return .resize(width: s.width, height: s.height)
            case .mouse:
                var x: Int32 = 0, y: Int32 = 0
                var buttons: mmask_t = 0
                guard CNcursesw_getmouse(&x, &y, &buttons) == CNcursesw_OK(), let m = Self.decodeMouse(buttons: buttons, x: Int(x), y: Int(y))
                else { continue }
                return .mouse(m)
            case .timeout:
                return nil
            case .unknown:
                continue
            }
        }
    }

    /// A resize ncurses has not noticed: the kernel's size of the output
    /// terminal differs from the screen's. Resizes curses and reports it.
    func resizedFromKernel() -> Event? {
        var rows: Int32 = 0, cols: Int32 = 0
        guard CNcursesw_terminal_size(fileno(output), &rows, &cols) == 0 else { return nil }
        let now = Self.screenSize()
        guard Int(rows) != now.height || Int(cols) != now.width else { return nil }
        resizeterm(rows, cols)
        needsFullRedraw = true
        return .resize(width: Int(cols), height: Int(rows))
    }

    /// Maps what `getmouse` reports to a click or a wheel turn (nil: a button Duet does not use). Pure.
    static func decodeMouse(buttons: mmask_t, x: Int, y: Int) -> Mouse? {
        if buttons & (CNcursesw_BUTTON1_RELEASED() | CNcursesw_BUTTON1_CLICKED()) != 0 { return Mouse(.click, x: x, y: y) }
        if buttons & CNcursesw_BUTTON4_PRESSED() != 0 { return Mouse(.wheelUp, x: x, y: y) }
        let down = CNcursesw_BUTTON5_PRESSED()
        if down != 0, buttons & down != 0 { return Mouse(.wheelDown, x: x, y: y) }
        return nil
    }

    /// Maps a `wget_wch` result (status, value) to a key. Pure, so it can be
    /// tested without a terminal.
    static func decode(status: Int32, value: UInt32) -> Decoded {
        if status == CNcursesw_OK() { return decodeCharacter(value) }
        if status == CNcursesw_KEY_CODE_YES() { return decodeFunctionKey(Int32(bitPattern: value)) }
        return .timeout
    }

    private static func decodeCharacter(_ v: UInt32) -> Decoded {
        switch v {
        case 10, 13: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(96 + v)))))
        case 0..<32, 0x80..<0xA0: return .unknown
        default:
            guard let scalar = Unicode.Scalar(v) else { return .unknown }
            return .key(.char(Character(scalar)))
        }
    }

    private static func decodeFunctionKey(_ code: Int32) -> Decoded {
        if code == CNcursesw_KEY_RESIZE() { return .resize }
        if code == CNcursesw_KEY_MOUSE() { return .mouse }
        let table: [(Int32, Key)] = [
            (CNcursesw_KEY_UP(), .up), (CNcursesw_KEY_DOWN(), .down),
            (CNcursesw_KEY_LEFT(), .left), (CNcursesw_KEY_RIGHT(), .right),
            (CNcursesw_KEY_HOME(), .home), (CNcursesw_KEY_END(), .end),
            (CNcursesw_KEY_NPAGE(), .pageDown), (CNcursesw_KEY_PPAGE(), .pageUp),
            (CNcursesw_KEY_DC(), .delete), (CNcursesw_KEY_IC(), .insert),
            (CNcursesw_KEY_BACKSPACE(), .backspace), (CNcursesw_KEY_ENTER(), .enter),
            (CNcursesw_KEY_BTAB(), .backTab),
        ]
        if let hit = table.first(where: { $0.0 == code }) { return .key(hit.1) }
        // F13–F24 are what most terminals send for shift-F1…F12.
        let f = code - CNcursesw_KEY_F(0)
        if (1...24).contains(f) { return .key(.function(Int(f))) }
        return .unknown
    }
}
