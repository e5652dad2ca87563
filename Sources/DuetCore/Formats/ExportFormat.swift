import Foundation

/// The formats `duet export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    case jsonl
    case csv
    case alpaca
    case sharegpt
    case messages
    // Preference formats, for compare tasks (PreferenceExport.swift).
    case dpo
    case dpoMessages = "dpo-messages"
    case openaiDPO = "openai-dpo"
    case kto
    case ultrafeedbackBinarized = "ultrafeedback-binarized"
    case hh

    /// Whether provenance fits inside each row; otherwise it goes to a
    /// companion file (`FILE.provenance.jsonl`).
    public var inlineProvenance: Bool { self == .jsonl || self == .csv }

    /// Whether rows are built from pair judgments (chosen vs rejected).
    public var isPreference: Bool { itemKinds == [.pair, .ranking] }

    public var itemKinds: [ItemKind]? {
        switch self {
        case .jsonl: return nil
        case .csv: return [.text]
        case .alpaca, .sharegpt, .messages: return [.demonstration]
        case .dpo, .dpoMessages, .openaiDPO, .kto, .ultrafeedbackBinarized, .hh: return [.pair, .ranking]
        }
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    /// Why this format cannot export `task`, or nil when it can. Preference
    /// formats need a compare task; compare tasks export as jsonl or a
    /// preference format only (csv holds text items, the chat formats
    /// demonstrations).
    public func problem(with task: TaskSpec?) -> String? {
        let compare = task?.kind == .compare
        if isPreference && !compare {
            let what = task.map { "task '\($0.name)' is \($0.kind.rawValue)" } ?? "choose one with --task"
            return "format \(rawValue) needs a compare task (\(what))"
        }
        if compare && !isPreference && self != .jsonl, let task {
            let formats = Self.allCases.filter(\.isPreference).map(\.rawValue).joined(separator: "|")
            return "format \(rawValue) cannot hold pairs: compare task '\(task.name)' exports as jsonl or \(formats)"
        }
        return nil
    }
}

/// `--kto-ties`: what KTO export does with ties and both-bad judgments.
public enum KTOTies: String, Sendable, CaseIterable {
    /// Leave them out (counted in the summary).
    case exclude
    /// Write both responses as `label: false` rows.
    case falseRows = "false-rows"
}

/// Export settings beyond format and scope.
public struct ExportOptions: Sendable, Hashable {
    public var ktoTies: KTOTies
    public init(ktoTies: KTOTies = .exclude) { self.ktoTies = ktoTies }
}

/// One item with the decisions an export takes for it.
public struct ExportRow: Sendable {
    public var item: StoredItem
    public var decisions: [Annotation]
    public init(item: StoredItem, decisions: [Annotation]) {
        self.item = item
        self.decisions = decisions
    }
}

/// Why a row was left out of an export (counted in the summary).
public enum ExportSkip: String, Error, Sendable, CaseIterable {
    case undecided = "no decision"
    case rejected = "rejected in review"
    case wrongKind = "not a fitting item kind"
    // Preference formats: one reason per decision left out.
    case tie = "tie"
    case bothBad = "both bad"
    case allTied = "all tied (ranking)"
    case skippedByAnnotator = "skipped by the annotator"
    case notAJudgment = "not a pair judgment or ranking"
}

/// One written line and its companion provenance line (nil: none).
public struct ExportLine: Sendable, Hashable {
    public var line: String
    public var provenance: String?
    public init(line: String, provenance: String? = nil) {
        self.line = line
        self.provenance = provenance
    }
}

