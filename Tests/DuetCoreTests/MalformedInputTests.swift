@testable import DuetCore
import Testing

/// Bad inputs must stop the import with the right line and a message naming the problem.
@Suite struct MalformedInputTests {
    @Test func truncatedJSONOnLine3() throws {
        let text = "{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"c\n{\"text\": \"d\"}\n"
        let e = try #require(T.importError(text))
        #expect(e.line == 3)
        #expect(e.file == "in.jsonl")
        #expect(e.message.hasPrefix("invalid JSON"))
        #expect(e.description.hasPrefix("in.jsonl:3: invalid JSON"))
    }

    @Test func lineNotStartingWithBraceGetsAHint() throws {
        let e = try #require(T.importError("{\"text\": \"a\"}\ntext: b\n"))
        #expect(e.line == 2)
        #expect(e.message.hasSuffix("(does the line start with '{'?)"))
    }

    @Test(arguments: [1, 3, 1 << 16])
    func invalidUTF8OnLine2(chunkSize: Int) throws {
        let bytes = Array("{\"text\": \"a\"}\n{\"text\": \"b".utf8) + [0xFF] + Array("\"}\n{\"text\": \"c\"}\n".utf8)
        let e = try #require(T.importError(bytes: bytes, chunkSize: chunkSize))
        #expect(e == ImportError(file: "in.jsonl", line: 2, message: "invalid UTF-8 at byte 12"))
    }

    @Test func invalidUTF8InCSVField() throws {
        let bytes = Array("id,text\n1,ok\n2,b".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let e = try #require(T.importError(bytes: bytes, fileName: "rows.csv"))
        #expect(e == ImportError(file: "rows.csv", line: 3, message: "invalid UTF-8 in a field (byte 2 of the field)"))
    }

    @Test func missingTextField() throws {
        let e = try #require(T.importError("{\"text\": \"a\"}\n\n{\"txt\": \"b\"}\n"))
        #expect(e == ImportError(file: "in.jsonl", line: 3, message: "missing field 'text' (the row has 'txt')"))
    }

    @Test func missingAlpacaOutput() throws {
        let e = try #require(T.importError("{\"instruction\": \"i\", \"output\": \"o\"}\n{\"instruction\": \"i\", \"input\": \"x\"}\n"))
        #expect(e == ImportError(file: "in.jsonl", line: 2, message: "missing field 'output' (the row has 'input', 'instruction')"))
    }

    @Test func missingMessageRole() throws {
        let e = try #require(T.importError(#"{"messages": [{"role": "user", "content": "a"}, {"content": "b"}]}"#))
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "missing field 'messages[1].role'"))
    }

    static let okText = #"{"text": "fine"}"# + "\n"
    static let okMessages = #"{"messages": [{"role": "user", "content": "x"}]}"# + "\n"

