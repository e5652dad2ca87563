/// Comparison formats. Responses are stored in the source's order
/// (chosen first); the source's preference becomes an annotation by
/// `source:<file>` with value `{"choice": 0}`, never truth.
enum Preferences {
    static let sourceChoice = SourceAnnotation(value: ["choice": 0])

    static func mapDPO(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        var prompt: Conversation = []
        if let p = row.value("prompt") { prompt = try Chat.turns(p, field: "prompt", role: "user") }
        guard let cv = row.value("chosen") else { throw row.missing("chosen") }
        guard let rv = row.value("rejected") else { throw row.missing("rejected") }
        let chosen = try Chat.turns(cv, field: "chosen", role: "assistant")
        let rejected = try Chat.turns(rv, field: "rejected", role: "assistant")
        let split = Chat.splitPair(prompt: prompt, chosen: chosen, rejected: rejected)
        return try pair(&row, prompt: split.prompt, responses: [split.chosen, split.rejected], options: options, source: [sourceChoice])
    }

    /// HH-RLHF: whole transcripts sharing a prefix. The prompt is the common
    /// prefix cut back to just after its last "\n\nAssistant:"; the rest of
    /// each transcript is its response.
    static func mapHH(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        let chosen = try row.string("chosen")
        let rejected = try row.string("rejected")
        let marker = "\n\nAssistant:"
        let common = commonPrefix(chosen, rejected)
        guard let cut = common.range(of: marker, options: .backwards) else {
            throw FieldError("fields 'chosen'/'rejected': no shared \"\\n\\nAssistant:\" prefix to split the prompt from the responses")
        }
        let promptText = String(common[..<cut.lowerBound])
        let promptEnd = cut.upperBound.utf16Offset(in: common)
        let chosenRest = String(chosen.utf16.dropFirst(promptEnd))!
        let rejectedRest = String(rejected.utf16.dropFirst(promptEnd))!
        let prompt = transcriptTurns(promptText, firstRole: "user")
        guard !prompt.isEmpty else { throw FieldError("fields 'chosen'/'rejected': the shared prompt is empty") }
        let responses = [transcriptTurns(chosenRest, firstRole: "assistant"), transcriptTurns(rejectedRest, firstRole: "assistant")]
        return try pair(&row, prompt: prompt, responses: responses, options: options, source: [sourceChoice])
    }

    static func commonPrefix(_ a: String, _ b: String) -> Substring {
        var ia = a.startIndex
        var ib = b.startIndex
        while ia < a.endIndex && ib < b.endIndex && a.unicodeScalars[ia] == b.unicodeScalars[ib] {
            ia = a.unicodeScalars.index(after: ia)
            ib = b.unicodeScalars.index(after: ib)
        }
        return a.unicodeScalars[..<ia].isEmpty ? "" : Substring(a.unicodeScalars[..<ia])
    }

    /// Splits "\n\nHuman: …\n\nAssistant: …" into turns. Text before the first
    /// marker belongs to `firstRole`.
    static func transcriptTurns(_ text: String, firstRole: String) -> Conversation {
        var turns: Conversation = []
        var role = firstRole
        var rest = Substring(text)
        let markers: [(String, String)] = [("\n\nHuman:", "user"), ("\n\nAssistant:", "assistant")]
        while true {
            var next: (Range<Substring.Index>, String)?
            for (m, r) in markers {
                if let found = rest.range(of: m), next == nil || found.lowerBound < next!.0.lowerBound { next = (found, r) }
            }
            let piece = next.map { rest[..<$0.0.lowerBound] } ?? rest
            let content = piece.hasPrefix(" ") ? String(piece.dropFirst()) : String(piece)
            // Text that starts with a marker has nothing before it: no turn.
            if !(turns.isEmpty && content.isEmpty && next != nil) {
                turns.append(Message(role: role, content: content))
            }
            guard let (range, r) = next else { break }
            role = r
            rest = rest[range.upperBound...]
        }
        return turns
    }

