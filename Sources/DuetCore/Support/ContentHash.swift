/// Stable content hashing (Swift's `Hasher` is seeded per process, so ids
/// derived from it would change between runs).
public enum ContentHash {
    // FNV-1a 128: offset basis 0x6c62272e07bb014262b821756295c58d,
    // prime 2^88 + 0x13B. Kept as two 64-bit halves: generic UInt128
    // multiplication is several times slower.
    static let offsetHigh: UInt64 = 0x6c62_272e_07bb_0142
    static let offsetLow: UInt64 = 0x62b8_2175_6295_c58d

    /// FNV-1a, 128 bits, over the UTF-8 bytes of `text`, as 32 hex digits.
    public static func fnv1a128Hex(_ text: String) -> String {
        var hi = offsetHigh
        var lo = offsetLow
        for byte in text.utf8 {
            lo ^= UInt64(byte)
            // (hi, lo) × (2^88 + 0x13B) mod 2^128:
            //   × 0x13B   → full-width product of lo, plus hi × 0x13B into the high half;
            //   × 2^88    → lo shifted left by 24 into the high half.
            let (carry, low) = lo.multipliedFullWidth(by: 0x13B)
            hi = hi &* 0x13B &+ carry &+ (lo &<< 24)
            lo = low
        }
        return hex(hi) + hex(lo)
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
