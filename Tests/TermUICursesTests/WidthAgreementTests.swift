import CNcursesw
import Foundation
import Testing
import TermUI

/// DisplayWidth must count columns exactly as the C library's wcwidth, which
/// ncurses uses to place characters; otherwise wide characters drift.
@Suite struct WidthAgreementTests {
    @Test func everyScalarAgreesWithWcwidth() throws {
        // The locale is process-wide: set UTF-8 for good, as the headless curses tests do. Restoring
        // "C" afterwards raced with those tests running in parallel (their wide characters came out blank).
        Headless.useUTF8Locale()
        try #require(String(cString: setlocale(LC_CTYPE, nil)).lowercased().contains("utf"))
        var compared = 0
        var mismatches: [String] = []
        for v in UInt32(0x20)...0x10FFFF {
            guard let scalar = Unicode.Scalar(v) else { continue }  // surrogates
            let w = wcwidth(wchar_t(bitPattern: v))
            if w < 0 { continue }  // not printable: the canvas shows control characters as symbols
            compared += 1
            if DisplayWidth.of(scalar) != Int(w), mismatches.count < 20 {
                mismatches.append(String(format: "U+%04X: ours %d, wcwidth %d", v, DisplayWidth.of(scalar), w))
            }
        }
        #expect(compared > 250_000)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}
