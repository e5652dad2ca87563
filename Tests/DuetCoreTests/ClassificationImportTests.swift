@testable import DuetCore
import Testing

/// Classification rows, Prodigy and Argilla.
@Suite struct ClassificationImportTests {
    @Test func jsonlRowsTextGoldIdAndMetadata() throws {
        let text = """
        {"id": "r1", "text": "great film", "gold": "pos", "lang": "en"}
        {"id": 7, "text": "awful", "gold": ["neg", 2]}
        {"text": "no id", "gold": ""}
        """
        let recs = try T.importAll(text)
        #expect(recs.count == 3)
        #expect(recs.map(\.item.uid).prefix(2) == ["r1", "7"])
        #expect(recs.map(\.item.kind) == [.text, .text, .text])
        #expect(recs.map(\.item.fields.text) == ["great film", "awful", "no id"])
        #expect(recs.map(\.item.gold) == ["pos", ["neg", "2"], nil])
        #expect(recs.map(\.item.dataset) == ["ds", "ds", "ds"])
        #expect(recs.map(\.item.sourceLine) == [1, 2, 3])
        #expect(recs[0].item.metadata == ["lang": "en"])
        #expect(recs[1].item.metadata == [:])
        #expect(recs[2].item.metadata == [:])
        #expect(recs.allSatisfy { $0.sourceAnnotations.isEmpty })
        // No id: content hash of kind + fields.
        #expect(recs[2].item.uid == Item.contentID(kind: .text, fields: .text("no id")))
        #expect(recs[2].item.uid.hasPrefix("h"))
        #expect(recs[2].item.uid.count == 33)
    }

