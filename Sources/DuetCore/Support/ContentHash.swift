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

extension ContentHash {
    /// A stable 64-bit hash fed in parts, eight bytes at a time (the import
    /// hashes every row's content on its reader thread). Each part is
    /// prefixed with its length, so ("ab", "c") and ("a", "bc") differ.
    /// Stored in the store (`items.content_hash`): never change the mixing.
    public struct Hasher64 {
        private var h: UInt64 = 0x243F_6A88_85A3_08D3
        private static let k1: UInt64 = 0x87C3_7B91_1142_53D5
        private static let k2: UInt64 = 0x4CF5_AD43_2745_937F

        public init() {}

        private mutating func mix(_ word: UInt64) {
            var k = word &* Self.k1
            k = (k << 31) | (k >> 33)
            h ^= k &* Self.k2
            h = ((h << 27) | (h >> 37)) &* 5 &+ 0x52DC_E729
        }

        public mutating func combine(_ value: Int64) { mix(UInt64(bitPattern: value)) }

        /// A part of bytes; nil (SQL NULL) differs from every byte string.
        public mutating func combine(_ bytes: UnsafeBufferPointer<UInt8>?) {
            guard let bytes else { return combine(Int64(-1)) }
            combine(Int64(bytes.count))
            guard let base = bytes.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i + 8 <= bytes.count {
                mix(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            if i < bytes.count {
                var last: UInt64 = 0
                for j in i..<bytes.count { last |= UInt64(base[j]) << UInt64(8 * (j - i)) }
                mix(last)
            }
        }

        public mutating func combine(_ text: String?) {
            guard var text else { return combine(nil as UnsafeBufferPointer<UInt8>?) }
            text.withUTF8 { combine($0) }
        }

        /// The hash, mixed once more (fmix64) so every input bit reaches every output bit.
        public func finalize() -> Int64 {
            var x = h
            x ^= x >> 33
            x &*= 0xFF51_AFD7_ED55_8CCD
            x ^= x >> 33
            x &*= 0xC4CE_B9FE_1A85_EC53
            x ^= x >> 33
            return Int64(bitPattern: x)
        }
    }
}