    @Test(arguments: [
        (okText + #"{"text": 5}"#, InputFormat.auto, 2, "field 'text': expected a string, got number"),
        (okText + "\n" + #"{"text": null}"#, .auto, 3, "missing field 'text' (it is null)"),
        (okMessages + #"{"messages": "hi"}"#, .auto, 2, "field 'messages': expected a list of messages, got string"),
        (#"{"messages": ["hi"]}"#, .auto, 1, "field 'messages[0]': expected a message object, got string"),
        (okMessages + #"{"messages": [{"role": "user", "content": 3}]}"#, .auto, 2,
         "field 'messages[0].content': expected a string or a list of text parts, got number"),
        (#"{"instruction": ["i"], "output": "o"}"#, .auto, 1, "field 'instruction': expected a string, got array"),
        (#"{"prompt": "p", "chosen": 1, "rejected": "r"}"#, .auto, 1, "field 'chosen': expected a string or a list of messages, got number"),
        (#"{"chosen": "\n\nHuman: q\n\nAssistant: a", "rejected": false}"#, .hhRLHF, 1, "field 'rejected': expected a string, got boolean"),
        (#"{"instruction": "i", "completions": {"a": 1}}"#, .auto, 1, "field 'completions': expected an array, got object"),
        (#"{"fields": "text", "responses": []}"#, .auto, 1, "field 'fields': expected an object, got string"),
        (okText + #"{"text": "t", "gold": {"a": 1}}"#, .auto, 2, "field 'gold': expected a label or a list of labels, got object"),
        (okText + #"{"text": "t", "id": [1]}"#, .auto, 2, "field 'id': expected a string or a whole number, got array"),
    ])
    func wrongTypeNamesTheField(input: String, format: InputFormat, line: Int, message: String) throws {
        let e = try #require(T.importError(input + "\n", format: format))
        #expect(e.line == line)
        #expect(e.message == message)
    }

    @Test func wrongTypeOnSecondLineOfClassificationFile() throws {
        let e = try #require(T.importError("{\"text\": \"a\"}\n{\"text\": 5}\n"))
        #expect(e.description == "in.jsonl:2: field 'text': expected a string, got number")
    }

    @Test(arguments: [("", "the file is empty"), ("\n\n  \n", "the file holds only blank lines"),
                      ("\u{FEFF}", "the file holds only blank lines"), ("\u{FEFF}\r\n", "the file holds only blank lines")])
    func emptyJSONLFile(text: String, why: String) throws {
        let e = try #require(T.importError(text))
        #expect(e == ImportError(file: "in.jsonl", line: 0, message: "no records: \(why)"))
        #expect(e.description == "in.jsonl: no records: \(why)")
    }

    @Test func emptyJSONArrayFile() throws {
        let e = try #require(T.importError("[\n]\n", fileName: "in.json"))
        #expect(e == ImportError(file: "in.json", line: 0, message: "no records: the JSON array is empty"))
    }

    @Test func emptyCSVFile() throws {
        #expect(T.importError("", fileName: "in.csv") == ImportError(file: "in.csv", line: 0, message: "empty file (a header row is needed)"))
        // A header alone: say so, not "empty" (the file is not).
        #expect(T.importError("text,gold\n", fileName: "in.csv")
            == ImportError(file: "in.csv", line: 0, message: "no records: the file has a header (text, gold) and no rows"))
        #expect(T.importError("id\ttext\r\n", fileName: "in.tsv")?.message == "no records: the file has a header (id, text) and no rows")
    }

    @Test(arguments: [1, 2, 3, 7, 1 << 16])
    func bomAndCRLFImportFine(chunkSize: Int) throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"text\": \"a\"}\r\n\r\n{\"text\": \"b\", \"gold\": \"x\"}\r\n".utf8)
        let recs = try T.importAll(bytes: bytes, chunkSize: chunkSize)
        #expect(recs.map(\.item.fields.text) == ["a", "b"])
        #expect(recs.map(\.item.sourceLine) == [1, 3])
        #expect(recs.map(\.item.gold) == [nil, "x"])
    }

    @Test func bomAndCRLFCSVImportsFine() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("text,gold\r\nhello,pos\r\n".utf8)
        let recs = try T.importAll(bytes: bytes, fileName: "in.csv")
        #expect(recs.map(\.item.fields.text) == ["hello"])
        #expect(recs.map(\.item.gold) == ["pos"])
    }

    static let big = String(repeating: "abcdefghij", count: 500_000)  // 5 MB

    @Test func multiMegabyteValidLine() throws {
        let text = "{\"text\": \"small\"}\n{\"text\": \"\(Self.big)\"}\n{\"text\": \"after\"}\n"
        let recs = try T.importAll(text)
        try #require(recs.count == 3)
        let bigText = recs[1].item.fields.text ?? ""
        #expect(bigText.utf8.count == 5_000_000)
        let intact = bigText == Self.big  // compared outside #expect so a failure does not print 5 MB
        #expect(intact)
        #expect(recs[2].item.fields.text == "after")
        #expect(recs.map(\.item.sourceLine) == [1, 2, 3])
    }

    @Test func multiMegabyteInvalidLine() throws {
        // Two strings with no ':' or ',' between them.
        let text = "{\"text\": \"small\"}\n\n{\"text\": \"\(Self.big)\" \"oops\"}\n{\"text\": \"after\"}\n"
        let error = T.importError(text)
        let e = try #require(error)
        #expect(e.line == 3)
        #expect(e.message.hasPrefix("invalid JSON"))
    }

    @Test func multiMegabyteLineWithInvalidUTF8() throws {
        let bytes = Array("{\"text\": \"x\"}\n{\"text\": \"".utf8) + Array(Self.big.utf8) + [0xFE] + Array("\"}\n".utf8)
        let error = T.importError(bytes: bytes)
        let e = try #require(error)
        #expect(e == ImportError(file: "in.jsonl", line: 2, message: "invalid UTF-8 at byte \(10 + 5_000_000 + 1)"))
    }

    @Test func jsonArrayMissingComma() throws {
        let text = "[\n  {\"text\": \"a\"},\n  {\"text\": \"b\"}\n  {\"text\": \"c\"}\n]\n"
        let e = try #require(T.importError(text, fileName: "in.json"))
        #expect(e == ImportError(file: "in.json", line: 4, message: "expected ',' or ']' between records"))
    }

    @Test func jsonArrayTruncatedElement() throws {
        let text = "[\n  {\"text\": \"a\"},\n  {\"text\": \"b\",\n   \"gold\": "
        let e = try #require(T.importError(text, fileName: "in.json"))
        #expect(e == ImportError(file: "in.json", line: 3, message: "unexpected end of file inside a record"))
    }

    @Test func jsonArrayInvalidElementReportsItsStartLine() throws {
        let text = "[{\"text\": \"a\"},\n {\"text\":\n  \"b\" \"c\"}]"
        let e = try #require(T.importError(text, fileName: "in.json"))
        #expect(e.line == 2)
        #expect(e.message.hasPrefix("invalid JSON"))
    }

    @Test func jsonArrayTrailingText() throws {
        let e = try #require(T.importError("[{\"text\": \"a\"}]\nextra", fileName: "in.json"))
        #expect(e == ImportError(file: "in.json", line: 2, message: "unexpected text after the closing ']'"))
    }
}