    @Test func contentHashIsStableAndContentDependent() throws {
        let a1 = try T.one(#"{"text": "same words", "extra": 1}"#)
        let a2 = try T.one(#"{"text": "same words", "extra": 2}"#)
        let b = try T.one(#"{"text": "other words"}"#)
        #expect(a1.item.uid == a2.item.uid)
        #expect(a1.item.uid != b.item.uid)
        #expect(a1.item.uid.hasPrefix("h"))
        // Same text as a demonstration is a different item.
        #expect(Item.contentID(kind: .demonstration, fields: .text("same words")) != a1.item.uid)
    }

    @Test func sixteenDigitNumericIDHasNoFraction() throws {
        // Numeric ids are integral: the uid must not depend on how Double prints.
        let r = try T.one(#"{"id": 1234567890123456, "text": "x"}"#)
        #expect(r.item.uid == "1234567890123456")
    }

    @Test func labelIsASourceAnnotationNotGold() throws {
        let r = try T.one(#"{"text": "t", "label": ["a", "b"]}"#)
        #expect(r.item.gold == nil)
        #expect(r.sourceAnnotations.map(\.value) == [["a", "b"]])
        #expect(r.item.metadata == [:])
    }

    @Test func textGoldAndIdFieldOptions() throws {
        let opts = T.opts(id: "key", text: "review", gold: "label")
        let r = try T.one(#"{"key": "k-9", "review": "meh", "label": "neutral", "text": "not this", "id": "not-this-either"}"#, options: opts)
        #expect(r.item.uid == "k-9")
        #expect(r.item.fields.text == "meh")
        #expect(r.item.gold == "neutral")
        #expect(r.sourceAnnotations.isEmpty)  // label is gold here, so not a source annotation
        #expect(r.item.metadata == ["text": "not this", "id": "not-this-either"])
    }

    @Test func idFieldMustBePresent() {
        let e = T.importError(#"{"text": "x"}"#, options: T.opts(id: "key"))
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "missing field 'key' (the row has 'text')"))
    }

    @Test func alternateTextFieldsAreFound() throws {
        let r = try T.one(#"{"sentence": "s1", "content": "c1"}"#)
        #expect(r.item.fields.text == "c1")  // "content" comes before "sentence"
        #expect(r.item.metadata == ["sentence": "s1"])
    }

    @Test func csvRows() throws {
        let csv = "id,text,gold,label,extra\n1,\"a, b\",pos,,x\n,\"multi\nline\",,neg,y\n"
        let recs = try T.importAll(csv, fileName: "rows.csv")
        #expect(recs.count == 2)
        #expect(recs[0].item.uid == "1")
        #expect(recs[0].item.fields.text == "a, b")
        #expect(recs[0].item.gold == "pos")
        #expect(recs[0].sourceAnnotations.isEmpty)
        #expect(recs[0].item.metadata == ["extra": "x"])
        #expect(recs[0].item.sourceLine == 2)
        #expect(recs[1].item.uid == Item.contentID(kind: .text, fields: .text("multi\nline")))
        #expect(recs[1].item.gold == nil)
        #expect(recs[1].sourceAnnotations.map(\.value) == ["neg"])
        #expect(recs[1].item.sourceLine == 3)
    }

    @Test func tsvRowsWithTextFieldOption() throws {
        let tsv = "review\tstars\nfine\t4\n"
        var s = try T.stream(Array(tsv.utf8), fileName: "rows.tsv", options: T.opts(text: "review", gold: "stars"))
        #expect(s.container == .tsv)
        #expect(s.format == .tsv)
        let r = try #require(try s.next())
        #expect(r.item.fields.text == "fine")
        #expect(r.item.gold == "4")
    }

    @Test func jsonArrayOfRows() throws {
        let text = "[\n  {\"id\": \"a\", \"text\": \"one\"},\n  {\"id\": \"b\", \"text\": \"two\", \"gold\": true}\n]"
        var s = try T.stream(Array(text.utf8), fileName: "rows.json")
        #expect(s.container == .jsonArray)
        #expect(s.format == .json)
        let r1 = try #require(try s.next())
        let r2 = try #require(try s.next())
        #expect(try s.next() == nil)
        #expect([r1.item.uid, r2.item.uid] == ["a", "b"])
        #expect([r1.item.sourceLine, r2.item.sourceLine] == [2, 3])
        #expect(r2.item.gold == "true")
    }

    // MARK: Prodigy

    @Test func prodigyAcceptList() throws {
        let row = #"{"text": "I love it", "answer": "accept", "accept": ["POS", "JOY"], "_input_hash": -12345, "_task_hash": 678, "_annotator_id": "ds-alice", "_timestamp": 1700000000, "options": [{"id": "POS"}]}"#
        let r = try T.one(row)
        #expect(r.item.kind == .text)
        #expect(r.item.fields.text == "I love it")
        #expect(r.item.uid == "-12345")
        #expect(r.sourceAnnotations == [SourceAnnotation(value: ["POS", "JOY"], note: "prodigy annotator ds-alice")])
        #expect(r.item.metadata == ["_task_hash": 678, "_timestamp": 1700000000, "options": [["id": "POS"]]])
    }

    @Test func prodigyLabelWithAnswer() throws {
        let r = try T.one(#"{"text": "t", "label": "SPAM", "answer": "reject", "_input_hash": 5}"#)
        #expect(r.sourceAnnotations.map(\.value) == [["label": "SPAM", "answer": "reject"]])
        #expect(r.sourceAnnotations.first?.note == nil)
        #expect(r.item.uid == "5")
    }

    @Test func prodigyIgnoredAnswerHasNoAnnotation() throws {
        let r = try T.one(#"{"text": "t", "label": "SPAM", "answer": "ignore", "_input_hash": 5}"#)
        #expect(r.sourceAnnotations.isEmpty)
    }

    @Test func prodigyBadAnswer() {
        let e = T.importError(#"{"text": "t", "answer": "maybe", "_input_hash": 5}"#)
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "field 'answer': expected accept, reject or ignore, got 'maybe'"))
    }

    // MARK: Argilla

    @Test func argillaRecord() throws {
        let row = #"""
        {"id": "rec-1", "fields": {"text": "the sky is green"},
         "suggestions": [{"question_name": "label", "value": "false", "score": 0.8, "agent": "gpt"}],
         "responses": [
           {"question_name": "label", "value": "false", "user_id": "u1", "status": "submitted"},
           {"question_name": "label", "value": "true", "user_id": "u2", "status": "discarded"},
           {"question_name": "label", "value": {"rating": 2}, "user_id": 3}
         ]}
        """#.replacingOccurrences(of: "\n", with: " ")
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .argilla)
        let r = try #require(try s.next())
        #expect(r.item.uid == "rec-1")
        #expect(r.item.kind == .text)
        #expect(r.item.fields.text == "the sky is green")
        #expect(r.sourceAnnotations == [
            SourceAnnotation(value: "false", note: "argilla user u1"),
            SourceAnnotation(value: ["rating": 2], note: "argilla user 3"),
        ])
        #expect(r.item.metadata == ["suggestions": [["question_name": "label", "value": "false", "score": 0.8, "agent": "gpt"]]])
    }

    @Test func argillaTextFieldOption() throws {
        let r = try T.one(#"{"fields": {"prompt": "p", "answer": "a"}, "responses": []}"#, options: T.opts(text: "answer"))
        #expect(r.item.fields.text == "a")
        #expect(r.sourceAnnotations.isEmpty)
    }
}
