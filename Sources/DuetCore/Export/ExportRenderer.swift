import Foundation

/// Writes export rows. Each format has one writer, straight into bytes: the
/// canonical JSON of a JSONL row and of provenance is written in its sorted
/// key order by `writeJSONL` and `writeProvenance` (nothing is built or
/// sorted per row), CSV records by `writeCSV`; `ExportTests` compare them
/// with the same rows built as `JSONValue` objects.
public enum ExportRenderer {
    public static let csvHeader = ["id", "dataset", "text", "gold", "label", "annotator", "annotator_kind", "confidence",
                                   "entropy", "status", "flagged", "note", "seconds", "created_at"]

    /// Renders one item for any format: preference formats may give several
    /// lines (`all` scope, KTO) and several reasons; the others give what
    /// `render` gives.
    public static func output(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope,
                              options: ExportOptions = ExportOptions()) -> ExportOutput {
        if format.isPreference {
            return PreferenceExport.render(row, format: format, task: task, scope: scope, options: options)
        }
        var side: String?
        switch render(row, format: format, task: task, scope: scope, provenance: &side) {
        case .success(let line): return ExportOutput(lines: [ExportLine(line: line, provenance: side)])
        case .failure(let why): return ExportOutput(skipped: [why])
        }
    }

    /// Appends what `output` gives for one item to `batch`, as bytes.
    public static func append(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope,
                              options: ExportOptions = ExportOptions(), to batch: inout ExportBatch) {
        if format.isPreference {
            let out = PreferenceExport.render(row, format: format, task: task, scope: scope, options: options)
            for l in out.lines {
                batch.lines.bytes += l.line.utf8
                batch.lines.bytes.append(0x0A)
                if let side = l.provenance {
                    batch.provenance.bytes += side.utf8
                    batch.provenance.bytes.append(0x0A)
                }
            }
            batch.written += out.lines.count
            for why in out.skipped { batch.skipped[why, default: 0] += 1 }
            for why in out.falseRows { batch.falseRows[why, default: 0] += 1 }
            return
        }
        let sideStart = batch.provenance.bytes.count
        if let why = write(row, format: format, task: task, scope: scope, line: &batch.lines, provenance: &batch.provenance) {
            batch.skipped[why, default: 0] += 1
            return
        }
        batch.lines.bytes.append(0x0A)
        if batch.provenance.bytes.count > sideStart { batch.provenance.bytes.append(0x0A) }
        batch.written += 1
    }

    /// Renders one row as output lines (JSONL: one line; CSV: one record), or
    /// says why it is left out. `provenance` receives a companion line for
    /// formats that cannot carry it inline.
    public static func render(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope,
                              provenance: inout String?) -> Result<String, ExportSkip> {
        provenance = nil
        if format.isPreference {
            if let why = leftOut(row, format: format, task: task, scope: scope) { return .failure(why) }
            // One line per item is not enough for these: see `output`.
            let out = PreferenceExport.render(row, format: format, task: task, scope: scope, options: ExportOptions())
            guard let first = out.lines.first else { return .failure(out.skipped.first ?? .undecided) }
            provenance = first.provenance
            return .success(first.line)
        }
        var line = JSONWriter()
        var side = JSONWriter()
        if let why = write(row, format: format, task: task, scope: scope, line: &line, provenance: &side) { return .failure(why) }
        if !side.bytes.isEmpty { provenance = side.text }
        return .success(line.text)
    }

    /// Writes one row of a format other than the preference ones (see
    /// `PreferenceExport`) into `line`, without a line end, and a companion
    /// provenance line into `provenance` for the chat formats; or writes
    /// nothing and says why the row is left out.
    static func write(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope,
                      line: inout JSONWriter, provenance: inout JSONWriter) -> ExportSkip? {
        if let why = leftOut(row, format: format, task: task, scope: scope) { return why }
        let item = row.item.item
        switch format {
        case .jsonl:
            writeJSONL(row, task: task, scope: scope, into: &line)
        case .csv:
            writeCSV(row, into: &line.bytes)
        case .alpaca, .sharegpt, .messages:
            var messages = item.fields.messages ?? []
            if let task, task.kind == .review, let d = row.decisions.last {
                if d.entry.value?["verdict"]?.string == "reject" { return .rejected }
                if let edited = d.entry.value?["edited"]?.string, let i = messages.lastIndex(where: { $0.role == "assistant" }) {
                    messages[i].content = edited
                }
            }
            if task != nil, let d = row.decisions.last {
                writeProvenance(d, adding: ["id": .string(item.uid)], into: &provenance)
            }
            line.value(chat(messages, item: item, format: format))
        case .dpo, .dpoMessages, .openaiDPO, .kto, .ultrafeedbackBinarized, .hh:
            preconditionFailure("preference formats are written by PreferenceExport")
        }
        return nil
    }

    /// Why a row is left out whatever its decisions say: an item kind the
    /// format cannot hold, or no decision where the scope needs one.
    static func leftOut(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope) -> ExportSkip? {
        if let kinds = format.itemKinds, !kinds.contains(row.item.item.kind) { return .wrongKind }
        if task != nil && scope != .all && row.decisions.isEmpty { return .undecided }
        return nil
    }

