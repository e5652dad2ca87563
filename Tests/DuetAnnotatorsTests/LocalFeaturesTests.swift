import DuetAnnotators
import Testing

/// Feature indices are fixed numbers: a trained model, a test expectation and
/// a Python reimplementation must all agree. The expected values were computed
/// once with this Python (32-bit FNV-1a over UTF-8, xor-folded to 18 bits):
///
///     def idx(s):
///         h = 2166136261
///         for b in s.encode(): h = ((h ^ b) * 16777619) & 0xffffffff
///         return (h >> 18) ^ (h & 0x3ffff)
@Suite struct LocalFeaturesTests {
    @Test func hashIsFNV1a32() {
        // The FNV-1a test vectors: "" → offset basis, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
        #expect(LocalFeatures.fnv1a([UInt8]()) == 0x811C_9DC5)
        #expect(LocalFeatures.fnv1a("a".utf8) == 0xE40C_292C)
        #expect(LocalFeatures.fnv1a("foobar".utf8) == 0xBF9C_F968)
    }

    @Test func fixedFeatureIndices() {
        #expect(LocalFeatures.buckets == 262_144)
        #expect(LocalFeatures.index(ofFeature: "w:cat") == 248_855)
        #expect(LocalFeatures.index(ofFeature: "b:the cat") == 6_521)
        #expect(LocalFeatures.index(ofFeature: "c:<ca") == 234_825)
        #expect(LocalFeatures.index(ofFeature: "c:été") == 56_005)
        #expect(LocalFeatures.index(ofFeature: "w:😀") == 8_904)
    }

    @Test func vectorOfAShortText() {
        // "Cat!" → tokens "cat" (word), "!" (symbol): two unigrams (1 each), one bigram (1),
        // the char 3/4/5-grams of "<cat>" (6 grams, 0.5 each); norm² = 3 + 6 × 0.25 = 4.5.
        let expected: [Int: Float] = [
            248_855: 1, 94_741: 1, 246_947: 1,  // w:cat, w:!, b:cat !
            234_825: 0.5, 64_841: 0.5, 83_507: 0.5,  // c:<ca, c:cat, c:at>
            245_239: 0.5, 93_606: 0.5, 7_513: 0.5,  // c:<cat, c:cat>, c:<cat>
        ]
        let norm = Float(4.5).squareRoot()
        let v = LocalFeatures.vector("Cat!")
        #expect(v.count == expected.count)
        for (i, x) in v {
            let want = (expected[i] ?? -1) / norm
            #expect(abs(x - want) < 1e-6, "feature \(i)")
        }
    }

    @Test func tokensKeepApostrophesAndDropVariationSelectors() {
        // "don't" is one word: its unigram is there, "w:don" is not.
        let dont = Set(LocalFeatures.vector("don't").map(\.index))
        #expect(dont.contains(LocalFeatures.index(ofFeature: "w:don't")))
        #expect(!dont.contains(LocalFeatures.index(ofFeature: "w:don")))
        // ❤️ = U+2764 U+FE0F: the selector is not a token, so the vector equals that of U+2764 alone.
        #expect(LocalFeatures.vector("love ❤️").map(\.index) == LocalFeatures.vector("love \u{2764}").map(\.index))
        #expect(LocalFeatures.vector("   ").isEmpty)
    }
}
