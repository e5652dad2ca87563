@testable import DuetCore
import Testing

@Suite struct JSONLRowReaderTests {
    @Test func blankLinesSkippedButCounted() throws {
        let text = "{\"a\":1}\n\n   \n\t\n{\"a\":2}\r\n\n{\"a\":3}"
        let rows = try T.rows(JSONLRowReader(MemoryByteSource(text), file: "f.jsonl"))
        #expect(rows.map(\.0) == [1, 5, 7])
        #expect(rows.map(\.1) == [["a": 1], ["a": 2], ["a": 3]])
    }

    @Test func nonObjectLineIsAnError() {
        var r = JSONLRowReader(MemoryByteSource("{\"a\":1}\n[1,2]\n"), file: "f.jsonl")
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: ImportError(file: "f.jsonl", line: 2, message: "expected a JSON object, got array")) { _ = try r.next() }
    }
}

@Suite struct JSONArrayRowReaderTests {
    static let array = #"""
    [
      {"id": 1, "text": "has [ and ] and { inside"},
      {"id": 2,
       "text": "quote \" and backslash \\ end"},

      {"id": 3, "text": "ends in a backslash \\"}, {"id": 4, "text": "}]"},
      {"id": 5, "nested": {"a": [1, {"b": "]}\"["}]}}
    ]
    """#

    static let expected: [(Int, JSONValue)] = [
        (2, ["id": 1, "text": "has [ and ] and { inside"]),
        (3, ["id": 2, "text": "quote \" and backslash \\ end"]),
        (6, ["id": 3, "text": "ends in a backslash \\"]),
        (6, ["id": 4, "text": "}]"]),
        (7, ["id": 5, "nested": ["a": [1, ["b": "]}\"["]]]]),
    ]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 1 << 16])
    func streamsElementsWithTheirStartLines(chunkSize: Int) throws {
        let rows = try T.rows(JSONArrayRowReader(MemoryByteSource(Self.array, chunkSize: chunkSize), file: "f.json"))
        #expect(rows.map(\.0) == Self.expected.map(\.0))
        #expect(rows.map(\.1) == Self.expected.map(\.1))
    }

    @Test func leadingWhitespaceAndCRLFCountLines() throws {
        let text = "\r\n\r\n  [\r\n{\"a\":1}\r\n,\r\n{\"a\":2}]\r\n"
        let rows = try T.rows(JSONArrayRowReader(MemoryByteSource(text), file: "f.json"))
        #expect(rows.map(\.0) == [4, 6])
    }

    @Test func bomBeforeArray() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[{\"a\":1}]".utf8)
        let rows = try T.rows(JSONArrayRowReader(MemoryByteSource(bytes), file: "f.json"))
        #expect(rows.map(\.1) == [["a": 1]])
    }

    @Test(arguments: [1, 2])
    func bomSplitAcrossTinyChunks(chunkSize: Int) throws {
        // The BOM must be recognised even when the first chunk holds less than three bytes.
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[{\"a\":1}]".utf8)
        let rows = try T.rows(JSONArrayRowReader(MemoryByteSource(bytes, chunkSize: chunkSize), file: "f.json"))
        #expect(rows.map(\.1) == [["a": 1]])
    }

    /// Found by FuzzImportTests: the reader dropped the first bytes of a BOM
    /// cut short, so a file starting with invalid UTF-8 was imported.
    @Test(arguments: [[0xEF], [0xEF, 0xBB], [0xEF, 0xBB, 0x80], [0xEF, 0x0A]] as [[UInt8]])
    func brokenBOMIsAnError(start: [UInt8]) {
        for chunkSize in [1, 2, 1 << 16] {
            var r = JSONArrayRowReader(MemoryByteSource(start + Array("[{\"a\":1}]".utf8), chunkSize: chunkSize), file: "f.json")
            let e = #expect(throws: ImportError.self) { _ = try r.next() }
            #expect(e?.line == 1)
            #expect(e?.message.hasPrefix("expected a JSON array of records ('['), found byte 0xEF") == true)
        }
    }

    @Test(arguments: ["[]", "  [ ]  \n", "\n[\n]\n"])
    func emptyArrayHasNoRows(text: String) throws {
        #expect(try T.rows(JSONArrayRowReader(MemoryByteSource(text), file: "f.json")).isEmpty)
    }

    @Test func trailingTextAfterClosingBracket() {
        var r = JSONArrayRowReader(MemoryByteSource("[{\"a\":1}]\n\nxyz\n"), file: "f.json")
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: ImportError(file: "f.json", line: 3, message: "unexpected text after the closing ']'")) { _ = try r.next() }
    }

    @Test func trailingTextAfterEmptyArray() {
        var r = JSONArrayRowReader(MemoryByteSource("[] []"), file: "f.json")
        #expect(throws: ImportError(file: "f.json", line: 1, message: "unexpected text after the closing ']'")) { _ = try r.next() }
    }

    @Test func missingCommaBetweenElements() {
        var r = JSONArrayRowReader(MemoryByteSource("[\n{\"a\":1}\n{\"a\":2}\n]"), file: "f.json")
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: ImportError(file: "f.json", line: 3, message: "expected ',' or ']' between records")) { _ = try r.next() }
    }

    @Test func unclosedArray() {
        var r = JSONArrayRowReader(MemoryByteSource("[\n{\"a\":1},\n{\"a\":2}\n"), file: "f.json")
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: ImportError(file: "f.json", line: 4, message: "unexpected end of file: the array is not closed")) { _ = try r.next() }
    }

    @Test func notAnArray() {
        var r = JSONArrayRowReader(MemoryByteSource("\n{\"a\":1}"), file: "f.json")
        #expect(throws: ImportError(file: "f.json", line: 2, message: "expected a JSON array of records ('['), found '{'")) { _ = try r.next() }
    }

    @Test func scalarElementIsAnError() {
        var r = JSONArrayRowReader(MemoryByteSource("[\n{\"a\":1},\n 42 ]"), file: "f.json")
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: ImportError(file: "f.json", line: 3, message: "expected a JSON object, got number")) { _ = try r.next() }
    }
}

@Suite struct DelimitedRowReaderTests {
    @Test func csvQuotedFieldsAndLineNumbers() throws {
        let csv = "id,text,gold\r\n1,\"hello, world\",pos\n2,\"she said \"\"hi\"\"\",neg\n3,\"line one\nline two\",pos\n\n4,plain,\"\"\n"
        let rows = try T.rows(DelimitedRowReader(MemoryByteSource(csv), file: "f.csv", tabs: false))
        #expect(rows.map(\.0) == [2, 3, 4, 7])
        #expect(rows.map(\.1) == [
            ["id": "1", "text": "hello, world", "gold": "pos"],
            ["id": "2", "text": "she said \"hi\"", "gold": "neg"],
            ["id": "3", "text": "line one\nline two", "gold": "pos"],
            ["id": "4", "text": "plain", "gold": ""],
        ])
    }

    @Test(arguments: [1, 2, 3, 7])
    func csvInTinyChunks(chunkSize: Int) throws {
        let csv = "\u{FEFF}k,v\r\n\"a,\"\"b\"\"\r\nc\",é\r\nx,y"
        let rows = try T.rows(DelimitedRowReader(MemoryByteSource(csv, chunkSize: chunkSize), file: "f.csv", tabs: false))
        #expect(rows.map(\.0) == [2, 4])
        #expect(rows.map(\.1) == [["k": "a,\"b\"\nc", "v": "é"], ["k": "x", "v": "y"]])
    }

    @Test func headerNamesAreTrimmed() throws {
        let rows = try T.rows(DelimitedRowReader(MemoryByteSource(" id , text \n1,a\n"), file: "f.csv", tabs: false))
        #expect(rows.map(\.1) == [["id": "1", "text": "a"]])
    }

    @Test func wrongFieldCountNamesTheLine() {
        var r = DelimitedRowReader(MemoryByteSource("id,text\n1,a\n\"2\",\"b\nc\"\n3,b,c\n"), file: "f.csv", tabs: false)
        #expect(throws: Never.self) { _ = try r.next() }
        #expect(throws: Never.self) { _ = try r.next() }
        let expected = ImportError(file: "f.csv", line: 5, message: "expected 2 fields (as in the header), found 3")
        #expect(throws: expected) { _ = try r.next() }
        #expect(expected.description == "f.csv:5: expected 2 fields (as in the header), found 3")
    }

    @Test func unterminatedQuoteNamesTheStartLine() {
        var r = DelimitedRowReader(MemoryByteSource("a,b\n1,\"open\nstill open\n"), file: "f.csv", tabs: false)
        #expect(throws: ImportError(file: "f.csv", line: 2, message: "unexpected end of file inside a quoted field")) { _ = try r.next() }
    }

    @Test func duplicateHeader() {
        var r = DelimitedRowReader(MemoryByteSource("a,b,a\n1,2,3\n"), file: "f.csv", tabs: false)
        #expect(throws: ImportError(file: "f.csv", line: 1, message: "header repeats the column 'a'")) { _ = try r.next() }
    }

    @Test func tsvHasNoQuoting() throws {
        let tsv = "id\ttext\tgold\n1\t\"quoted\", with comma\tpos\n2\tplain\t\n"
        let rows = try T.rows(DelimitedRowReader(MemoryByteSource(tsv), file: "f.tsv", tabs: true))
        #expect(rows.map(\.0) == [2, 3])
        #expect(rows.map(\.1) == [
            ["id": "1", "text": "\"quoted\", with comma", "gold": "pos"],
            ["id": "2", "text": "plain", "gold": ""],
        ])
    }

    @Test func tsvWrongFieldCount() {
        var r = DelimitedRowReader(MemoryByteSource("a\tb\nonly-one\n"), file: "f.tsv", tabs: true)
        #expect(throws: ImportError(file: "f.tsv", line: 2, message: "expected 2 fields (as in the header), found 1")) { _ = try r.next() }
    }
}
