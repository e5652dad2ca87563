@testable import DuetAnnotators
import DuetCore
import Foundation
import Testing

@Suite struct LLMParserTests {
    let parser = AnswerParser(labels: ["favor", "against", "neutral"],
                              aliases: ["a favor": "favor", "en contra": "against", "en contre": "against",
                                        "ninguno": "neutral", "neutre": "neutral", "bogus": "sarcastic"])

    @Test(arguments: [
        ("favor", "favor"), ("Favor", "favor"), ("AGAINST.", "against"), ("\"neutral\"", "neutral"),
        ("**Against**", "against"), ("`neutral`", "neutral"), ("Label: favor", "favor"),
        ("Final answer: **Against**", "against"), ("label: 'neutral'.", "neutral"),
        ("Favor\nConfidence: 0.9", "favor"), ("against (confidence 0.7)", "against"), ("neutral (85%)", "neutral"),
        ("Confidence: 0.8\nAgainst", "against"), ("En contra", "against"), ("A FAVOR!", "favor"), ("ningúno", "neutral"),
        ("The text is against the proposal.", "against"), ("I would say neutral", "neutral"),
    ])
    func labelAnswers(raw: String, label: String) {
        #expect(parser.read(raw, as: .label) == .label(label))
    }

    @Test(arguments: [
        "", "   \n ", "sarcastic", "bogus", "favor or against", "not favor", "positive", "Confidence: 0.9",
        "I cannot answer that.",
    ])
    func unparseableAnswers(raw: String) {
        #expect(parser.read(raw, as: .label) == .unparseable)
    }

    @Test(arguments: [
        ("B", "against"), ("(B)", "against"), ("B)", "against"), ("b.", "against"), ("C: neutral", "neutral"),
        ("Option A", "favor"), ("Answer: (C)", "neutral"), ("**A**", "favor"), ("A. favor\nConfidence: 0.6", "favor"),
        ("against", "against"),
    ])
    func optionLetters(raw: String, label: String) {
        #expect(parser.read(raw, as: .choice(["favor", "against", "neutral"])) == .label(label))
    }

    @Test func optionLettersOutsideTheOptionsAreUnparseable() {
        #expect(parser.read("(Z)", as: .choice(["favor", "against", "neutral"])) == .unparseable)
        #expect(parser.read("a positive one", as: .choice(["favor", "against", "neutral"])) == .unparseable)
    }

    @Test(arguments: [
        ("True", AnswerParser.Reading.label("favor")), ("true.", .label("favor")), ("Yes, I agree.", .label("favor")),
        ("I agree", .label("favor")), ("Sí", .label("favor")), ("Answer: TRUE\nConfidence: 0.9", .label("favor")),
        ("False", .abstain), ("No.", .abstain), ("I disagree", .abstain), ("I don't agree with that", .abstain),
        ("Maybe", .unparseable), ("favor", .unparseable), ("", .unparseable),
    ])
    func yesNoAnswers(raw: String, reading: AnswerParser.Reading) {
        #expect(parser.read(raw, as: .yesNo("favor")) == reading)
    }

    @Test func yesNoForALabelOutsideTheSchemaIsUnparseable() {
        #expect(parser.read("True", as: .yesNo("sarcastic")) == .unparseable)
    }

