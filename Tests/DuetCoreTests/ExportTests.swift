@testable import DuetCore
import Foundation
import Testing

@Suite struct ExportTests {
    static let sentiment = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"])
    static let review = TaskSpec(name: "review", kind: .review)

    static func stored(_ item: Item, row: Int64 = 1) -> StoredItem { StoredItem(rowID: row, item: item) }

    static func render(_ item: Item, _ format: ExportFormat, task: TaskSpec? = nil, scope: DecisionScope = .final,
                       decisions: [Annotation] = []) -> (Result<String, ExportSkip>, String?) {
        var provenance: String? = "stale"
        let r = ExportRenderer.render(ExportRow(item: stored(item), decisions: decisions), format: format, task: task,
                                      scope: scope, provenance: &provenance)
        return (r, provenance)
    }

    static func json(_ r: Result<String, ExportSkip>) throws -> JSONValue {
        try JSONValue.parse(try r.get())
    }

    static let textItem = Item(uid: "r1", dataset: "ds", kind: .text, fields: .text("great film"), gold: "pos",
                               metadata: ["lang": "en"])

    static func decision(_ id: Int64, task: String = "sentiment", by who: String = "alice", kind: AnnotatorKind = .human,
                         value: JSONValue?, at t: Double = 0) -> Annotation {
        Annotation(id: id, entry: NewAnnotation(itemRowID: 1, task: task, annotatorKind: kind, annotator: who, value: value,
                                                confidence: 0.75, note: "sure", createdAt: T.date(t), seconds: 3.14159, display: .ba))
    }

    @Test func timestampIsUTCWithMilliseconds() {
        // 1_700_000_000 s after the epoch is 2023-11-14 22:13:20 UTC.
        #expect(ExportRenderer.timestamp(T.date(0.25)) == "2023-11-14T22:13:20.250Z")
    }

