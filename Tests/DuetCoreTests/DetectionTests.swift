@testable import DuetCore
import Testing

@Suite struct DetectionTests {
    static let cases: [(String, InputFormat)] = [
        (#"{"text": "t", "gold": "g"}"#, .jsonl),
        (#"{"content": "t"}"#, .jsonl),
        (#"{"instruction": "i", "input": "", "output": "o"}"#, .alpaca),
        (#"{"instruction": "i", "input": "", "chosen": "a", "rejected": "b"}"#, .alpaca),
        (#"{"instruction": "i", "output": "o", "kto_tag": true}"#, .alpaca),
        (#"{"messages": [{"role": "user", "content": "x"}]}"#, .messages),
        (#"{"conversations": [{"from": "human", "value": "x"}]}"#, .sharegpt),
        (#"{"prompt": "p", "completion": "c"}"#, .trl),
        (#"{"prompt": "p", "completion": "c", "label": false}"#, .trl),
        (#"{"prompt": "p", "chosen": "a", "rejected": "b"}"#, .dpo),
        (#"{"chosen": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "rejected": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b"}]}"#, .dpo),
        (#"{"chosen": "\n\nHuman: q\n\nAssistant: a", "rejected": "\n\nHuman: q\n\nAssistant: b"}"#, .hhRLHF),
        (#"{"chosen": "Human: q\n\nAssistant: a", "rejected": "Human: q\n\nAssistant: b"}"#, .hhRLHF),
        (#"{"instruction": "i", "completions": [{"response": "a"}, {"response": "b"}]}"#, .ultrafeedback),
        (#"{"input": {"messages": []}, "preferred_output": [], "non_preferred_output": []}"#, .openaiPreference),
        (#"{"text": "t", "answer": "accept", "_input_hash": 1, "_task_hash": 2}"#, .prodigy),
        (#"{"prompt": "p", "answer1": "a", "answer2": "b"}"#, .labelStudio),
        (#"{"fields": {"text": "t"}, "responses": []}"#, .argilla),
        (#"{"fields": {"text": "t"}, "suggestions": []}"#, .argilla),
    ]

    @Test(arguments: cases)
    func detectsFormatFromKeys(row: String, format: InputFormat) throws {
        let s = try T.stream(Array(row.utf8))
        #expect(s.format == format)
        #expect(s.detected)
    }

    @Test func givenFormatIsNotDetected() throws {
        let s = try T.stream(Array(#"{"prompt": "p", "answer1": "a", "answer2": "b"}"#.utf8), format: .labelStudio)
        #expect(s.format == .labelStudio)
        #expect(!s.detected)
    }

    @Test func detectionUsesTheFirstRecordAfterBlankLines() throws {
        let s = try T.stream(Array("\n\n{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n".utf8))
        #expect(s.format == .messages)
    }

    @Test(arguments: [
        (#"{"foo": 1, "bar": "x"}"#, 1),
        ("\n\n" + #"{"question": "q", "reply": "r"}"#, 3),
    ])
    func unknownKeysAskForFormat(text: String, line: Int) throws {
        // The stream's initialiser itself refuses (before any record is mapped).
        let e = try #require(throws: ImportError.self) { try T.stream(Array(text.utf8)) }
        #expect(e.line == line)
        #expect(e.file == "in.jsonl")
        #expect(e.message.contains("--format"))
        #expect(e.message.hasPrefix("cannot tell the format from the keys {"))
    }

    @Test func unknownKeysListedSorted() {
        let e = T.importError(#"{"zeta": 1, "alpha": 2}"#)
        #expect(e?.message.hasPrefix("cannot tell the format from the keys {alpha, zeta}; pass --format") == true)
    }

    @Test func textFieldOptionMakesRowsClassifiable() throws {
        #expect(T.importError(#"{"review": "x"}"#) != nil)
        let s = try T.stream(Array(#"{"review": "x"}"#.utf8), options: T.opts(text: "review"))
        #expect(s.format == .jsonl)
    }

    @Test(arguments: [
        ("data.jsonl", "{\"a\":1}", InputFormat.auto, Container.jsonl),
        ("data.json", "  \n[{\"a\":1}]", .auto, .jsonArray),
        ("data.jsonl", "\u{FEFF}[{\"a\":1}]", .auto, .jsonArray),
        ("data.json", "{\"a\":1}", .auto, .jsonl),
        ("data.csv", "a,b", .auto, .csv),
        ("DATA.TSV.GZ", "a\tb", .auto, .tsv),
        ("data.txt", "a\tb", .tsv, .tsv),
        ("data.csv", "{\"a\":1}", .alpaca, .csv),
    ])
    func containerChoice(fileName: String, first: String, format: InputFormat, container: Container) {
        #expect(RecordStream.container(fileName: fileName, firstBytes: Array(first.utf8)[...], requested: format) == container)
    }
}
