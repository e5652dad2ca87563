@testable import DuetCore
import Testing

/// DPO (explicit/implicit), UltraFeedback (binarized and raw), HH-RLHF,
/// OpenAI preference and Label Studio pairwise.
@Suite struct PreferenceImportTests {
    static let choice = [SourceAnnotation(value: ["choice": 0])]

    @Test func dpoExplicitStrings() throws {
        var s = try T.stream(Array(#"{"prompt": "Capital of France?", "chosen": "Paris.", "rejected": "Lyon.", "id": "d1"}"#.utf8))
        #expect(s.format == .dpo)
        let r = try #require(try s.next())
        #expect(r.item.kind == .pair)
        #expect(r.item.uid == "d1")
        #expect(r.item.fields.prompt == [.user("Capital of France?")])
        #expect(r.item.fields.responses == [[.assistant("Paris.")], [.assistant("Lyon.")]])
        #expect(r.item.fields.messages == nil)
        #expect(r.sourceAnnotations == Self.choice)
        #expect(r.item.metadata == [:])
    }

    @Test func dpoMessageLists() throws {
        let row = #"{"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "assistant", "content": "good"}], "rejected": [{"role": "assistant", "content": "bad"}]}"#
        let r = try T.one(row)
        #expect(r.item.fields.prompt == [.user("q")])
        #expect(r.item.fields.responses == [[.assistant("good")], [.assistant("bad")]])
        #expect(r.sourceAnnotations == Self.choice)
    }

    @Test func dpoImplicitPrompt() throws {
        let row = #"{"chosen": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "good"}], "rejected": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "bad"}]}"#
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .dpo)
        let r = try #require(try s.next())
        #expect(r.item.fields.prompt == [.user("q")])
        #expect(r.item.fields.responses == [[.assistant("good")], [.assistant("bad")]])
    }

    @Test func dpoImplicitMultiTurnDivergingLate() throws {
        let conv = { (last: String) in
            #"[{"role": "system", "content": "s"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"}, {"role": "assistant", "content": "\#(last)"}]"#
        }
        let r = try T.one(#"{"chosen": \#(conv("yes")), "rejected": \#(conv("no"))}"#)
        #expect(r.item.fields.prompt == [.system("s"), .user("u1"), .assistant("a1"), .user("u2")])
        #expect(r.item.fields.responses == [[.assistant("yes")], [.assistant("no")]])
    }

    @Test func ultraFeedbackBinarizedLike() throws {
        let row = #"{"prompt": "Write a haiku", "prompt_id": "abc", "chosen": [{"role": "user", "content": "Write a haiku"}, {"role": "assistant", "content": "Autumn moon"}], "rejected": [{"role": "user", "content": "Write a haiku"}, {"role": "assistant", "content": "No."}], "messages": [{"role": "user", "content": "Write a haiku"}, {"role": "assistant", "content": "Autumn moon"}], "score_chosen": 8.5, "score_rejected": 3}"#
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .dpo)
        let r = try #require(try s.next())
        #expect(r.item.kind == .pair)
        #expect(r.item.fields.prompt == [.user("Write a haiku")])
        #expect(r.item.fields.responses == [[.assistant("Autumn moon")], [.assistant("No.")]])
        #expect(r.sourceAnnotations == Self.choice)
        #expect(Set(r.item.metadata.keys) == ["prompt_id", "messages", "score_chosen", "score_rejected"])
        #expect(r.item.metadata["score_chosen"] == 8.5)
    }

    @Test func hhRLHFSingleTurn() throws {
        let row = #"{"chosen": "\n\nHuman: What is 2+2?\n\nAssistant: It is 4.", "rejected": "\n\nHuman: What is 2+2?\n\nAssistant: It is 5."}"#
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .hhRLHF)
        let r = try #require(try s.next())
        #expect(r.item.kind == .pair)
        #expect(r.item.fields.prompt == [.user("What is 2+2?")])
        #expect(r.item.fields.responses == [[.assistant("It is 4.")], [.assistant("It is 5.")]])
        #expect(r.sourceAnnotations == Self.choice)
        #expect(r.item.metadata == [:])
    }

