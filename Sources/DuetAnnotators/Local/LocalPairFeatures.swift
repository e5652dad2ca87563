import Foundation

/// Features of a pair of responses for the pairwise model: φ(r0) − φ(r1)
/// (hashed text features, each L2-normalised) plus a few dense features
/// after the hashed buckets, each antisymmetric (swapping the responses
/// negates the whole vector, so a model without bias gives P(1 ≻ 0) = 1 − P(0 ≻ 1)).
enum LocalPairFeatures {
    /// Dense features, at indices `buckets + k`:
    /// 0. log(chars0 + 1) − log(chars1 + 1), clipped to ±3 (length ratio);
    /// 1. (words0 − words1) / max(words0, words1, 1);
    /// 2. refusal0 − refusal1 (1 when a response contains a refusal phrase);
    /// 3. (lines0 − lines1) / max(lines0, lines1, 1) (lists, steps, structure).
    static let denseCount = 4
    static let dim = LocalFeatures.buckets + denseCount

    /// Phrases that mark a refusal or an apology (matched lowercased, straight apostrophes).
    static let refusalPhrases = [
        "i'm sorry", "i am sorry", "i apologize", "i cannot", "i can't", "i can not", "i won't", "i will not",
        "i'm not able to", "i am not able to", "i'm unable", "i am unable", "as an ai", "i must decline",
        "not able to help", "can't help with", "cannot help with", "can't assist", "cannot assist",
        "not appropriate", "i'm not comfortable", "i am not comfortable",
    ]

    struct Summary {
        var logChars: Float
        var words: Int
        var lines: Int
        var refusal: Bool
    }

    static func summary(_ text: String) -> Summary {
        var chars = 0, words = 0, lines = 1
        var inWord = false
        for b in text.utf8 {
            if b & 0xC0 != 0x80 { chars += 1 }  // one per scalar
            let space = b == 0x20 || (b >= 0x09 && b <= 0x0D)
            if b == 0x0A { lines += 1 }
            if space {
                inWord = false
            } else if !inWord {
                inWord = true
                words += 1
            }
        }
        let lower = text.lowercased().replacingAll("\u{2019}", with: "'")
        let refusal = refusalPhrases.contains { lower.contains($0) }
        return Summary(logChars: logf(Float(chars) + 1), words: words, lines: lines, refusal: refusal)
    }

    static func dense(_ a: Summary, _ b: Summary) -> [Float] {
        [
            max(-3, min(3, a.logChars - b.logChars)),
            Float(a.words - b.words) / Float(max(a.words, b.words, 1)),
            (a.refusal ? 1 : 0) - (b.refusal ? 1 : 0),
            Float(a.lines - b.lines) / Float(max(a.lines, b.lines, 1)),
        ]
    }

    /// Appends the row for (r0, r1) to `rows`.
    static func append(_ r0: String, _ r1: String, featurizer f: inout LocalFeaturizer, to rows: inout LocalSparseRows) {
        var (idx, val) = f.difference(f.vector(r0), f.vector(r1))
        for (k, v) in dense(summary(r0), summary(r1)).enumerated() where v != 0 {
            idx.append(Int32(LocalFeatures.buckets + k))
            val.append(v)
        }
        rows.append(indices: idx, values: val)
    }
}

extension String {
    /// Every occurrence of `target` replaced (standard library only).
    fileprivate func replacingAll(_ target: Character, with replacement: Character) -> String {
        guard contains(target) else { return self }
        return String(map { $0 == target ? replacement : $0 })
    }
}
