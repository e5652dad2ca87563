/// Word-level differences between two texts, for the pair screen's `d`
/// highlight: which words of each text are not part of their longest common
/// subsequence of words.
public enum WordDiff {
    /// A text cut into words and the whitespace between them (joined back, the tokens give the text).
    public static func tokens(_ text: String) -> [Substring] {
        var out: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        var inSpace: Bool?
        while i < text.endIndex {
            let space = text[i].isWhitespace
            if let s = inSpace, s != space {
                out.append(text[start..<i])
                start = i
            }
            inSpace = space
            i = text.index(after: i)
        }
        if start < text.endIndex { out.append(text[start...]) }
        return out
    }

    /// For each token of `a` and `b`, whether it is a changed word (whitespace is never changed).
    /// nil when the texts are too long to compare quickly (more than `limit` word pairs).
    public static func changes(_ a: [Substring], _ b: [Substring], limit: Int = 4_000_000) -> (a: [Bool], b: [Bool])? {
        let wa = a.indices.filter { !a[$0].first!.isWhitespace }
        let wb = b.indices.filter { !b[$0].first!.isWhitespace }
        let n = wa.count, m = wb.count
        guard n * m <= limit else { return nil }
        // lcs[i][j] = LCS length of wa[i...] and wb[j...], one flat array.
        var lcs = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        let w = m + 1
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i * w + j] = a[wa[i]] == b[wb[j]] ? lcs[(i + 1) * w + j + 1] + 1 : max(lcs[(i + 1) * w + j], lcs[i * w + j + 1])
                }
            }
        }
        var changedA = [Bool](repeating: false, count: a.count)
        var changedB = [Bool](repeating: false, count: b.count)
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && a[wa[i]] == b[wb[j]] {
                i += 1
                j += 1
            } else if j < m && (i == n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j]) {
                changedB[wb[j]] = true
                j += 1
            } else {
                changedA[wa[i]] = true
                i += 1
            }
        }
        return (changedA, changedB)
    }

    /// Words in a text (for the length shown on each response).
    public static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }
}
