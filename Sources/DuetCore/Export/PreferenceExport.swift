/// Preference exports of compare tasks (pair and ranking items).
///
/// A decision is read in terms of the *stored* responses, so the side a
/// response was shown on never changes which one is chosen:
/// - a pair judgment `{"choice": i}` gives chosen = `responses[i]`, rejected =
///   the other; ties and both-bad have no chosen response and are left out
///   (KTO can write them as two `label: false` rows);
/// - a ranking `{"ranks": [...]}` gives best vs worst; all tied is left out.
///
/// Rows carry only the format's keys; provenance goes to the companion file,
/// one line per written row, keyed by the item's "id".
///
/// Scores (`ultrafeedback-binarized`): a pair judgment gives score_chosen =
/// its strength (1 better, 2 much better) and score_rejected = 0; a ranking of
/// N responses gives each side N - rank + 1 (best rank 1 of 4 → 4).
///
/// The dataset's own preference (`source:<file>`) is evidence, not a
/// decision: it is never exported as a row.
enum PreferenceExport {
    /// A decision read as chosen vs rejected stored indexes.
    struct Choice: Hashable {
        var chosen: Int
        var rejected: Int
        var scoreChosen: Double
        var scoreRejected: Double
    }

    /// A row's content before it is written, with what its provenance line adds.
    struct Built {
        var row: JSONValue
        var provenance: [String: JSONValue] = [:]
    }

    static func render(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope,
                       options: ExportOptions) -> ExportOutput {
        let item = row.item.item
        guard item.kind == .pair || item.kind == .ranking, let responses = item.fields.responses, responses.count >= 2 else {
            return ExportOutput(skipped: [.wrongKind])
        }
        let own = row.decisions.filter { $0.entry.annotatorKind != .source && $0.entry.task != nil }
        // `final` and `human` take one decision per item (the latest), `all` every annotator's.
        let decisions = scope == .all ? own : own.suffix(1)
        if decisions.isEmpty { return ExportOutput(skipped: [.undecided]) }
        let prompt = item.fields.prompt ?? []
        var out = ExportOutput()
        for d in decisions {
            if d.entry.status != .submitted {
                out.skipped.append(.skippedByAnnotator)
                continue
            }
            let built: [Built]
            switch read(d.entry.value, responses: responses.count) {
            case .success(let c):
                switch rows(format, item: item, prompt: prompt, chosen: responses[c.chosen], rejected: responses[c.rejected], choice: c) {
                case .success(let b):
                    built = b.map { b in
                        var b = b
                        b.provenance["chosen_index"] = .number(Double(c.chosen))
                        b.provenance["rejected_index"] = .number(Double(c.rejected))
                        return b
                    }
                case .failure(let why):
                    out.skipped.append(why)
                    continue
                }
            case .failure(let why):
                guard format == .kto, options.ktoTies == .falseRows, why == .tie || why == .bothBad else {
                    out.skipped.append(why)
                    continue
                }
                built = responses.indices.map { i in
                    Built(row: kto(prompt, responses[i], label: false), provenance: ["completion_index": .number(Double(i)), "label": false])
                }
                out.falseRows.append(why)
            }
            for b in built {
                var side = JSONWriter()
                ExportRenderer.writeProvenance(d, adding: provenance(d, item: item).merging(b.provenance) { _, new in new }, into: &side)
                out.lines.append(ExportLine(line: b.row.canonicalJSON, provenance: side.text))
            }
        }
        return out
    }

    /// Chosen vs rejected from a decision value, or why there is none.
    static func read(_ value: JSONValue?, responses n: Int) -> Result<Choice, ExportSkip> {
        if let j = PairJudgment(value) {
            switch j.choice {
            case .tie: return .failure(.tie)
            case .bothBad: return .failure(.bothBad)
            case .response(let i):
                guard n == 2 else { return .failure(.notAJudgment) }
                return .success(Choice(chosen: i, rejected: 1 - i, scoreChosen: Double(j.strength), scoreRejected: 0))
            }
        }
        guard let r = Ranking(value), r.ranks.count == n else { return .failure(.notAJudgment) }
        guard let (best, worst) = r.bestAndWorst else { return .failure(.allTied) }
        return .success(Choice(chosen: best, rejected: worst, scoreChosen: Double(n - r.ranks[best] + 1),
                               scoreRejected: Double(n - r.ranks[worst] + 1)))
    }

