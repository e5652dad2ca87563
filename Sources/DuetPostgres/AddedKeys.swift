import Foundation

/// The (dataset, uid) keys an import added, as a Bloom filter of 2^24 bits (2 MB, whatever the import's size;
/// at 10^6 keys about 1 in 500 unseen keys is reported as maybe seen, and costs a lookup).
struct AddedKeys {
    private static let bits = 1 << 24
    private var words = [UInt64](repeating: 0, count: AddedKeys.bits / 64)

    mutating func insert(dataset: String, uid: String) {
        for bit in Self.positions(dataset: dataset, uid: uid) { words[bit >> 6] |= 1 << UInt64(bit & 63) }
    }

    func mayContain(dataset: String, uid: String) -> Bool {
        Self.positions(dataset: dataset, uid: uid).allSatisfy { words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }

    /// Four bit positions from one hash (double hashing).
    private static func positions(dataset: String, uid: String) -> [Int] {
        var hasher = Hasher()
        hasher.combine(dataset)
        hasher.combine(uid)
        let h = UInt64(bitPattern: Int64(hasher.finalize()))
        let a = h & 0xFFFF_FFFF, b = (h >> 32) | 1
        return (0..<4).map { Int((a &+ UInt64($0) &* b) % UInt64(bits)) }
    }
}
