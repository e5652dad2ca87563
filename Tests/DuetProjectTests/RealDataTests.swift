import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// Real datasets from ../shared/data; each test is skipped when the file is absent.
@Suite struct RealDataTests {
    static let hh = SharedData.path("hh-rlhf-harmless-test.jsonl.gz")
    static let sentiment = SharedData.path("tweeteval-sentiment-test.jsonl")

    @Test(.enabled(if: hh != nil, "../shared/data/hh-rlhf-harmless-test.jsonl.gz is absent"))
    func hhRLHFHarmlessPairs() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.compare)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [Self.hh!]), into: project.store)
        #expect(report.files.first?.format == .hhRLHF)
        #expect(report.counts.added == 2312)
        #expect(report.counts.sourceAnnotations == 2312)
        let items = try project.sqlite.items(for: nil, afterRowID: 0, limit: 5000)
        #expect(items.count == 2312)
        var emptyPrompts = 0, sameResponses = 0, wrongShape = 0
        for stored in items {
            let f = stored.item.fields
            let prompt = f.prompt ?? []
            if prompt.isEmpty || prompt.allSatisfy({ $0.content.isEmpty }) { emptyPrompts += 1 }
            guard let r = f.responses, r.count == 2 else { wrongShape += 1; continue }
            if r[0] == r[1] { sameResponses += 1 }
            // Turns alternate, starting with the user and ending with the user.
            if prompt.first?.role != "user" || prompt.last?.role != "user" || r[0].first?.role != "assistant" { wrongShape += 1 }
        }
        #expect(emptyPrompts == 0)
        #expect(sameResponses == 0)
        #expect(wrongShape == 0)
        // The source's preference is an annotation by source:<file>, choice 0 (chosen is stored first).
        let log = try project.sqlite.annotations(itemRowIDs: [items[0].rowID], task: nil)[items[0].rowID] ?? []
        #expect(log.count == 1)
        #expect(log.first?.entry.annotator == "source:hh-rlhf-harmless-test.jsonl.gz")
        #expect(log.first?.entry.annotatorKind == .source)
        #expect(log.first?.entry.value == ["choice": 0])
        // Re-import adds nothing.
        let again = try await ImportWorkflow.run(ImportRequest(paths: [Self.hh!]), into: project.store)
        #expect(again.counts.added == 0)
        #expect(again.counts.duplicates == 2312)
    }

    @Test(.enabled(if: sentiment != nil, "../shared/data/tweeteval-sentiment-test.jsonl is absent"))
    func tweetevalSentimentWithGold() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [Self.sentiment!]), into: project.store)
        #expect(report.counts.added == 12284)
        let status = try await StatusReport.make(project)
        #expect(status.items == 12284)
        #expect(status.tasks.first?.total == 12284)
        var gold: [String: Int] = [:]
        var after: Int64 = 0
        while true {
            let page = try project.sqlite.items(for: nil, afterRowID: after, limit: 4000)
            guard let last = page.last else { break }
            after = last.rowID
            for i in page { gold[i.item.gold?.string ?? "none", default: 0] += 1 }
        }
        #expect(gold["none"] == nil)
        #expect(Set(gold.keys) == ["negative", "neutral", "positive"])
        #expect(gold.values.reduce(0, +) == 12284)
        let first = try #require(try project.sqlite.item(dataset: "tweeteval-sentiment-test", uid: "sentiment-test-00000"))
        #expect(first.item.gold == "neutral")
    }
}