    /// The rows of one chosen-vs-rejected decision in `format`.
    static func rows(_ format: ExportFormat, item: Item, prompt: Conversation, chosen: Conversation, rejected: Conversation,
                     choice: Choice) -> Result<[Built], ExportSkip> {
        func list(_ c: Conversation) -> JSONValue { .array(c.map(\.json)) }
        switch format {
        case .dpo:
            // TRL's standard (string) preference format has no system key: a
            // leading system message is kept in the provenance ("system").
            let system = prompt.prefix { $0.role == "system" }
            let turns = prompt.dropFirst(system.count)
            if turns.count > 1 {
                // A conversation cannot be one plain string: write it the way
                // TRL's HH-RLHF examples do, a transcript ending in
                // "\n\nAssistant:" with each response starting with a space,
                // so prompt + chosen is the whole transcript.
                return .success([Built(row: ["prompt": .string(transcript(prompt) + "\n\nAssistant:"),
                                             "chosen": .string(" " + joined(chosen)), "rejected": .string(" " + joined(rejected))])])
            }
            var b = Built(row: ["prompt": .string(turns.first?.content ?? ""), "chosen": .string(joined(chosen)),
                                "rejected": .string(joined(rejected))])
            if !system.isEmpty { b.provenance["system"] = .string(system.map(\.content).joined(separator: "\n\n")) }
            return .success([b])
        case .dpoMessages:
            return .success([Built(row: ["prompt": list(prompt), "chosen": list(chosen), "rejected": list(rejected)])])
        case .openaiDPO:
            return .success([Built(row: ["input": ["messages": list(prompt)], "preferred_output": list(chosen),
                                         "non_preferred_output": list(rejected)])])
        case .kto:
            return .success([
                Built(row: kto(prompt, chosen, label: true), provenance: ["completion_index": .number(Double(choice.chosen)), "label": true]),
                Built(row: kto(prompt, rejected, label: false), provenance: ["completion_index": .number(Double(choice.rejected)), "label": false]),
            ])
        case .ultrafeedbackBinarized:
            let lastUser = prompt.last { $0.role == "user" }?.content ?? ""
            return .success([Built(row: [
                "prompt": .string(lastUser), "prompt_id": .string(item.uid),
                "chosen": list(prompt + chosen), "rejected": list(prompt + rejected), "messages": list(prompt + chosen),
                "score_chosen": .number(choice.scoreChosen), "score_rejected": .number(choice.scoreRejected),
            ])])
        case .hh:
            return .success([Built(row: ["chosen": .string(transcript(prompt + chosen)), "rejected": .string(transcript(prompt + rejected))])])
        case .jsonl, .csv, .alpaca, .sharegpt, .messages:
            return .failure(.wrongKind)
        }
    }

    static func kto(_ prompt: Conversation, _ completion: Conversation, label: Bool) -> JSONValue {
        ["prompt": .array(prompt.map(\.json)), "completion": .array(completion.map(\.json)), "label": .bool(label)]
    }

    /// A response as one string: its messages' text joined by a blank line.
    static func joined(_ response: Conversation) -> String {
        response.map(\.content).joined(separator: "\n\n")
    }

    /// An HH-RLHF transcript: "\n\nHuman: …\n\nAssistant: …". Assistant turns
    /// are "Assistant", every other role "Human". System messages are folded
    /// into the next Human turn (system text, a blank line, the user's text),
    /// so nothing is lost; a system message with no Human turn after it
    /// becomes a Human turn of its own.
    static func transcript(_ messages: Conversation) -> String {
        var out = ""
        var system: [String] = []
        for m in messages {
            switch m.role {
            case "system":
                system.append(m.content)
            case "assistant":
                if !system.isEmpty {
                    out += "\n\nHuman: " + system.joined(separator: "\n\n")
                    system = []
                }
                out += "\n\nAssistant: " + m.content
            default:
                out += "\n\nHuman: " + (system + [m.content]).joined(separator: "\n\n")
                system = []
            }
        }
        if !system.isEmpty { out += "\n\nHuman: " + system.joined(separator: "\n\n") }
        return out
    }

    /// What the companion line of a row adds to the decision's provenance
    /// (`ExportRenderer.writeProvenance`: who decided what, when, and how it
    /// was shown, `display` "AB" = response 0 on the left/top): the item's id,
    /// `flagged` always, the judgment's strength and rationale.
    static func provenance(_ a: Annotation, item: Item) -> [String: JSONValue] {
        var p: [String: JSONValue] = ["id": .string(item.uid), "flagged": .bool(a.entry.flagged)]
        if let j = PairJudgment(a.entry.value) {
            p["strength"] = .number(Double(j.strength))
            if let r = j.rationale, !r.isEmpty { p["rationale"] = .string(r) }
        }
        return p
    }
}