    @Test func pairAnswersMapToStoredTerms() {
        let p = AnswerParser(labels: PromptTemplates.schema(for: TaskSpec(name: "p", kind: .compare)))
        let cases: [(String, DisplayOrder, AnswerParser.Reading)] = [
            ("A", .ab, .label("0")), ("A", .ba, .label("1")), ("B", .ab, .label("1")), ("(B)", .ba, .label("0")),
            ("Response A is better.", .ab, .label("0")), ("**B**\nConfidence: 0.7", .ab, .label("1")),
            ("Assistant B", .ba, .label("0")), ("I prefer response B", .ab, .label("1")), ("Tie", .ba, .label("tie")),
            ("They are equally good", .ab, .label("tie")), ("Both are bad", .ab, .unparseable), ("C", .ab, .unparseable),
            ("It depends", .ab, .unparseable),
        ]
        for (raw, order, reading) in cases { #expect(p.read(raw, as: .pair(order)) == reading, "\(raw) \(order)") }
        let withBothBad = AnswerParser(labels: PromptTemplates.schema(
            for: TaskSpec(name: "p", kind: .compare, labels: ["both-bad"])))
        #expect(withBothBad.read("Neither, both bad", as: .pair(.ab)) == .label("both-bad"))
    }

    @Test(arguments: [
        ("Confidence: 0.8", 0.8 as Double?), ("confidence 80%", 0.8), ("Confidence: 80", 0.8), ("CONFIDENCE = .65", 0.65),
        ("favor\n**Confidence:** 1", 1.0), ("Confidence level: 7/10", 0.7), ("favor (90%)", 0.9), ("favor", nil),
        ("Confidence: 250", nil), ("Confidence: 1%", 0.01), ("Confidence: high", nil), ("Label: favor\nConfidence: 0.0", 0.0),
    ])
    func statedConfidence(raw: String, expected: Double?) {
        let c = AnswerParser.statedConfidence(raw)
        #expect(c.map { abs($0 - (expected ?? -9)) < 1e-9 } ?? (expected == nil), "\(raw) → \(String(describing: c))")
    }

    @Test func logprobConfidenceIsTheExpOfTheMean() {
        #expect(abs(AnswerParser.confidence(logprobs: [-0.1, -0.3])! - exp(-0.2)) < 1e-12)
        #expect(AnswerParser.confidence(logprobs: []) == nil)
        // Answer tokens stop at the end of the first line or at "Confidence".
        let tokens: [(String, Double)] = [("pos", -0.1), ("itive", -0.3), ("\n", -1), ("Conf", -2), ("idence", -2)]
        #expect(ChatTransport.answerLogprobs(tokens) == [-0.1, -0.3])
        #expect(ChatTransport.answerLogprobs([(" favor", -0.5), (" (", -0.4), ("Confidence", -3)]) == [-0.5, -0.4])
        #expect(ChatTransport.answerLogprobs([(" favor", -0.5), (" (Conf", -0.4), ("idence", -3)]) == [-0.5])
    }

    @Test func responseDecoding() {
        let ok = #"{"choices":[{"message":{"role":"assistant","content":"favor"}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#
        #expect(ChatTransport.decode(ok) == CachedResponse(text: "favor", promptTokens: 12, completionTokens: 3))
        let nullContent = #"{"choices":[{"message":{"role":"assistant","content":null}}]}"#
        #expect(ChatTransport.decode(nullContent)?.text == "")
        #expect(ChatTransport.decode("<html>") == nil)
        #expect(ChatTransport.decode(#"{"choices":[]}"#) == nil)
        #expect(ChatTransport.seconds("1") == 1 && ChatTransport.seconds(" 2.5 ") == 2.5)
        #expect(ChatTransport.seconds("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(ChatTransport.errorMessage(#"{"error":{"message":"model not found"}}"#) == "model not found")
    }

    @Test func templatesGiveFivePlusTwoCVariants() throws {
        let task = TaskSpec(name: "stance", kind: .classify, labels: ["favor", "against", "neutral"], guidelines: "Be fair.")
        let item = Item(uid: "1", dataset: "d", kind: .text, fields: .text("Hola {label} {labels}"))
        let vs = try #require(PromptTemplates.defaults.variants(for: item, task: task, askConfidence: true))
        #expect(vs.count == 11 && PromptTemplates.variantCount(for: task) == 11)
        #expect(vs.map(\.name) == ["instruction", "swapped", "paraphrase", "tf:favor", "tf:against", "tf:neutral", "short",
                                   "choice", "agree:favor", "agree:against", "agree:neutral"])
        #expect(vs[0].messages[0].role == "system" && vs[0].messages[0].content.hasSuffix("Annotation guidelines:\nBe fair."))
        for v in vs {
            let user = v.messages.last!.content
            #expect(user.contains("Hola {label} {labels}"), "the item's text is not substituted again")
            #expect(user.hasSuffix(PromptTemplates.defaults.confidence))
        }
        // The instruction comes first, the swapped variant puts the text first.
        let instruction = vs[0].messages[1].content, swapped = vs[1].messages[1].content
        #expect(instruction.range(of: "Classify")!.lowerBound < instruction.range(of: "Hola")!.lowerBound)
        #expect(swapped.range(of: "Classify")!.lowerBound > swapped.range(of: "Hola")!.lowerBound)
        #expect(vs[7].messages[1].content.contains("A. favor\nB. against\nC. neutral"))
        #expect(vs[4].answer == .yesNo("against") && vs[4].messages[1].content.contains("\"against\""))
        let plain = try #require(PromptTemplates.defaults.variants(for: item, task: task, askConfidence: false))
        #expect(!plain[0].messages[1].content.contains("Confidence"))
    }

    @Test func templatesDecodeFromPartialInput() throws {
        let json = #"{"short": "{text} → {labels}?", "true_false": "{label}? {text}"}"#
        let t = try JSONDecoder().decode(PromptTemplates.self, from: Data(json.utf8))
        #expect(t.short == "{text} → {labels}?" && t.trueFalse == "{label}? {text}")
        #expect(t.instruction == PromptTemplates.defaults.instruction)
        let back = try JSONDecoder().decode(PromptTemplates.self, from: JSONEncoder().encode(t))
        #expect(back == t)
        #expect(PromptTemplates.fill("{a}{b}{c} {", ["a": "{b}", "b": "x"]) == "{b}x{c} {")
        #expect(PromptTemplates.optionLetter(0) == "A" && PromptTemplates.optionLetter(25) == "Z"
            && PromptTemplates.optionLetter(27) == "AB")
    }

    @Test func pairVariantsComeInBothOrders() throws {
        let task = TaskSpec(name: "pref", kind: .compare)
        let item = Item(uid: "p", dataset: "d", kind: .pair, fields: ItemFields(
            prompt: [.user("Q?")], responses: [[.assistant("first")], [.assistant("second")]]))
        let vs = try #require(PromptTemplates.defaults.variants(for: item, task: task, askConfidence: false))
        #expect(vs.map(\.name) == ["instruction:AB", "instruction:BA", "paraphrase:AB", "paraphrase:BA", "short:AB", "short:BA"])
        for v in vs {
            let u = v.messages.last!.content
            let firstShownFirst = u.range(of: "first")!.lowerBound < u.range(of: "second")!.lowerBound
            #expect(firstShownFirst == (v.answer == .pair(.ab)))
        }
        let ranking = Item(uid: "r", dataset: "d", kind: .ranking, fields: ItemFields(
            prompt: [.user("Q?")], responses: [[.assistant("1")], [.assistant("2")], [.assistant("3")]]))
        // A ranking item: four display orders, all different (stored, reversed, two other shuffles).
        let rs = try #require(PromptTemplates.defaults.variants(for: ranking, task: task, askConfidence: false))
        let shown = rs.map { v -> [Int] in
            guard case .order(let s) = v.answer else { return [] }
            return s
        }
        #expect(shown.prefix(2) == [[0, 1, 2], [2, 1, 0]])
        #expect(Set(shown).count == 4 && shown.allSatisfy { $0.sorted() == [0, 1, 2] })
        for (v, s) in zip(rs, shown) {
            let u = v.messages.last!.content
            let positions = s.map { u.range(of: "Assistant: \($0 + 1)")!.lowerBound }
            #expect(positions == positions.sorted(), "response shown[k] is shown as letter k")
        }
    }

    @Test func configKeepsTheKeyOutOfItsDescriptions() {
        let key = "sk-test-DESCRIBE-ME-0001"
        let config = LLMConfig(baseURL: "http://127.0.0.1:1/v1/", model: "m", apiKey: key)
        var dumped = ""
        dump(config, to: &dumped)
        for text in [config.description, String(describing: config), String(reflecting: config), "\(config)", dumped] {
            #expect(!text.contains(key))
        }
        #expect(config.chatCompletionsURL == "http://127.0.0.1:1/v1/chat/completions")
        #expect(LLMConfig.apiKey(fromEnvironmentVariable: "K", environment: ["K": " sk-1 \n"]) == "sk-1")
        #expect(LLMConfig.apiKey(fromEnvironmentVariable: "K", environment: ["K": "  "]) == nil)
        #expect(LLMConfig.apiKey(fromEnvironmentVariable: nil, environment: ["K": "x"]) == nil)
        #expect(LLMConfig.apiKey(fromEnvironmentVariable: "MISSING", environment: [:]) == nil)
        #expect(LLMConfig(baseURL: "localhost:8000", model: "").validationErrors().count == 2)
        #expect(abs(LLMConfig(baseURL: "http://x/v1", model: "m", promptPricePerMillion: 0.15, completionPricePerMillion: 0.6)
            .cost(promptTokens: 1_000_000, completionTokens: 500_000) - 0.45) < 1e-12)
    }

    // MARK: Real answers a small model gave that used to be misread (issue 13)

    let sentiment = AnswerParser(labels: ["negative", "neutral", "positive"])

    @Test(arguments: [
        ("Great game tonight 😉\n\nThis is a positive sentiment.", "positive"),
        ("Confidence: Positive.", "positive"),
        ("The text falls into the category \"Confidence: 0.3%\" and contains a positive sentiment.", "positive"),
        ("Positive. Although some might read it as negative, it is positive overall.", "positive"),
        ("The possible labels are negative, neutral, positive. The answer is neutral.", "neutral"),
        ("Positive\n\nThe tweet is happy but a little negative too.", "positive"),
        ("The sentiment is negative, not positive.", "negative"),
        ("**Label:** neutral", "neutral"),
    ])
    func rambleAnswers(raw: String, label: String) {
        #expect(sentiment.read(raw, as: .label) == .label(label), "\(raw)")
    }

    @Test(arguments: ["It could be positive or negative.", "This is not a positive tweet.",
                      "Positive? Negative? Hard to say.",
                      "Confidence: <a number from 0 to 1>"])
    func conflictingOrEmptyAnswersAreUnparseable(raw: String) {
        #expect(sentiment.read(raw, as: .label) == .unparseable, "\(raw)")
    }

    @Test(arguments: [
        ("The statement is not true.", AnswerParser.Reading.abstain), ("The statement is not entirely true.", .abstain),
        ("The statement is false. The correct label for this text would be \"negative\".", .abstain),
        ("Here's the answer:\nNo.", .abstain), ("I do not agree.", .abstain), ("I can't agree with that.", .abstain),
        ("True. The text is positive.", .label("positive")), ("Yes", .label("positive")),
        ("The statement is true.", .label("positive")), ("That is correct.", .label("positive")),
        ("Correct label: positive", .unparseable), ("positive", .unparseable),
    ])
    func yesNoRambles(raw: String, reading: AnswerParser.Reading) {
        #expect(sentiment.read(raw, as: .yesNo("positive")) == reading, "\(raw)")
    }

    @Test(arguments: [
        ("A. positive", AnswerParser.Reading.unparseable), ("C. positive", .label("positive")), ("A positive one.", .label("positive")),
        ("The answer is C", .label("positive")), ("A. negative\nB. neutral\nC. positive\n\nThe answer is B.", .label("neutral")),
        ("(A) negative", .label("negative")), ("B", .label("neutral")),
    ])
    func choiceRambles(raw: String, reading: AnswerParser.Reading) {
        #expect(sentiment.read(raw, as: .choice(["negative", "neutral", "positive"])) == reading, "\(raw)")
    }

    @Test func pairRambles() {
        let p = AnswerParser(labels: PromptTemplates.schema(for: TaskSpec(name: "p", kind: .compare, labels: ["both-bad"])))
        let cases: [(String, AnswerParser.Reading)] = [
            ("A carefully designed response would be: first, greet the user.", .unparseable),
            ("A: The answer is A.", .label("0")), ("The better response is B.", .label("1")),
            ("Response A is more detailed, but Response B is correct. B is better.", .label("1")),
            ("Neither is better; they are equally good.", .label("tie")), ("Both responses are bad.", .label("both-bad")),
            ("I would choose Response A.", .label("0")), ("Answer: B", .label("1")),
        ]
        for (raw, reading) in cases { #expect(p.read(raw, as: .pair(.ab)) == reading, "\(raw)") }
    }

    @Test(arguments: [
        ("Confidence: <a number from 0 to 1>", nil as Double?), ("Confidence: Positive.", nil),
        ("category \"Confidence: 0.3%\"", 0.003), ("Confidence: 9 out of 10", 0.9), ("positive\nConfidence: 0.85", 0.85),
    ])
    func confidenceIsOnlyANumber(raw: String, expected: Double?) {
        let c = AnswerParser.statedConfidence(raw)
        #expect(c.map { abs($0 - (expected ?? -9)) < 1e-9 } ?? (expected == nil), "\(raw) → \(String(describing: c))")
    }
}
