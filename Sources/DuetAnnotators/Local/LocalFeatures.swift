/// Hashed text features for the built-in offline annotator.
///
/// A text is lowercased and cut into tokens: *words* (maximal runs of letters,
/// digits, marks and `_`, with an apostrophe kept when it sits between word
/// characters, as in "don't") and *symbols* (every other non-space scalar on
/// its own: "!", "?", "#", "@", each emoji). Features:
///
/// - `w:<token>`: unigrams of every token (words and symbols: "!" and "😀" carry sentiment);
/// - `b:<token> <token>`: bigrams of adjacent tokens;
/// - `c:<gram>`: character 3-, 4- and 5-grams of each word padded as `<word>` (fastText style).
///
/// Character n-grams are taken *within* words, not over the whole text: they
/// add what words miss (inflections, misspellings, elongations, unseen
/// compounds, scripts without spaces) while context across words is already
/// covered by the bigrams; grams spanning spaces would mostly duplicate the
/// bigrams and roughly double the feature count (and time) per text.
///
/// Each feature string is hashed with 32-bit FNV-1a over its UTF-8 bytes and
/// xor-folded to 18 bits (`(h >> 18) ^ (h & 0x3FFFF)`, the FNV authors' advice
/// for sizes that are not a power-of-two number of bytes). The hash is fixed,
/// unlike Swift's per-process seeded `Hasher`, so feature indices (and trained
/// models) are the same on every run and machine. Values are counts, with
/// character n-grams weighted by `charWeight`, and the vector is L2-normalised.
public enum LocalFeatures {
    public static let bits = 18
    /// 2^18 buckets.
    public static let buckets = 1 << bits
    /// Weight of one character n-gram relative to one word or bigram feature.
    public static let charWeight: Float = 0.5
    static let charGramSizes = 3...5

    /// 32-bit FNV-1a of `bytes`, continuing from `hash`.
    @inline(__always)
    public static func fnv1a<S: Sequence>(_ bytes: S, from hash: UInt32 = 2_166_136_261) -> UInt32 where S.Element == UInt8 {
        var h = hash
        for b in bytes {
            h ^= UInt32(b)
            h = h &* 16_777_619
        }
        return h
    }

    /// The bucket of a 32-bit hash: xor-folded to `bits` bits.
    @inline(__always)
    public static func fold(_ h: UInt32) -> Int32 {
        Int32(bitPattern: (h >> UInt32(bits)) ^ (h & UInt32(buckets - 1)))
    }

    /// The bucket of a whole feature string ("w:cat", "b:the cat", "c:<ca").
    public static func index(ofFeature feature: String) -> Int {
        Int(fold(fnv1a(feature.utf8)))
    }

    /// The (index, value) pairs of a text, indices unique, L2 norm 1 (empty for a text without tokens).
    public static func vector(_ text: String) -> [(index: Int, value: Float)] {
        var f = LocalFeaturizer()
        var rows = LocalSparseRows()
        f.append(text, to: &rows)
        return rows.row(0).map { (Int($0.index), $0.value) }
    }
}

/// Rows of sparse vectors, stored contiguously (CSR).
struct LocalSparseRows: Sendable {
    var offsets: [Int] = [0]
    var indices: [Int32] = []
    var values: [Float] = []

    var count: Int { offsets.count - 1 }

    mutating func append(indices idx: [Int32], values val: [Float]) {
        indices.append(contentsOf: idx)
        values.append(contentsOf: val)
        offsets.append(indices.count)
    }

    mutating func append(contentsOf other: LocalSparseRows) {
        let base = indices.count
        indices.append(contentsOf: other.indices)
        values.append(contentsOf: other.values)
        for k in 1..<other.offsets.count { offsets.append(base + other.offsets[k]) }
    }

    /// Appends `row` multiplied by `sign` (used for the swapped orientation of pairs).
    mutating func appendRow(of other: LocalSparseRows, _ r: Int, sign: Float) {
        for k in other.offsets[r]..<other.offsets[r + 1] {
            indices.append(other.indices[k])
            values.append(sign * other.values[k])
        }
        offsets.append(indices.count)
    }

    func row(_ r: Int) -> [(index: Int32, value: Float)] {
        (offsets[r]..<offsets[r + 1]).map { (indices[$0], values[$0]) }
    }
}

/// Turns texts into hashed feature rows. Holds scratch buffers, so one per thread.
struct LocalFeaturizer {
    private var acc = [Float](repeating: 0, count: LocalFeatures.buckets)
    private var touched: [Int32] = []
    /// UTF-8 bytes of the current text's tokens, back to back.
    private var bytes: [UInt8] = []
    /// Per token: byte range in `bytes`, whether it is a word.
    private var tokenStart: [Int] = []
    private var tokenEnd: [Int] = []
    private var tokenIsWord: [Bool] = []
    /// The padded word `<word>` and the byte offset of each of its scalars (plus the end).
    private var padded: [UInt8] = []
    private var scalarOffsets: [Int] = []

    private static let unigramSeed = LocalFeatures.fnv1a("w:".utf8)
    private static let bigramSeed = LocalFeatures.fnv1a("b:".utf8)
    private static let charSeed = LocalFeatures.fnv1a("c:".utf8)

    init() {}

    /// Appends the L2-normalised feature vector of `text` as one row.
    mutating func append(_ text: String, to rows: inout LocalSparseRows) {
        let v = vector(text)
        rows.append(indices: v.indices, values: v.values)
    }

    /// The L2-normalised feature vector of `text`, indices unique, in first-seen order.
    mutating func vector(_ text: String) -> (indices: [Int32], values: [Float]) {
        accumulate(text)
        var norm: Float = 0
        for j in touched { norm += acc[Int(j)] * acc[Int(j)] }
        return take(scale: norm > 0 ? 1 / norm.squareRoot() : 0)
    }

