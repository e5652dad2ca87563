@testable import DuetCore
import Testing

/// Alpaca, OpenAI messages, ShareGPT, TRL prompt/completion and KTO.
@Suite struct DemonstrationImportTests {
    @Test func alpacaWithoutInput() throws {
        let r = try T.one(#"{"instruction": "Say hi", "input": "", "output": "Hi!", "category": "greet"}"#)
        #expect(r.item.kind == .demonstration)
        #expect(r.item.fields.messages == [.user("Say hi"), .assistant("Hi!")])
        #expect(r.item.fields.text == nil && r.item.fields.prompt == nil && r.item.fields.responses == nil)
        #expect(r.item.metadata == ["category": "greet", "_alpaca": ["instruction": "Say hi", "input": ""]])
        #expect(r.sourceAnnotations.isEmpty)
        #expect(r.item.uid == Item.contentID(kind: .demonstration, fields: ItemFields(messages: [.user("Say hi"), .assistant("Hi!")])))
    }

    @Test func alpacaWithInputSystemAndHistory() throws {
        let row = #"{"id": "a1", "instruction": "Translate", "input": "Bonjour", "output": "Hello", "system": "Be brief.", "history": [["q1", "r1"], ["q2", "r2"]]}"#
        let r = try T.one(row)
        #expect(r.item.uid == "a1")
        #expect(r.item.fields.messages == [
            .system("Be brief."), .user("q1"), .assistant("r1"), .user("q2"), .assistant("r2"),
            .user("Translate\n\nBonjour"), .assistant("Hello"),
        ])
        #expect(r.item.metadata == ["_alpaca": ["instruction": "Translate", "input": "Bonjour"]])
    }

    @Test func alpacaMissingInputKey() throws {
        let r = try T.one(#"{"instruction": "Go", "output": "Went"}"#)
        #expect(r.item.fields.messages == [.user("Go"), .assistant("Went")])
    }

    @Test func alpacaBadHistory() {
        let e = T.importError(#"{"instruction": "i", "output": "o", "history": [["only one"]]}"#)
        #expect(e?.line == 1)
        #expect(e?.message == "field 'history[0]': expected a [user, assistant] pair of strings, got array")
    }

    @Test func alpacaKTO() throws {
        let recs = try T.importAll("""
        {"instruction": "i", "input": "", "output": "good", "kto_tag": true}
        {"instruction": "i", "input": "", "output": "bad", "kto_tag": false}
        """)
        #expect(recs.map(\.item.kind) == [.demonstration, .demonstration])
        #expect(recs.map { $0.sourceAnnotations.map(\.value) } == [[["verdict": "accept"]], [["verdict": "reject"]]])
        #expect(recs[0].item.metadata["kto_tag"] == nil)
    }

    @Test func alpacaPreference() throws {
        var s = try T.stream(Array(#"{"instruction": "Pick", "input": "x", "chosen": "good", "rejected": "bad"}"#.utf8))
        #expect(s.format == .alpaca)
        let r = try #require(try s.next())
        #expect(r.item.kind == .pair)
        #expect(r.item.fields.prompt == [.user("Pick\n\nx")])
        #expect(r.item.fields.responses == [[.assistant("good")], [.assistant("bad")]])
        #expect(r.sourceAnnotations == [SourceAnnotation(value: ["choice": 0])])
        #expect(r.item.metadata == ["_alpaca": ["instruction": "Pick", "input": "x"]])
    }

    @Test func openAIMessagesWithContentParts() throws {
        let row = #"{"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": [{"type": "text", "text": "part one"}, {"type": "image_url", "image_url": {"url": "u"}}, "part two"]}, {"role": "assistant", "content": null, "tool_calls": []}, {"role": "tool", "content": "42"}, {"role": "assistant", "content": "done", "weight": 1}], "tools": [{"type": "function"}]}"#
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .messages)
        let r = try #require(try s.next())
        #expect(r.item.kind == .demonstration)
        #expect(r.item.fields.messages == [
            .system("sys"), .user("part one\npart two"), .assistant(""), Message(role: "tool", content: "42"), .assistant("done"),
        ])
        #expect(r.item.metadata == ["tools": [["type": "function"]]])
        #expect(r.item.uid.hasPrefix("h"))
    }

    @Test func messagesEmptyListIsAnError() {
        let e = T.importError(#"{"messages": []}"#)
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "field 'messages': the conversation is empty"))
    }

    @Test func shareGPTRolesAndSystem() throws {
        let row = #"{"id": "c9", "system": "You are terse.", "conversations": [{"from": "human", "value": "hi"}, {"from": "function_call", "value": "{}"}, {"from": "observation", "value": "obs"}, {"from": "gpt", "value": "hello"}], "tools": "[]"}"#
        var s = try T.stream(Array(row.utf8))
        #expect(s.format == .sharegpt)
        let r = try #require(try s.next())
        #expect(r.item.uid == "c9")
        #expect(r.item.fields.messages == [
            .system("You are terse."), .user("hi"), .assistant("{}"), Message(role: "tool", content: "obs"), .assistant("hello"),
        ])
        #expect(r.item.metadata == ["tools": "[]"])
    }

    @Test func shareGPTUnknownRole() {
        let text = """
        {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}
        {"conversations": [{"from": "human", "value": "a"}, {"from": "bot", "value": "b"}]}
        """
        let e = T.importError(text)
        #expect(e?.line == 2)
        #expect(e?.message == "field 'conversations[1].from': unknown role 'bot' (expected human, gpt, system, observation or function_call)")
    }

    @Test func trlStrings() throws {
        var s = try T.stream(Array(#"{"prompt": "2+2?", "completion": "4", "source": "math"}"#.utf8))
        #expect(s.format == .trl)
        let r = try #require(try s.next())
        #expect(r.item.kind == .demonstration)
        #expect(r.item.fields.messages == [.user("2+2?"), .assistant("4")])
        #expect(r.sourceAnnotations.isEmpty)
        #expect(r.item.metadata == ["source": "math"])
    }

    @Test func trlMessageLists() throws {
        let row = #"{"prompt": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": "a"}]}"#
        let r = try T.one(row)
        #expect(r.item.fields.messages == [.system("s"), .user("q"), .assistant("a")])
    }

    @Test func ktoLabels() throws {
        let recs = try T.importAll("""
        {"prompt": "p", "completion": "yes", "label": true}
        {"prompt": [{"role": "user", "content": "p"}], "completion": [{"role": "assistant", "content": "no"}], "label": false}
        """)
        #expect(recs.map(\.item.fields.messages) == [[.user("p"), .assistant("yes")], [.user("p"), .assistant("no")]])
        #expect(recs.map { $0.sourceAnnotations.map(\.value) } == [[["verdict": "accept"]], [["verdict": "reject"]]])
        #expect(recs.map(\.item.metadata) == [[:], [:]])
    }

    @Test func ktoLabelMustBeBoolean() {
        let e = T.importError(#"{"prompt": "p", "completion": "c", "label": "yes"}"#)
        #expect(e == ImportError(file: "in.jsonl", line: 1, message: "field 'label': expected a boolean (KTO), got string"))
    }
}
