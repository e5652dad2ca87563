@testable import DuetCore
import Foundation
import Testing

/// Preference formats on hand-made pairs. Response 1 ("Paris.") is the one
/// preferred; the same choice must give the same rows whichever side it was
/// shown on, so every format is checked under both display orders.
@Suite struct PreferenceExportTests {
    static let compare = TaskSpec(name: "preference", kind: .compare)

    static let pair = Item(uid: "p1", dataset: "prefs", kind: .pair, fields: ItemFields(
        prompt: [.user("Capital of France?")],
        responses: [[.assistant("Lyon.")], [.assistant("Paris."), .assistant("Sure.")]]))

    static func judgment(_ id: Int64, _ choice: PairChoice, strength: Int = 1, rationale: String? = nil, display: DisplayOrder? = .ab,
                         by who: String = "ana", at t: Double = 0) -> Annotation {
        value(id, PairJudgment(choice: choice, strength: strength, rationale: rationale).json, display: display, by: who, at: t)
    }

    static func judgment(_ choice: PairChoice, strength: Int = 1, rationale: String? = nil, display: DisplayOrder? = .ab) -> Annotation {
        judgment(1, choice, strength: strength, rationale: rationale, display: display)
    }

    static func value(_ id: Int64, _ value: JSONValue?, display: DisplayOrder? = nil, by who: String = "ana", kind: AnnotatorKind = .human,
                      status: AnnotationStatus = .submitted, at t: Double = 0) -> Annotation {
        Annotation(id: id, entry: NewAnnotation(itemRowID: 1, task: kind == .source ? nil : "preference", annotatorKind: kind,
                                                annotator: who, value: value, status: status, createdAt: T.date(t), display: display))
    }

    static func output(_ item: Item, _ format: ExportFormat, _ decisions: [Annotation], scope: DecisionScope = .final,
                       options: ExportOptions = ExportOptions()) -> ExportOutput {
        ExportRenderer.output(ExportRow(item: StoredItem(rowID: 1, item: item), decisions: decisions), format: format,
                              task: compare, scope: scope, options: options)
    }

    static func output(_ format: ExportFormat, _ decisions: [Annotation], scope: DecisionScope = .final,
                       options: ExportOptions = ExportOptions()) -> ExportOutput {
        output(pair, format, decisions, scope: scope, options: options)
    }

    /// The lines written for "Paris." preferred, shown on the given side.
    static func lines(_ format: ExportFormat, display: DisplayOrder, item: Item = pair) -> [String] {
        output(item, format, [judgment(.response(1), strength: 2, display: display)]).lines.map(\.line)
    }

    static let displays: [DisplayOrder] = [.ab, .ba]

    @Test(arguments: displays) func dpo(display: DisplayOrder) {
        #expect(Self.lines(.dpo, display: display) == [#"{"chosen":"Paris.\n\nSure.","prompt":"Capital of France?","rejected":"Lyon."}"#])
    }