    /// UltraFeedback raw: N completions → a ranking item; the ratings become
    /// the source's annotation `{"overall": [...], "aspects": {aspect: [...]}}`.
    static func mapUltraFeedback(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        let instruction = try row.string("instruction")
        let completions = try row.array("completions")
        guard completions.count >= 2 else { throw FieldError("field 'completions': need at least 2 completions, found \(completions.count)") }
        var responses: [Conversation] = []
        var models: [JSONValue] = []
        var overall: [JSONValue] = []
        var aspects: [String: [JSONValue]] = [:]
        let aspectNames = ["instruction_following", "honesty", "truthfulness", "helpfulness"]
        for (i, c) in completions.enumerated() {
            let f = "completions[\(i)]"
            guard let o = c.object else { throw .type(f, expected: "an object", got: c) }
            guard let rv = o["response"] else { throw .missing("\(f).response") }
            guard let response = rv.string else { throw .type("\(f).response", expected: "a string", got: rv) }
            responses.append([.assistant(response)])
            models.append(o["model"] ?? .null)
            overall.append(o["overall_score"].flatMap { $0.number.map(JSONValue.number) } ?? .null)
            let ann = o["annotations"]?.object ?? [:]
            for name in aspectNames {
                var a = ann[name]
                if let list = a?.array { a = list.first }  // an aspect may be a one-element list
                // "N/A", and "inf" or "nan" (which JSON cannot hold), are no rating.
                let rating = a?["Rating"]?.scalarText.flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil }
                aspects[name, default: []].append(rating.map(JSONValue.number) ?? .null)
            }
        }
        let fields = ItemFields(prompt: [.user(instruction)], responses: responses)
        row.markUsed("models")
        var item = try RecordMapper.item(&row, options: options, kind: .ranking, fields: fields)
        item.metadata["models"] = .array(models)
        let value: JSONValue = ["overall": .array(overall), "aspects": .object(aspects.mapValues { .array($0) })]
        return ImportedRecord(item: item, sourceAnnotations: [SourceAnnotation(value: value)])
    }

    static func mapOpenAIPreference(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard let input = row.value("input") else { throw row.missing("input") }
        guard let msgs = input["messages"] else { throw .missing("input.messages") }
        let prompt = try Chat.messages(msgs, field: "input.messages")
        guard let p = row.value("preferred_output") else { throw row.missing("preferred_output") }
        guard let n = row.value("non_preferred_output") else { throw row.missing("non_preferred_output") }
        let chosen = try Chat.messages(p, field: "preferred_output")
        let rejected = try Chat.messages(n, field: "non_preferred_output")
        return try pair(&row, prompt: prompt, responses: [chosen, rejected], options: options, source: [sourceChoice])
    }

    /// Label Studio pairwise input: no preference yet.
    static func mapLabelStudio(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard let p = row.value("prompt") else { throw row.missing("prompt") }
        let prompt = try Chat.turns(p, field: "prompt", role: "user")
        let a = try row.string("answer1")
        let b = try row.string("answer2")
        return try pair(&row, prompt: prompt, responses: [[.assistant(a)], [.assistant(b)]], options: options, source: [])
    }

    static func pair(_ row: inout FieldReader, prompt: Conversation, responses: [Conversation], options: ImportOptions,
                     source: [SourceAnnotation]) throws(FieldError) -> ImportedRecord {
        // An empty response is data too (HH-RLHF has some); a missing one is not.
        for (i, r) in responses.enumerated() where r.isEmpty {
            throw FieldError("response \(i == 0 ? "chosen/first" : "rejected/second") has no messages")
        }
        let fields = ItemFields(prompt: prompt, responses: responses)
        let item = try RecordMapper.item(&row, options: options, kind: .pair, fields: fields)
        return ImportedRecord(item: item, sourceAnnotations: source)
    }
}

import Foundation