    /// `a − b` for two sparse vectors with unique indices; coordinates that cancel are dropped.
    mutating func difference(_ a: (indices: [Int32], values: [Float]), _ b: (indices: [Int32], values: [Float]))
        -> (indices: [Int32], values: [Float]) {
        for k in a.indices.indices { add(a.indices[k], a.values[k]) }
        for k in b.indices.indices { add(b.indices[k], -b.values[k]) }
        return take(scale: 1)
    }

    /// Adds the unnormalised features of `text` to the accumulator.
    private mutating func accumulate(_ text: String) {
        tokenize(text)
        let nTokens = tokenStart.count
        for t in 0..<nTokens {
            add(LocalFeatures.fold(hash(token: t, from: Self.unigramSeed)), 1)
            if t + 1 < nTokens {
                var h = hash(token: t, from: Self.bigramSeed)
                h = (h ^ UInt32(UInt8(ascii: " "))) &* 16_777_619
                add(LocalFeatures.fold(hash(token: t + 1, from: h)), 1)
            }
            if tokenIsWord[t] { addCharGrams(token: t, LocalFeatures.charWeight) }
        }
    }

    /// The accumulated (index, value × scale) pairs without exact zeros; resets the accumulator.
    /// An index listed twice in `touched` (it cancelled to 0 and came back) is emitted once:
    /// its slot is zero after the first emission.
    private mutating func take(scale: Float) -> (indices: [Int32], values: [Float]) {
        var idx: [Int32] = []
        var val: [Float] = []
        idx.reserveCapacity(touched.count)
        val.reserveCapacity(touched.count)
        for j in touched {
            let v = acc[Int(j)] * scale
            acc[Int(j)] = 0
            if v != 0 {
                idx.append(j)
                val.append(v)
            }
        }
        touched.removeAll(keepingCapacity: true)
        return (idx, val)
    }

    @inline(__always)
    private mutating func add(_ j: Int32, _ v: Float) {
        let i = Int(j)
        if acc[i] == 0 { touched.append(j) }
        acc[i] += v
    }

    @inline(__always)
    private func hash(token t: Int, from seed: UInt32) -> UInt32 {
        var h = seed
        for k in tokenStart[t]..<tokenEnd[t] {
            h ^= UInt32(bytes[k])
            h = h &* 16_777_619
        }
        return h
    }

    private mutating func addCharGrams(token t: Int, _ weight: Float) {
        padded.removeAll(keepingCapacity: true)
        scalarOffsets.removeAll(keepingCapacity: true)
        scalarOffsets.append(0)
        padded.append(UInt8(ascii: "<"))
        var k = tokenStart[t]
        let end = tokenEnd[t]
        while k < end {
            let b = bytes[k]
            // UTF-8 sequence length from the lead byte.
            let len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            scalarOffsets.append(padded.count)
            for q in k..<min(end, k + len) { padded.append(bytes[q]) }
            k += len
        }
        scalarOffsets.append(padded.count)
        padded.append(UInt8(ascii: ">"))
        scalarOffsets.append(padded.count)
        // scalarOffsets[i] = start of padded scalar i; the last entry is the end.
        let nScalars = scalarOffsets.count - 1
        for n in LocalFeatures.charGramSizes where n <= nScalars {
            for a in 0...(nScalars - n) {
                var h = Self.charSeed
                for q in scalarOffsets[a]..<scalarOffsets[a + n] {
                    h ^= UInt32(padded[q])
                    h = h &* 16_777_619
                }
                add(LocalFeatures.fold(h), weight)
            }
        }
    }

    private mutating func tokenize(_ text: String) {
        bytes.removeAll(keepingCapacity: true)
        tokenStart.removeAll(keepingCapacity: true)
        tokenEnd.removeAll(keepingCapacity: true)
        tokenIsWord.removeAll(keepingCapacity: true)
        let scalars = Array(text.lowercased().unicodeScalars)
        var inWord = false
        func close() {
            if inWord {
                tokenEnd.append(bytes.count)
                inWord = false
            }
        }
        for i in scalars.indices {
            let s = scalars[i]
            if Self.isIgnorable(s) { continue }
            if Self.isWordScalar(s)
                || (inWord && (s == "'" || s == "\u{2019}") && i + 1 < scalars.count && Self.isWordScalar(scalars[i + 1])) {
                if !inWord {
                    tokenStart.append(bytes.count)
                    tokenIsWord.append(true)
                    inWord = true
                }
                appendUTF8(s)
            } else {
                close()
                if Self.isSpace(s) { continue }
                tokenStart.append(bytes.count)
                tokenIsWord.append(false)
                appendUTF8(s)
                tokenEnd.append(bytes.count)
            }
        }
        close()
    }

    @inline(__always)
    private mutating func appendUTF8(_ s: Unicode.Scalar) {
        let v = s.value
        if v < 0x80 {
            bytes.append(UInt8(v))
        } else if v < 0x800 {
            bytes.append(UInt8(0xC0 | (v >> 6)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            bytes.append(UInt8(0xE0 | (v >> 12)))
            bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            bytes.append(UInt8(0xF0 | (v >> 18)))
            bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    @inline(__always)
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || v == 0x5F || (v >= 0x41 && v <= 0x5A)
        }
        let p = s.properties
        if p.isAlphabetic || p.numericType != nil { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
        return s.properties.isWhitespace
    }

    /// Variation selectors, zero-width joiners and the like: not tokens of their own.
    @inline(__always)
    static func isIgnorable(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x80 && s.properties.isDefaultIgnorableCodePoint
    }
}