    @Test func timestampMatchesFoundationsISO8601Format() {
        // The hand-built text equals Foundation's formatter on 20,000 seeded dates, ms boundaries included.
        func foundation(_ d: Date) -> String {
            d.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon)
                .timeZone(separator: .omitted))
        }
        var rng = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { rng.next() }
        var mismatches: [String] = []
        for i in 0..<20_000 {
            let ms = Double(next() % 4_000_000_000_000) / 1000  // 1970–2096, whole milliseconds
            let t = i % 2 == 0 ? ms : ms + Double(next() % 1000) / 1_000_000  // and in between
            let d = Date(timeIntervalSince1970: t)
            if ExportRenderer.timestamp(d) != foundation(d) { mismatches.append("\(t)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(ExportRenderer.timestamp(Date(timeIntervalSince1970: -1.5)) == foundation(Date(timeIntervalSince1970: -1.5)))
    }

    @Test func jsonlWithoutDecisions() throws {
        let (r, prov) = Self.render(Self.textItem, .jsonl)
        #expect(try r.get() == #"{"dataset":"ds","gold":"pos","id":"r1","kind":"text","meta":{"lang":"en"},"text":"great film"}"#)
        #expect(prov == nil)
    }

    @Test func jsonlFinalDecisionWithProvenance() throws {
        var d = Self.decision(9, value: "neg")
        d.entry.flagged = true
        d.entry.entropy = 0.5
        d.entry.votes = ["neg": 3, "pos": 1]
        let (r, _) = Self.render(Self.textItem, .jsonl, task: Self.sentiment, decisions: [d])
        let o = try Self.json(r)
        #expect(o["label"] == "neg")
        #expect(o["gold"] == "pos")
        #expect(o["text"] == "great film")
        #expect(o["annotations"] == nil)
        let expected: JSONValue = [
            "annotator": "alice", "annotator_kind": "human", "status": "submitted", "value": "neg",
            "created_at": .string(ExportRenderer.timestamp(T.date(0))), "task": "sentiment", "confidence": 0.75,
            "votes": ["neg": 3, "pos": 1], "entropy": 0.5, "flagged": true, "note": "sure", "seconds": 3.142, "display": "BA",
        ]
        #expect(o["annotation"] == expected)
    }

    @Test func jsonlAllScopeListsEveryDecision() throws {
        let ds = [Self.decision(1, by: "alice", value: "neg", at: 0), Self.decision(2, by: "llm:gpt", kind: .machine, value: "pos", at: 5)]
        let (r, _) = Self.render(Self.textItem, .jsonl, task: Self.sentiment, scope: .all, decisions: ds)
        let o = try Self.json(r)
        #expect(o["label"] == nil)
        let list = try #require(o["annotations"]?.array)
        #expect(list.map { $0["annotator"] } == ["alice", "llm:gpt"])
        #expect(list.map { $0["annotator_kind"] } == ["human", "machine"])
        #expect(list.map { $0["value"] } == ["neg", "pos"])
    }

    @Test func jsonlHumanScopeWithSeveralPeople() throws {
        let ds = [Self.decision(1, by: "alice", value: "neg", at: 0), Self.decision(2, by: "bob", value: "pos", at: 5)]
        let o = try Self.json(Self.render(Self.textItem, .jsonl, task: Self.sentiment, scope: .human, decisions: ds).0)
        #expect(o["label"] == "pos")
        #expect(o["annotation"]?["annotator"] == "bob")
        #expect(o["annotations"]?.array?.map { $0["annotator"] } == ["alice", "bob"])
    }

    @Test func undecidedRowIsSkipped() {
        let (r, _) = Self.render(Self.textItem, .jsonl, task: Self.sentiment, scope: .final)
        #expect(r == .failure(.undecided))
        let (all, _) = Self.render(Self.textItem, .jsonl, task: Self.sentiment, scope: .all)
        #expect((try? all.get()) != nil)
    }

    @Test func jsonlPairFields() throws {
        let item = Item(uid: "p1", dataset: "prefs", kind: .pair,
                        fields: ItemFields(prompt: [.user("q")], responses: [[.assistant("a")], [.assistant("b")]]))
        let (r, _) = Self.render(item, .jsonl)
        #expect(try r.get() == #"{"dataset":"prefs","id":"p1","kind":"pair","prompt":[{"content":"q","role":"user"}],"responses":[[{"content":"a","role":"assistant"}],[{"content":"b","role":"assistant"}]]}"#)
    }

    // MARK: CSV

    @Test func csvHeader() {
        #expect(ExportRenderer.csvLine(ExportRenderer.csvHeader)
            == "id,dataset,text,gold,label,annotator,annotator_kind,confidence,entropy,status,flagged,note,seconds,created_at")
    }

    @Test func csvQuoting() {
        #expect(ExportRenderer.csvLine(["a", "b,c", "d\"e", "f\ng", "h\ri", ""]) == "a,\"b,c\",\"d\"\"e\",\"f\ng\",\"h\ri\",")
        // CRLF is one Character and a quote with a combining mark is not a quote: both are still quoted.
        #expect(ExportRenderer.csvLine(["crlf\r\nline", "\"\u{301}x", ",\u{301}"]) == "\"crlf\r\nline\",\"\"\"\u{301}x\",\",\u{301}\"")
    }

    /// Whatever a cell holds, Duet's own CSV reader gets the same cells back
    /// (a CRLF line break inside a cell comes back as LF: the reader normalises line ends).
    @Test func csvCellsRoundTripThroughTheReader() throws {
        let cells = ["plain", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nline", "\r\n", "cr\ronly", "\"", "\"\u{301}accent",
                     ",\u{301}", "é ✓ 中文 👩‍👩‍👧", " padded ", ""]
        let header = cells.indices.map { "c\($0)" }
        let csv = ExportRenderer.csvLine(header) + "\n" + ExportRenderer.csvLine(cells) + "\n"
        var reader = DelimitedRowReader(MemoryByteSource(csv), file: "out.csv", tabs: false)
        let row = try #require(try reader.next())
        for (i, cell) in cells.enumerated() {
            #expect(row.value["c\(i)"]?.string == cell.replacingOccurrences(of: "\r\n", with: "\n"), "cell \(i): \(cell.debugDescription)")
        }
        #expect(try reader.next() == nil)
    }

    @Test func csvRowWithDecision() throws {
        let item = Item(uid: "r1", dataset: "ds", kind: .text, fields: .text("say \"hi\", then\nleave"), gold: ["a", "b"])
        var d = Self.decision(3, value: "pos")
        d.entry.flagged = true
        d.entry.seconds = 2.5
        let (r, _) = Self.render(item, .csv, task: Self.sentiment, decisions: [d])
        let ts = ExportRenderer.timestamp(T.date(0))
        #expect(try r.get() == "r1,ds,\"say \"\"hi\"\", then\nleave\",a|b,pos,alice,human,0.75,,submitted,1,sure,2.500,\(ts)")
    }

    @Test func csvRowWithoutDecision() throws {
        let item = Item(uid: "r2", dataset: "ds", kind: .text, fields: .text("plain"))
        #expect(try Self.render(item, .csv).0.get() == "r2,ds,plain,,,,,,,,,,,")
    }

    // MARK: Chat formats

    static let demo = Item(uid: "d1", dataset: "sft", kind: .demonstration, fields: ItemFields(messages: [
        .system("sys"), .user("u1"), .assistant("a1"), Message(role: "tool", content: "t1"), .user("u2"), .assistant("a2"),
    ]))

    @Test func shareGPTExport() throws {
        let o = try Self.json(Self.render(Self.demo, .sharegpt).0)
        #expect(o == [
            "id": "d1", "system": "sys",
            "conversations": [
                ["from": "human", "value": "u1"], ["from": "gpt", "value": "a1"], ["from": "observation", "value": "t1"],
                ["from": "human", "value": "u2"], ["from": "gpt", "value": "a2"],
            ],
        ])
    }

    @Test func messagesExport() throws {
        let o = try Self.json(Self.render(Self.demo, .messages).0)
        #expect(o["messages"]?.array?.count == 6)
        #expect(o["messages"]?.array?.first == ["role": "system", "content": "sys"])
        #expect(o["messages"]?.array?.last == ["role": "assistant", "content": "a2"])
    }

    @Test func alpacaExportKeepsInstructionAndInputApart() throws {
        var item = Item(uid: "a1", dataset: "sft", kind: .demonstration, fields: ItemFields(messages: [
            .system("Be brief."), .user("q1"), .assistant("r1"), .user("Translate\n\nBonjour"), .assistant("Hello"),
        ]))
        item.metadata["_alpaca"] = ["instruction": "Translate", "input": "Bonjour"]
        let o = try Self.json(Self.render(item, .alpaca).0)
        #expect(o == ["id": "a1", "instruction": "Translate", "input": "Bonjour", "output": "Hello", "system": "Be brief.",
                      "history": [["q1", "r1"]]])
    }

    @Test func alpacaExportWithoutSplitMetadata() throws {
        let item = Item(uid: "m1", dataset: "sft", kind: .demonstration,
                        fields: ItemFields(messages: [.user("What?\n\nthis"), .assistant("That.")]))
        let o = try Self.json(Self.render(item, .alpaca).0)
        #expect(o == ["id": "m1", "instruction": "What?\n\nthis", "input": "", "output": "That."])
    }

    @Test func reviewRejectedIsLeftOut() {
        let d = Self.decision(1, task: "review", value: ["verdict": "reject", "rating": 1])
        for format in [ExportFormat.alpaca, .sharegpt, .messages] {
            #expect(Self.render(Self.demo, format, task: Self.review, decisions: [d]).0 == .failure(.rejected))
        }
    }

    @Test func reviewEditReplacesTheLastAssistantTurn() throws {
        let d = Self.decision(4, task: "review", value: ["verdict": "accept", "edited": "a2, improved"])
        let (r, prov) = Self.render(Self.demo, .messages, task: Self.review, decisions: [d])
        let msgs = try #require(try Self.json(r)["messages"]?.array)
        #expect(msgs.map { $0["content"] } == ["sys", "u1", "a1", "t1", "u2", "a2, improved"])
        let p = try JSONValue.parse(try #require(prov))
        #expect(p["id"] == "d1")
        #expect(p["annotator"] == "alice")
        #expect(p["value"]?["edited"] == "a2, improved")
        let a = try Self.json(Self.render(Self.demo, .alpaca, task: Self.review, decisions: [d]).0)
        #expect(a["output"] == "a2, improved")
        #expect(a["instruction"] == "u2")
    }

    @Test(arguments: [
        (ExportFormat.csv, ItemKind.pair), (.csv, .demonstration), (.alpaca, .text), (.sharegpt, .pair), (.messages, .ranking),
    ])
    func wrongKindIsLeftOut(format: ExportFormat, kind: ItemKind) {
        let item = Item(uid: "x", dataset: "ds", kind: kind, fields: .text("t"))
        #expect(Self.render(item, format).0 == .failure(.wrongKind))
    }

    // MARK: Round trips

    @Test func alpacaRoundTrip() throws {
        let source = """
        {"instruction": "Say hi", "input": "", "output": "Hi!"}
        {"instruction": "Translate", "input": "Bonjour\\n\\nmonde", "output": "Hello world", "system": "terse"}
        {"instruction": "Continue", "input": "x", "output": "y", "history": [["h1", "g1"], ["h2", "g2"]]}
        """
        let recs = try T.importAll(source)
        #expect(recs.count == 3)
        let back = try recs.map { try Self.json(Self.render($0.item, .alpaca).0) }
        #expect(back.map { $0["instruction"] } == ["Say hi", "Translate", "Continue"])
        #expect(back.map { $0["input"] } == ["", "Bonjour\n\nmonde", "x"])
        #expect(back.map { $0["output"] } == ["Hi!", "Hello world", "y"])
        #expect(back.map { $0["system"] } == [nil, "terse", nil])
        #expect(back.map { $0["history"] } == [nil, nil, [["h1", "g1"], ["h2", "g2"]]])
        #expect(back.map { $0["id"]?.string } == recs.map(\.item.uid))
    }

    @Test func classificationJSONLRoundTrip() throws {
        let source = """
        {"id": "a", "text": "first, \\"quoted\\"", "gold": "pos"}
        {"text": "second\\nline", "gold": ["x", "y"]}
        {"text": "third"}
        """
        let recs = try T.importAll(source)
        let lines = try recs.map { try Self.render($0.item, .jsonl).0.get() }
        let again = try T.importAll(lines.joined(separator: "\n") + "\n")
        #expect(again.map(\.item.uid) == recs.map(\.item.uid))
        #expect(again.map(\.item.fields.text) == ["first, \"quoted\"", "second\nline", "third"])
        #expect(again.map(\.item.gold) == ["pos", ["x", "y"], nil])
    }

    @Test func shareGPTRoundTrip() throws {
        let source = #"{"id": "c1", "system": "sys", "conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}, {"from": "observation", "value": "t"}, {"from": "gpt", "value": "b"}]}"#
        let rec = try T.one(source)
        let out = try Self.render(rec.item, .sharegpt).0.get()
        let again = try T.one(out)
        #expect(again.item.uid == "c1")
        #expect(again.item.fields.messages == [.system("sys"), .user("q"), .assistant("a"), Message(role: "tool", content: "t"), .assistant("b")])
        #expect(again.item.fields == rec.item.fields)
    }

    @Test func classificationCSVRoundTrip() throws {
        let recs = try T.importAll("{\"id\": \"a\", \"text\": \"x, \\\"y\\\"\\nz\", \"gold\": \"pos\"}\n")
        let body = try recs.map { try Self.render($0.item, .csv).0.get() }
        let csv = ExportRenderer.csvLine(ExportRenderer.csvHeader) + "\n" + body.joined(separator: "\n") + "\n"
        let again = try T.importAll(csv, fileName: "out.csv")
        #expect(again.map(\.item.uid) == ["a"])
        #expect(again.map(\.item.fields.text) == ["x, \"y\"\nz"])
        #expect(again.map(\.item.gold) == ["pos"])
    }
}
