/// Stable content hashing (Swift's `Hasher` is seeded per process, so ids
/// derived from it would change between runs).
public enum ContentHash {
    static let offset128: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    static let prime128: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B

    /// FNV-1a, 128 bits, over the UTF-8 bytes of `text`, as 32 hex digits.
    public static func fnv1a128Hex(_ text: String) -> String {
        var h = offset128
        for byte in text.utf8 {
            h ^= UInt128(byte)
            h = h &* prime128
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }
}
