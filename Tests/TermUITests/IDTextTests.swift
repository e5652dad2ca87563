import Testing
@testable import TermUI

@Suite struct IDTextTests {
    let ids = (121...125).map { "sentiment-test-00\($0)" }

    @Test func sharedPrefixStopsAtTheStartOfTheRunTheIdsDifferIn() {
        #expect(IDText.sharedPrefix(ids) == "sentiment-test-")  // not "sentiment-test-001"
        #expect(IDText.sharedPrefix(["item1", "item10"]) == "item")
        #expect(IDText.sharedPrefix(["run-alpha", "run-beta"]) == "run-")
        #expect(IDText.sharedPrefix(["test00123", "test00124"]) == "test")  // digits after letters: a run of their own
        #expect(IDText.sharedPrefix(["sentiment-test-00123"]) == "sentiment-test-")  // one id: without its last run
        #expect(IDText.sharedPrefix(["abc", "xyz"]) == "")
        #expect(IDText.sharedPrefix([String]()) == "")
    }

    @Test func keepsTheDistinguishingEndAndFillsWithTheStart() {
        let shared = IDText.sharedPrefix(ids)
        #expect(IDText.fit("sentiment-test-00123", width: 14, sharedPrefix: shared) == "sentimen…00123")
        #expect(IDText.fit("sentiment-test-00123", width: 10, sharedPrefix: shared) == "sent…00123")
        #expect(IDText.fit("sentiment-test-00123", width: 6, sharedPrefix: shared) == "…00123")
        // Narrower than the distinguishing part: the id's end.
        #expect(IDText.fit("sentiment-test-00123", width: 4, sharedPrefix: shared) == "…123")
        #expect(IDText.fit("sentiment-test-00123", width: 1) == "…")
        #expect(IDText.fit("sentiment-test-00123", width: 0) == "")
        // Fits: unchanged. Alone (no shared prefix): its last run stays.
        #expect(IDText.fit("sentiment-test-00123", width: 20) == "sentiment-test-00123")
        #expect(IDText.fit("sentiment-test-00123", width: 10) == "sent…00123")
        // Every row of the old table read "sentiment-tes…"; now each is different.
        #expect(Set(ids.map { IDText.fit($0, width: 14, sharedPrefix: shared) }).count == ids.count)
    }

    @Test func countsDisplayColumnsAndNeverSplitsAGrapheme() {
        // Wide characters take two columns each.
        let cjk = ["感情分析-テスト-000123", "感情分析-テスト-000124"]
        let shared = IDText.sharedPrefix(cjk)
        #expect(shared == "感情分析-テスト-")
        let fitted = IDText.fit(cjk[0], width: 12, sharedPrefix: shared)
        #expect(fitted == "感情…000123")
        #expect(DisplayWidth.of(fitted) == 11)  // a wide character does not fit the one column left
        // All-wide ids with no separator: one run, the end stays.
        let wide = IDText.fit("感情分析テスト一二三", width: 7)
        #expect(wide == "…一二三")
        #expect(DisplayWidth.of(wide) <= 7)
        // Combining marks and emoji sequences stay whole.
        let marks = "cafe\u{301}-cafe\u{301}-e\u{301}e\u{301}e\u{301}"
        let out = IDText.fit(marks, width: 8)
        #expect(out == "caf…e\u{301}e\u{301}e\u{301}" || out == "cafe\u{301}…e\u{301}e\u{301}e\u{301}")
        #expect(out.unicodeScalars.filter { $0 == "\u{301}" }.count == out.filter { $0 == "e\u{301}" }.count)
        let family = "id-👨‍👩‍👧-👨‍👩‍👧👨‍👩‍👧"
        for w in 1...10 {
            let f = IDText.fit(family, width: w)
            #expect(DisplayWidth.of(f) <= w)
            #expect(f.allSatisfy { $0 == "…" || family.contains($0) })
        }
    }
}