    /// A JSONL row: the item as imported (id, dataset, kind, its fields, gold,
    /// meta) and, by scope, `label` with the decision's provenance in
    /// `annotation`, and/or every decision's in `annotations`.
    static func writeJSONL(_ row: ExportRow, task: TaskSpec?, scope: DecisionScope, into w: inout JSONWriter) {
        let item = row.item.item
        let fields = item.fields
        var last: Annotation?
        var list: [Annotation]?
        if task != nil || !row.decisions.isEmpty {
            switch scope {
            case .final, .human:
                last = row.decisions.last
                if scope == .human && row.decisions.count > 1 { list = row.decisions }
            case .all:
                list = row.decisions
            }
        }
        w.beginObject()
        if let last {
            w.key("annotation")
            writeProvenance(last, into: &w)
        }
        if let list {
            w.key("annotations")
            w.beginArray()
            for d in list {
                w.element()
                writeProvenance(d, into: &w)
            }
            w.endArray()
        }
        w.key("dataset")
        w.string(item.dataset)
        if let gold = item.gold {
            w.key("gold")
            w.value(gold)
        }
        w.key("id")
        w.string(item.uid)
        w.key("kind")
        w.string(item.kind.rawValue)
        if let last {
            w.key("label")
            w.value(last.entry.value ?? .null)
        }
        if let messages = fields.messages {
            w.key("messages")
            w.conversation(messages)
        }
        if !item.metadata.isEmpty {
            w.key("meta")
            w.value(.object(item.metadata))
        }
        if let prompt = fields.prompt {
            w.key("prompt")
            w.conversation(prompt)
        }
        if let responses = fields.responses {
            w.key("responses")
            w.beginArray()
            for r in responses {
                w.element()
                w.conversation(r)
            }
            w.endArray()
        }
        if let text = fields.text {
            w.key("text")
            w.string(text)
        }
        w.endObject()
    }

    /// The provenance of decision `a`, as formats.md asks, with `extra`
    /// members (one of the same key as a provenance member replaces it).
    static func writeProvenance(_ a: Annotation, adding extra: [String: JSONValue] = [:], into w: inout JSONWriter) {
        let e = a.entry
        var extra = extra.isEmpty ? [] : extra.sorted { $0.key < $1.key }[...]
        /// Writes the extra members that sort before `key`, then `key` unless an extra member replaces it.
        func member(_ key: StaticString) -> Bool {
            if !extra.isEmpty {
                let name = key.description
                while let (k, v) = extra.first, k < name {
                    w.key(data: k)
                    w.value(v)
                    extra.removeFirst()
                }
                if extra.first?.key == name { return false }
            }
            w.key(key)
            return true
        }
        w.beginObject()
        if member("annotator") { w.string(e.annotator) }
        if member("annotator_kind") { w.string(e.annotatorKind.rawValue) }
        if let c = e.confidence, member("confidence") { w.number(c) }
        if member("created_at") {
            w.bytes.append(0x22)
            writeTimestamp(e.createdAt, into: &w.bytes)
            w.bytes.append(0x22)
        }
        if let d = e.display, member("display") { w.string(d.rawValue) }
        if let h = e.entropy, member("entropy") { w.number(h) }
        if e.flagged, member("flagged") { w.bool(true) }
        if let n = e.note, member("note") { w.string(n) }
        if let s = e.seconds, member("seconds") { w.number((s * 1000).rounded() / 1000) }
        if member("status") { w.string(e.status.rawValue) }
        if let t = e.task, member("task") { w.string(t) }
        if member("value") { w.value(e.value ?? .null) }
        if let v = e.votes, member("votes") { w.value(v) }
        for (k, v) in extra {
            w.key(data: k)
            w.value(v)
        }
        w.endObject()
    }

    static func chat(_ messages: Conversation, item: Item, format: ExportFormat) -> JSONValue {
        switch format {
        case .alpaca:
            // Give instruction and input back apart when the import kept them.
            let lastUser = messages.lastIndex(where: { $0.role == "user" })
            let lastAssistant = messages.lastIndex(where: { $0.role == "assistant" })
            var o: [String: JSONValue] = ["id": .string(item.uid)]
            let userText = lastUser.map { messages[$0].content } ?? ""
            if let split = item.metadata["_alpaca"], let ins = split["instruction"]?.string, let inp = split["input"]?.string,
               userText == (inp.isEmpty ? ins : ins + "\n\n" + inp) {
                o["instruction"] = .string(ins)
                o["input"] = .string(inp)
            } else {
                o["instruction"] = .string(userText)
                o["input"] = ""
            }
            o["output"] = .string(lastAssistant.map { messages[$0].content } ?? "")
            if let s = messages.first, s.role == "system" { o["system"] = .string(s.content) }
            let before = messages[..<(lastUser ?? messages.startIndex)].filter { $0.role != "system" }
            if before.count >= 2 {
                var history: [JSONValue] = []
                var i = before.startIndex
                while i + 1 < before.endIndex {
                    history.append([.string(before[i].content), .string(before[i + 1].content)])
                    i += 2
                }
                o["history"] = .array(history)
            }
            return .object(o)
        case .sharegpt:
            let roles = ["user": "human", "assistant": "gpt", "tool": "observation", "system": "system"]
            var conv = messages
            var o: [String: JSONValue] = ["id": .string(item.uid)]
            if let s = conv.first, s.role == "system" {
                o["system"] = .string(s.content)
                conv.removeFirst()
            }
            o["conversations"] = .array(conv.map { ["from": .string(roles[$0.role] ?? $0.role), "value": .string($0.content)] })
            return .object(o)
        default:
            return ["messages": .array(messages.map(\.json))]
        }
    }
}