    @Test(arguments: displays) func dpoMessages(display: DisplayOrder) {
        #expect(Self.lines(.dpoMessages, display: display) == [
            #"{"chosen":[{"content":"Paris.","role":"assistant"},{"content":"Sure.","role":"assistant"}],"#
                + #""prompt":[{"content":"Capital of France?","role":"user"}],"rejected":[{"content":"Lyon.","role":"assistant"}]}"#,
        ])
    }

    @Test(arguments: displays) func openAIDPO(display: DisplayOrder) {
        #expect(Self.lines(.openaiDPO, display: display) == [
            #"{"input":{"messages":[{"content":"Capital of France?","role":"user"}]},"non_preferred_output":[{"content":"Lyon.","role":"assistant"}],"#
                + #""preferred_output":[{"content":"Paris.","role":"assistant"},{"content":"Sure.","role":"assistant"}]}"#,
        ])
    }

    @Test(arguments: displays) func kto(display: DisplayOrder) {
        let prompt = #""prompt":[{"content":"Capital of France?","role":"user"}]"#
        #expect(Self.lines(.kto, display: display) == [
            #"{"completion":[{"content":"Paris.","role":"assistant"},{"content":"Sure.","role":"assistant"}],"label":true,"# + prompt + "}",
            #"{"completion":[{"content":"Lyon.","role":"assistant"}],"label":false,"# + prompt + "}",
        ])
    }

    @Test(arguments: displays) func ultrafeedbackBinarized(display: DisplayOrder) {
        let user = #"{"content":"Capital of France?","role":"user"}"#
        let chosen = "[" + user + #",{"content":"Paris.","role":"assistant"},{"content":"Sure.","role":"assistant"}]"#
        #expect(Self.lines(.ultrafeedbackBinarized, display: display) == [
            #"{"chosen":"# + chosen + #","messages":"# + chosen + #","prompt":"Capital of France?","prompt_id":"p1","#
                + #""rejected":["# + user + #",{"content":"Lyon.","role":"assistant"}],"score_chosen":2,"score_rejected":0}"#,
        ])
    }

    @Test(arguments: displays) func hh(display: DisplayOrder) {
        #expect(Self.lines(.hh, display: display) == [
            #"{"chosen":"\n\nHuman: Capital of France?\n\nAssistant: Paris.\n\nAssistant: Sure.","#
                + #""rejected":"\n\nHuman: Capital of France?\n\nAssistant: Lyon."}"#,
        ])
    }

    @Test(arguments: displays) func provenanceLine(display: DisplayOrder) throws {
        var d = Self.judgment(.response(1), strength: 2, rationale: "Lyon is wrong", display: display)
        d.entry.seconds = 4.5
        d.entry.note = "checked"
        let out = Self.output(.dpo, [d])
        let p = try JSONValue.parse(try #require(out.lines.first?.provenance))
        #expect(p == [
            "id": "p1", "annotator": "ana", "annotator_kind": "human", "task": "preference", "status": "submitted",
            "value": ["choice": 1, "strength": 2, "rationale": "Lyon is wrong"], "strength": 2, "rationale": "Lyon is wrong",
            "display": .string(display.rawValue), "chosen_index": 1, "rejected_index": 0,
            "created_at": "2023-11-14T22:13:20.000Z", "seconds": 4.5, "flagged": false, "note": "checked",
        ])
    }

    /// The original order is irrelevant: preferring response 0 shown on the right gives response 0 as chosen.
    @Test func preferringTheFirstResponse() {
        let out = Self.output(.dpo, [Self.judgment(.response(0), display: .ba)])
        #expect(out.lines.map(\.line) == [#"{"chosen":"Lyon.","prompt":"Capital of France?","rejected":"Paris.\n\nSure."}"#])
    }

    @Test func systemMessage() throws {
        let item = Item(uid: "s1", dataset: "prefs", kind: .pair, fields: ItemFields(
            prompt: [.system("Be brief."), .user("Hi")], responses: [[.assistant("Hello.")], [.assistant("Hey.")]]))
        let d = [Self.judgment(.response(0))]
        // dpo: the string prompt is the user turn; the system text goes to the provenance.
        let dpo = Self.output(item, .dpo, d)
        #expect(dpo.lines.map(\.line) == [#"{"chosen":"Hello.","prompt":"Hi","rejected":"Hey."}"#])
        #expect(try JSONValue.parse(try #require(dpo.lines.first?.provenance))["system"] == "Be brief.")
        // hh: folded into the first Human turn.
        #expect(Self.output(item, .hh, d).lines.map(\.line) == [
            #"{"chosen":"\n\nHuman: Be brief.\n\nHi\n\nAssistant: Hello.","rejected":"\n\nHuman: Be brief.\n\nHi\n\nAssistant: Hey."}"#,
        ])
        // ultrafeedback-binarized: the prompt is the last user turn, the conversations keep the system message.
        let uf = try JSONValue.parse(try #require(Self.output(item, .ultrafeedbackBinarized, d).lines.first?.line))
        #expect(uf["prompt"] == "Hi")
        #expect(uf["chosen"]?.array?.first == ["role": "system", "content": "Be brief."])
    }

    @Test func multiTurnPromptBecomesAnHHTranscriptInDPOStrings() {
        let item = Item(uid: "m1", dataset: "prefs", kind: .pair, fields: ItemFields(
            prompt: [.user("Hi"), .assistant("Hello, how can I help?"), .user("A joke")], responses: [[.assistant("No.")], [.assistant("Knock knock.")]]))
        let d = [Self.judgment(.response(1))]
        let dpo = Self.output(item, .dpo, d)
        #expect(dpo.skipped.isEmpty)
        #expect(dpo.lines.map(\.line) == [
            #"{"chosen":" Knock knock.","prompt":"\n\nHuman: Hi\n\nAssistant: Hello, how can I help?\n\nHuman: A joke\n\nAssistant:","rejected":" No."}"#,
        ])
        #expect(Self.output(item, .dpoMessages, d).lines.count == 1)
        #expect(Self.output(item, .hh, d).lines.map(\.line) == [
            #"{"chosen":"\n\nHuman: Hi\n\nAssistant: Hello, how can I help?\n\nHuman: A joke\n\nAssistant: Knock knock.","#
                + #""rejected":"\n\nHuman: Hi\n\nAssistant: Hello, how can I help?\n\nHuman: A joke\n\nAssistant: No."}"#,
        ])
    }

    @Test(arguments: [ExportFormat.dpo, .dpoMessages, .openaiDPO, .kto, .ultrafeedbackBinarized, .hh])
    func tiesAndBothBadAreLeftOut(format: ExportFormat) {
        #expect(Self.output(format, [Self.judgment(.tie)]) == ExportOutput(skipped: [.tie]))
        #expect(Self.output(format, [Self.judgment(.bothBad)]) == ExportOutput(skipped: [.bothBad]))
        // Every annotator's decision: one row per strict choice, one reason per tie / both-bad.
        let all = Self.output(format, [Self.judgment(1, .tie, by: "ana"), Self.judgment(2, .bothBad, by: "bo"),
                                       Self.judgment(3, .response(1), by: "cy")], scope: .all)
        #expect(all.lines.count == (format == .kto ? 2 : 1))
        #expect(all.skipped == [.tie, .bothBad])
        #expect(ExportSkip.tie.rawValue == "tie")
        #expect(ExportSkip.bothBad.rawValue == "both bad")
    }

    @Test func ktoFalseRows() throws {
        let opts = ExportOptions(ktoTies: .falseRows)
        let out = Self.output(.kto, [Self.judgment(1, .tie, by: "ana"), Self.judgment(2, .bothBad, by: "bo")], scope: .all, options: opts)
        let prompt = #""prompt":[{"content":"Capital of France?","role":"user"}]"#
        let lyon = #"{"completion":[{"content":"Lyon.","role":"assistant"}],"label":false,"# + prompt + "}"
        let paris = #"{"completion":[{"content":"Paris.","role":"assistant"},{"content":"Sure.","role":"assistant"}],"label":false,"# + prompt + "}"
        #expect(out.lines.map(\.line) == [lyon, paris, lyon, paris])
        #expect(out.falseRows == [.tie, .bothBad])
        #expect(out.skipped.isEmpty)
        let prov = try out.lines.map { try JSONValue.parse(try #require($0.provenance)) }
        #expect(prov.map { $0["annotator"] } == ["ana", "ana", "bo", "bo"])
        #expect(prov.map { $0["completion_index"] } == [0, 1, 0, 1])
        #expect(prov.map { $0["label"] } == [false, false, false, false])
        #expect(prov.map { $0["chosen_index"] } == [nil, nil, nil, nil])
        // Other formats ignore the option; the default excludes.
        #expect(Self.output(.dpo, [Self.judgment(.tie)], options: opts) == ExportOutput(skipped: [.tie]))
        #expect(Self.output(.kto, [Self.judgment(.tie)]) == ExportOutput(skipped: [.tie]))
    }

    static let ranking = Item(uid: "r1", dataset: "uf", kind: .ranking, fields: ItemFields(
        prompt: [.user("Name a colour")], responses: [[.assistant("Red")], [.assistant("Blue")], [.assistant("Banana")]]))

    @Test func rankingBestVersusWorst() throws {
        let d = [Self.value(1, Ranking(ranks: [2, 1, 3]).json)]
        #expect(Self.output(Self.ranking, .dpo, d).lines.map(\.line) == [#"{"chosen":"Blue","prompt":"Name a colour","rejected":"Banana"}"#])
        // Scores: N - rank + 1 with N = 3.
        let uf = try JSONValue.parse(try #require(Self.output(Self.ranking, .ultrafeedbackBinarized, d).lines.first?.line))
        #expect(uf["score_chosen"] == 3)
        #expect(uf["score_rejected"] == 1)
        let prov = try JSONValue.parse(try #require(Self.output(Self.ranking, .dpo, d).lines.first?.provenance))
        #expect(prov["chosen_index"] == 1)
        #expect(prov["rejected_index"] == 2)
        // Ties among the best: the first of them.
        let tied = Self.output(Self.ranking, .dpoMessages, [Self.value(1, Ranking(ranks: [2, 2, 1]).json)])
        #expect(try JSONValue.parse(try #require(tied.lines.first?.line))["rejected"] == [["role": "assistant", "content": "Red"]])
        #expect(Self.output(Self.ranking, .dpo, [Self.value(1, Ranking(ranks: [1, 1, 1]).json)]) == ExportOutput(skipped: [.allTied]))
        // A ranking that does not fit the item is no decision to export.
        #expect(Self.output(Self.ranking, .dpo, [Self.value(1, Ranking(ranks: [1, 2]).json)]) == ExportOutput(skipped: [.notAJudgment]))
    }

    @Test func whichDecisions() {
        let source = Self.value(1, ["choice": 0], by: "source:prefs.jsonl", kind: .source)
        let skipped = Self.value(2, nil, by: "bo", status: .skipped, at: 1)
        let ana = Self.judgment(3, .response(1), by: "ana", at: 2)
        // The source's preference is never a row.
        #expect(Self.output(.dpo, [source], scope: .all) == ExportOutput(skipped: [.undecided]))
        #expect(Self.output(.dpo, [], scope: .final) == ExportOutput(skipped: [.undecided]))
        let all = Self.output(.dpo, [source, skipped, ana], scope: .all)
        #expect(all.lines.count == 1)
        #expect(all.skipped == [.skippedByAnnotator])
        // `human` takes the latest person's decision, like jsonl's label.
        let human = Self.output(.dpo, [Self.judgment(1, .response(0), by: "bo", at: 0), Self.judgment(2, .response(1), by: "ana", at: 5)],
                                scope: .human)
        #expect(human.lines.map(\.line) == [#"{"chosen":"Paris.\n\nSure.","prompt":"Capital of France?","rejected":"Lyon."}"#])
    }

    @Test func nonPairItemsAreTheWrongKind() {
        let text = Item(uid: "t", dataset: "d", kind: .text, fields: .text("x"))
        #expect(Self.output(text, .dpo, [Self.judgment(.response(0))]) == ExportOutput(skipped: [.wrongKind]))
    }

    @Test func formatsFitTasks() {
        let classify = TaskSpec(name: "sentiment", kind: .classify, labels: ["a", "b"])
        #expect(ExportFormat.dpo.problem(with: classify) == "format dpo needs a compare task (task 'sentiment' is classify)")
        #expect(ExportFormat.kto.problem(with: nil) == "format kto needs a compare task (choose one with --task)")
        #expect(ExportFormat.alpaca.problem(with: Self.compare)?.hasPrefix("format alpaca cannot hold pairs: compare task 'preference'") == true)
        #expect(ExportFormat.csv.problem(with: Self.compare) != nil)
        #expect(ExportFormat.jsonl.problem(with: Self.compare) == nil)
        #expect(ExportFormat.hh.problem(with: Self.compare) == nil)
        #expect(ExportFormat.csv.problem(with: classify) == nil)
        #expect(ExportFormat(rawValue: "ultrafeedback-binarized") == .ultrafeedbackBinarized)
    }

    /// The exports read back through Duet's own importers as the same pair.
    @Test(arguments: [ExportFormat.dpo, .dpoMessages, .openaiDPO, .hh, .ultrafeedbackBinarized])
    func readsBackAsThePreferredPair(format: ExportFormat) throws {
        let line = try #require(Self.lines(format, display: .ba).first)
        let back = try T.one(line)
        #expect(back.item.kind == .pair)
        #expect(back.item.fields.prompt == [.user("Capital of France?")])
        let chosen = back.item.fields.responses?.first?.map(\.content)
        #expect(chosen == (format == .dpo ? ["Paris.\n\nSure."] : ["Paris.", "Sure."]))
        #expect(back.item.fields.responses?.last?.map(\.content) == ["Lyon."])
    }
}
