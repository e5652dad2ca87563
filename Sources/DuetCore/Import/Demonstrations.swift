/// Instruction → response formats (SFT data).
enum Demonstrations {
    /// Alpaca `{instruction, input, output}` with LLaMA-Factory's `system` and
    /// `history`; `{…, chosen, rejected}` is a preference pair; `kto_tag` is a
    /// verdict from the source.
    static func mapAlpaca(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        let instruction = try row.string("instruction")
        let input = try row.optionalString("input") ?? ""
        var prompt: Conversation = []
        if let system = try row.optionalString("system"), !system.isEmpty { prompt.append(.system(system)) }
        if let history = row.value("history") {
            guard let turns = history.array else { throw .type("history", expected: "a list of [user, assistant] pairs", got: history) }
            for (i, t) in turns.enumerated() {
                guard let pair = t.array, pair.count == 2, let u = pair[0].string, let a = pair[1].string else {
                    throw .type("history[\(i)]", expected: "a [user, assistant] pair of strings", got: t)
                }
                prompt.append(.user(u))
                prompt.append(.assistant(a))
            }
        }
        prompt.append(.user(input.isEmpty ? instruction : instruction + "\n\n" + input))
        // Kept so that an Alpaca export can give instruction and input back apart.
        let split: JSONValue = ["instruction": .string(instruction), "input": .string(input)]

        if row.has("chosen") || row.has("rejected") {
            let chosen = try row.string("chosen")
            let rejected = try row.string("rejected")
            let fields = ItemFields(prompt: prompt, responses: [[.assistant(chosen)], [.assistant(rejected)]])
            var item = try RecordMapper.item(&row, options: options, kind: .pair, fields: fields)
            item.metadata["_alpaca"] = split
            return ImportedRecord(item: item, sourceAnnotations: [Preferences.sourceChoice])
        }
        let output = try row.string("output")
        var annotations: [SourceAnnotation] = []
        if let tag = row.value("kto_tag") {
            guard let b = tag.bool else { throw .type("kto_tag", expected: "a boolean", got: tag) }
            annotations.append(SourceAnnotation(value: ["verdict": .string(b ? "accept" : "reject")]))
        }
        var item = try RecordMapper.item(&row, options: options, kind: .demonstration, fields: ItemFields(messages: prompt + [.assistant(output)]))
        item.metadata["_alpaca"] = split
        return ImportedRecord(item: item, sourceAnnotations: annotations)
    }

    static let shareGPTRoles = ["human": "user", "gpt": "assistant", "observation": "tool",
                                "function_call": "assistant", "system": "system", "user": "user", "assistant": "assistant", "tool": "tool"]

    static func mapShareGPT(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard let conv = row.value("conversations") else { throw row.missing("conversations") }
        var messages = try Chat.messages(conv, field: "conversations", roleKey: "from", contentKey: "value", roleMap: shareGPTRoles)
        for (i, m) in messages.enumerated() where !["user", "assistant", "tool", "system"].contains(m.role) {
            throw FieldError("field 'conversations[\(i)].from': unknown role '\(m.role)' (expected human, gpt, system, observation or function_call)")
        }
        if let system = try row.optionalString("system"), !system.isEmpty { messages.insert(.system(system), at: 0) }
        return try demonstration(&row, messages: messages, field: "conversations", options: options)
    }

    static func mapMessages(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard let v = row.value("messages") else { throw row.missing("messages") }
        return try demonstration(&row, messages: try Chat.messages(v, field: "messages"), field: "messages", options: options)
    }

    /// TRL `{prompt, completion}`; a boolean `label` makes it KTO (unpaired preference).
    static func mapTRL(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard let p = row.value("prompt") else { throw row.missing("prompt") }
        guard let c = row.value("completion") else { throw row.missing("completion") }
        let messages = try Chat.turns(p, field: "prompt", role: "user") + Chat.turns(c, field: "completion", role: "assistant")
        var annotations: [SourceAnnotation] = []
        if let label = row.value("label") {
            guard let b = label.bool else { throw .type("label", expected: "a boolean (KTO)", got: label) }
            annotations.append(SourceAnnotation(value: ["verdict": .string(b ? "accept" : "reject")]))
        }
        var record = try demonstration(&row, messages: messages, field: "completion", options: options)
        record.sourceAnnotations = annotations
        return record
    }

    static func demonstration(_ row: inout FieldReader, messages: Conversation, field: String, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard !messages.isEmpty else { throw FieldError("field '\(field)': the conversation is empty") }
        let item = try RecordMapper.item(&row, options: options, kind: .demonstration, fields: ItemFields(messages: messages))
        return ImportedRecord(item: item)
    }
}