/// What one item gives an export: lines to write, and per decision left
/// out (or, for KTO ties, written as `label: false` rows) the reason.
public struct ExportOutput: Sendable, Hashable {
    public var lines: [ExportLine] = []
    public var skipped: [ExportSkip] = []
    /// Ties and both-bad judgments written as two `label: false` KTO rows.
    public var falseRows: [ExportSkip] = []
    public init(lines: [ExportLine] = [], skipped: [ExportSkip] = [], falseRows: [ExportSkip] = []) {
        self.lines = lines
        self.skipped = skipped
        self.falseRows = falseRows
    }
}

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

    /// Renders one row as output lines (JSONL: one line; CSV: one record), or
    /// says why it is left out. `provenance` receives a companion line for
    /// formats that cannot carry it inline.
    public static func render(_ row: ExportRow, format: ExportFormat, task: TaskSpec?, scope: DecisionScope,
                              provenance: inout String?) -> Result<String, ExportSkip> {
        provenance = nil
        let item = row.item.item
        if let kinds = format.itemKinds, !kinds.contains(item.kind) { return .failure(.wrongKind) }
        if task != nil && scope != .all && row.decisions.isEmpty { return .failure(.undecided) }
        switch format {
        case .jsonl:
            return .success(jsonl(row, task: task, scope: scope).canonicalJSON)
        case .csv:
            return .success(csv(row))
        case .alpaca, .sharegpt, .messages:
            var messages = item.fields.messages ?? []
            if let task, task.kind == .review, let d = row.decisions.last {
                if d.entry.value?["verdict"]?.string == "reject" { return .failure(.rejected) }
                if let edited = d.entry.value?["edited"]?.string, let i = messages.lastIndex(where: { $0.role == "assistant" }) {
                    messages[i].content = edited
                }
            }
            if task != nil, !row.decisions.isEmpty {
                var p = provenanceObject(row.decisions)
                p["id"] = .string(item.uid)
                provenance = JSONValue.object(p).canonicalJSON
            }
            return .success(chat(messages, item: item, format: format).canonicalJSON)
        case .dpo, .dpoMessages, .openaiDPO, .kto, .ultrafeedbackBinarized, .hh:
            // One line per item is not enough for these: see `output`.
            let out = PreferenceExport.render(row, format: format, task: task, scope: scope, options: ExportOptions())
            guard let first = out.lines.first else { return .failure(out.skipped.first ?? .undecided) }
            provenance = first.provenance
            return .success(first.line)
        }
    }

    static func fieldsObject(_ item: Item) -> [String: JSONValue] {
        var o: [String: JSONValue] = ["id": .string(item.uid), "dataset": .string(item.dataset), "kind": .string(item.kind.rawValue)]
        if case .object(let f) = item.fields.json { o.merge(f) { a, _ in a } }
        if let gold = item.gold { o["gold"] = gold }
        if !item.metadata.isEmpty { o["meta"] = .object(item.metadata) }
        return o
    }

    static func jsonl(_ row: ExportRow, task: TaskSpec?, scope: DecisionScope) -> JSONValue {
        var o = fieldsObject(row.item.item)
        if task != nil || !row.decisions.isEmpty {
            switch scope {
            case .final, .human:
                if let last = row.decisions.last {
                    o["label"] = last.entry.value ?? .null
                    o["annotation"] = .object(provenanceObject([last]))
                }
                if scope == .human && row.decisions.count > 1 {
                    o["annotations"] = .array(row.decisions.map { .object(provenanceObject([$0])) })
                }
            case .all:
                o["annotations"] = .array(row.decisions.map { .object(provenanceObject([$0])) })
            }
        }
        return .object(o)
    }

    /// Provenance of a decision (the last of `decisions`), as formats.md asks.
    public static func provenanceObject(_ decisions: [Annotation]) -> [String: JSONValue] {
        guard let a = decisions.last else { return [:] }
        let e = a.entry
        var p: [String: JSONValue] = [
            "annotator": .string(e.annotator),
            "annotator_kind": .string(e.annotatorKind.rawValue),
            "status": .string(e.status.rawValue),
            "value": e.value ?? .null,
            "created_at": .string(timestamp(e.createdAt)),
        ]
        if let t = e.task { p["task"] = .string(t) }
        if let c = e.confidence { p["confidence"] = .number(c) }
        if let v = e.votes { p["votes"] = v }
        if let h = e.entropy { p["entropy"] = .number(h) }
        if e.flagged { p["flagged"] = true }
        if let n = e.note { p["note"] = .string(n) }
        if let s = e.seconds { p["seconds"] = .number((s * 1000).rounded() / 1000) }
        if let d = e.display { p["display"] = .string(d.rawValue) }
        return p
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

    static func csv(_ row: ExportRow) -> String {
        let item = row.item.item
        let d = row.decisions.last?.entry
        func text(_ v: JSONValue?) -> String {
            guard let v else { return "" }
            if let s = v.scalarText { return s }
            if let a = v.array { return a.compactMap(\.scalarText).joined(separator: "|") }
            return v.isNull ? "" : v.canonicalJSON
        }
        let cells = [
            item.uid, item.dataset, item.fields.text ?? "", text(item.gold), text(d?.value), d?.annotator ?? "",
            d?.annotatorKind.rawValue ?? "", d?.confidence.map { String($0) } ?? "", d?.entropy.map { String($0) } ?? "",
            d?.status.rawValue ?? "", d.map { $0.flagged ? "1" : "0" } ?? "", d?.note ?? "",
            d?.seconds.map { String(format: "%.3f", $0) } ?? "", d.map { timestamp($0.createdAt) } ?? "",
        ]
        return csvLine(cells)
    }

    public static func csvLine(_ cells: [String]) -> String {
        cells.map { c in
            if c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return c
        }.joined(separator: ",")
    }

    /// ISO 8601 in UTC with milliseconds, `2026-11-21T07:46:00.763Z`: the
    /// same text as Foundation's `.iso8601` format with fractional seconds
    /// (milliseconds truncated from the reference-date interval, as it does),
    /// built by hand because the formatter cost more than the rest of a row.
    public static func timestamp(_ date: Date) -> String {
        let r = date.timeIntervalSinceReferenceDate
        let whole = r.rounded(.down)
        let ms = Int(((r - whole) * 1000).rounded(.down))
        var t = time_t(Int(whole) + 978_307_200)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ v: Int, _ width: Int) {
            var d = [UInt8](repeating: 0x30, count: width), v = v, i = width - 1
            while i >= 0 { d[i] = UInt8(0x30 + v % 10); v /= 10; i -= 1 }
            out += d
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(0x2D)
        digits(Int(parts.tm_mon) + 1, 2); out.append(0x2D)
        digits(Int(parts.tm_mday), 2); out.append(0x54)
        digits(Int(parts.tm_hour), 2); out.append(0x3A)
        digits(Int(parts.tm_min), 2); out.append(0x3A)
        digits(Int(parts.tm_sec), 2); out.append(0x2E)
        digits(ms, 3); out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }
}
