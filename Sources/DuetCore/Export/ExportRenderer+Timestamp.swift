import Foundation

/// Export timestamps, written by hand (see `timestamp`).
extension ExportRenderer {
    /// ISO 8601 in UTC with milliseconds, `2026-11-21T07:46:00.763Z`: the
    /// same text as Foundation's `.iso8601` format with fractional seconds
    /// (milliseconds truncated from the reference-date interval, as it does),
    /// built by hand because the formatter cost more than the rest of a row.
    public static func timestamp(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        writeTimestamp(date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func writeTimestamp(_ date: Date, into out: inout [UInt8]) {
        let r = date.timeIntervalSinceReferenceDate
        let whole = r.rounded(.down)
        let ms = Int(((r - whole) * 1000).rounded(.down))
        var t = time_t(Int(whole) + 978_307_200)
        var parts = tm()
        gmtime_r(&t, &parts)
        // Written into 24 bytes on the stack, then appended at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
            var at = 0
            /// The last `width` decimal digits of `v`, then `separator`.
            func put(_ v: Int, _ width: Int, _ separator: UInt8) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    text[i] = UInt8(0x30 + v % 10)
                    v /= 10
                }
                text[at + width] = separator
                at += width + 1
            }
            put(Int(parts.tm_year) + 1900, 4, 0x2D)  // -
            put(Int(parts.tm_mon) + 1, 2, 0x2D)
            put(Int(parts.tm_mday), 2, 0x54)  // T
            put(Int(parts.tm_hour), 2, 0x3A)  // :
            put(Int(parts.tm_min), 2, 0x3A)
            put(Int(parts.tm_sec), 2, 0x2E)  // .
            put(ms, 3, 0x5A)  // Z
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }
}