    @Test func hhRLHFMultiTurnDivergingInALaterAssistantTurn() throws {
        let shared = #"\n\nHuman: Hi there\n\nAssistant: Hello! How can I help?\n\nHuman: Tell me a joke"#
        let row = #"{"chosen": "\#(shared)\n\nAssistant: Why did the chicken cross the road?\n\nHuman: Why?\n\nAssistant: To get to the other side.", "rejected": "\#(shared)\n\nAssistant: No."}"#
        let r = try T.one(row)
        #expect(r.item.fields.prompt == [.user("Hi there"), .assistant("Hello! How can I help?"), .user("Tell me a joke")])
        #expect(r.item.fields.responses == [
            [.assistant("Why did the chicken cross the road?"), .user("Why?"), .assistant("To get to the other side.")],
            [.assistant("No.")],
        ])
    }

    @Test func hhRLHFResponsesSharingAPrefix() throws {
        // The common prefix runs into the responses ("Help"/"Hello"); the cut goes back to the marker.
        let row = #"{"chosen": "\n\nHuman: Hey 🙂\n\nAssistant: Hello, friend", "rejected": "\n\nHuman: Hey 🙂\n\nAssistant: Help yourself"}"#
        let r = try T.one(row, format: .hhRLHF)
        #expect(r.item.fields.prompt == [.user("Hey 🙂")])
        #expect(r.item.fields.responses == [[.assistant("Hello, friend")], [.assistant("Help yourself")]])
    }

    @Test func hhRLHFDivergingInsideACombiningSequence() throws {
        // The transcripts differ at the accent of "é" (e + U+0301 vs e + U+0300): the
        // common prefix ends mid-character, but the split still happens at the marker.
        let row = #"{"chosen": "\n\nHuman: caf\u00e9?\n\nAssistant: e\u0301x", "rejected": "\n\nHuman: caf\u00e9?\n\nAssistant: e\u0300y"}"#
        let r = try T.one(row)
        #expect(r.item.fields.prompt == [.user("café?")])
        #expect(r.item.fields.responses == [[.assistant("e\u{301}x")], [.assistant("e\u{300}y")]])
        #expect(r.item.fields.responses?[0][0].content.unicodeScalars.count == 3)
    }

    @Test func hhRLHFWithoutSharedAssistantMarker() {
        let e = T.importError(#"{"chosen": "\n\nHuman: a\n\nAssistant: b", "rejected": "totally different"}"#, format: .hhRLHF)
        #expect(e?.line == 1)
        #expect(e?.message.contains("'chosen'/'rejected'") == true)
    }

    @Test func ultraFeedbackRaw() throws {
        let row = #"""
        {"source": "evol", "instruction": "Explain gravity", "models": ["x", "y"],
         "completions": [
           {"model": "m1", "response": "Mass attracts.", "overall_score": 7.5, "principle": "helpfulness",
            "annotations": {"instruction_following": {"Rating": "4", "Rationale": "ok"},
                            "honesty": [{"Rating": "5", "Rationale": "sure"}],
                            "truthfulness": {"Rating": "N/A"},
                            "helpfulness": {"Rating": "3"}}},
           {"model": "m2", "response": "Magic.", "overall_score": 2,
            "annotations": {"instruction_following": [{"Rating": "1"}],
                            "honesty": {"Rating": "2"},
                            "truthfulness": [{"Rating": "N/A"}]}}
         ]}
        """#.replacingOccurrences(of: "\n", with: " ")
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .ultrafeedback)
        let r = try #require(try s.next())
        #expect(r.item.kind == .ranking)
        #expect(r.item.fields.prompt == [.user("Explain gravity")])
        #expect(r.item.fields.responses == [[.assistant("Mass attracts.")], [.assistant("Magic.")]])
        #expect(r.item.metadata == ["source": "evol", "models": ["m1", "m2"]])
        let expected: JSONValue = [
            "overall": [7.5, 2],
            "aspects": [
                "instruction_following": [4, 1],
                "honesty": [5, 2],
                "truthfulness": [nil, nil],
                "helpfulness": [3, nil],
            ],
        ]
        #expect(r.sourceAnnotations.map(\.value) == [expected])
    }

    /// Found by FuzzImportTests: `Double("inf")` is infinity, stored as `inf`, and the annotation no longer read back.
    @Test func ultraFeedbackRatingsThatAreNotNumbersAreNone() throws {
        let row = #"{"instruction": "i", "completions": [{"response": "a", "annotations": {"honesty": {"Rating": "-Infinity"}, "truthfulness": {"Rating": "nan"}}}, {"response": "b", "annotations": {"honesty": {"Rating": "inf"}, "truthfulness": {"Rating": "2"}}}]}"#
        let r = try T.one(row)
        let value = try #require(r.sourceAnnotations.first?.value)
        #expect(value["aspects"]?["honesty"] == [nil, nil])
        #expect(value["aspects"]?["truthfulness"] == [nil, 2])
        #expect(try JSONValue.parse(value.canonicalJSON) == value)
    }

    @Test func ultraFeedbackNeedsTwoCompletions() {
        let e = T.importError(#"{"instruction": "i", "completions": [{"response": "r"}]}"#)
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "field 'completions': need at least 2 completions, found 1"))
    }

    @Test func openAIPreference() throws {
        let row = #"{"input": {"messages": [{"role": "user", "content": "Hello"}]}, "preferred_output": [{"role": "assistant", "content": "Hi, how can I help?"}], "non_preferred_output": [{"role": "assistant", "content": "What?"}]}"#
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .openaiPreference)
        let r = try #require(try s.next())
        #expect(r.item.kind == .pair)
        #expect(r.item.fields.prompt == [.user("Hello")])
        #expect(r.item.fields.responses == [[.assistant("Hi, how can I help?")], [.assistant("What?")]])
        #expect(r.sourceAnnotations == Self.choice)
        #expect(r.item.metadata == [:])
    }

    @Test func labelStudioPairwise() throws {
        var s = try T.stream(Array(#"{"prompt": "Pick one", "answer1": "A text", "answer2": "B text", "batch": 3}"#.utf8))
        #expect(s.format == .labelStudio)
        let r = try #require(try s.next())
        #expect(r.item.kind == .pair)
        #expect(r.item.fields.prompt == [.user("Pick one")])
        #expect(r.item.fields.responses == [[.assistant("A text")], [.assistant("B text")]])
        #expect(r.sourceAnnotations.isEmpty)
        #expect(r.item.metadata == ["batch": 3])
    }

    @Test func emptyResponseTextIsKept() throws {
        // An empty response is data (HH-RLHF has some); only a response without messages is an error.
        let r = try T.one(#"{"prompt": "p", "chosen": "", "rejected": "r"}"#)
        #expect(r.item.fields.responses == [[.assistant("")], [.assistant("r")]])
    }

    @Test func responseWithoutMessagesIsAnError() {
        let e = T.importError(#"{"prompt": "p", "chosen": [], "rejected": "r"}"#)
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "response chosen/first has no messages"))
        let e2 = T.importError(#"{"input": {"messages": [{"role": "user", "content": "q"}]}, "preferred_output": [{"role": "assistant", "content": "a"}], "non_preferred_output": []}"#)
        #expect(e2 == ImportError(file: "in.jsonl", line: 1, message: "response rejected/second has no messages"))
    }

    @Test func pairUIDIsStableContentHash() throws {
        let row = #"{"prompt": "p", "chosen": "c", "rejected": "r"}"#
        let a = try T.one(row)
        let b = try T.one(row)
        let c = try T.one(#"{"prompt": "p", "chosen": "r", "rejected": "c"}"#)
        #expect(a.item.uid == b.item.uid)
        #expect(a.item.uid != c.item.uid)
        #expect(a.item.uid == Item.contentID(kind: .pair, fields: ItemFields(prompt: [.user("p")], responses: [[.assistant("c")], [.assistant("r")]])))
    }
}
