@testable import DuetCore
import Foundation
import Testing

/// The export writers (`ExportRenderer.writeJSONL`, `writeProvenance`,
/// `writeCSV`, `JSONValue.write`, and the batches `ExportWorkflow` writes)
/// against the straightforward encoding they replaced: rows built as
/// `[String: JSONValue]` and written with their keys sorted. Seeded varied
/// items and decisions (unicode, control characters, numbers, nested
/// metadata, missing fields) in every scope, with and without a task: any
/// byte of difference fails.
@Suite struct ExportWriterTests {
    /// The encoding before the writers, kept as the reference.
    enum Reference {
        static func canonical(_ v: JSONValue) -> String {
            var out: [UInt8] = []
            write(v, into: &out)
            return String(decoding: out, as: UTF8.self)
        }

        static func write(_ v: JSONValue, into out: inout [UInt8]) {
            switch v {
            case .null: out += "null".utf8
            case .bool(let b): out += (b ? "true" : "false").utf8
            case .number(let n): out += JSONValue.format(n).utf8
            case .string(let s): writeString(s, into: &out)
            case .array(let a):
                out.append(0x5B)
                for (i, v) in a.enumerated() {
                    if i > 0 { out.append(0x2C) }
                    write(v, into: &out)
                }
                out.append(0x5D)
            case .object(let o):
                out.append(0x7B)
                for (i, pair) in o.sorted(by: { $0.key < $1.key }).enumerated() {
                    if i > 0 { out.append(0x2C) }
                    writeString(pair.key, into: &out)
                    out.append(0x3A)
                    write(pair.value, into: &out)
                }
                out.append(0x7D)
            }
        }

        static func writeString(_ s: String, into out: inout [UInt8]) {
            out.append(0x22)
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += #"\""#.utf8
                case "\\": out += #"\\"#.utf8
                case "\n": out += #"\n"#.utf8
                case "\r": out += #"\r"#.utf8
                case "\t": out += #"\t"#.utf8
                default:
                    let v = scalar.value
                    if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                        let hex = String(v, radix: 16)
                        out += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
                    } else {
                        out += String(scalar).utf8
                    }
                }
            }
            out.append(0x22)
        }

        static func provenance(_ a: Annotation) -> [String: JSONValue] {
            let e = a.entry
            var p: [String: JSONValue] = [
                "annotator": .string(e.annotator), "annotator_kind": .string(e.annotatorKind.rawValue),
                "status": .string(e.status.rawValue), "value": e.value ?? .null,
                "created_at": .string(ExportRenderer.timestamp(e.createdAt)),
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

        static func jsonl(_ row: ExportRow, task: TaskSpec?, scope: DecisionScope) -> String {
            let item = row.item.item
            var o: [String: JSONValue] = ["id": .string(item.uid), "dataset": .string(item.dataset), "kind": .string(item.kind.rawValue)]
            if case .object(let f) = item.fields.json { o.merge(f) { a, _ in a } }
            if let gold = item.gold { o["gold"] = gold }
            if !item.metadata.isEmpty { o["meta"] = .object(item.metadata) }
            if task != nil || !row.decisions.isEmpty {
                switch scope {
                case .final, .human:
                    if let last = row.decisions.last {
                        o["label"] = last.entry.value ?? .null
                        o["annotation"] = .object(provenance(last))
                    }
                    if scope == .human && row.decisions.count > 1 {
                        o["annotations"] = .array(row.decisions.map { .object(provenance($0)) })
                    }
                case .all:
                    o["annotations"] = .array(row.decisions.map { .object(provenance($0)) })
                }
            }
            return canonical(.object(o))
        }

        /// The header's columns looked up in the row's values (absent: empty).
        static func csv(_ row: ExportRow) -> String {
            func text(_ v: JSONValue?) -> String {
                guard let v else { return "" }
                if let s = v.scalarText { return s }
                if let a = v.array { return a.compactMap(\.scalarText).joined(separator: "|") }
                return v.isNull ? "" : canonical(v)
            }
            let item = row.item.item
            var cells = ["id": item.uid, "dataset": item.dataset, "text": item.fields.text ?? "", "gold": text(item.gold)]
            if let d = row.decisions.last?.entry {
                cells["label"] = text(d.value)
                cells["annotator"] = d.annotator
                cells["annotator_kind"] = d.annotatorKind.rawValue
                cells["confidence"] = d.confidence?.description
                cells["entropy"] = d.entropy?.description
                cells["status"] = d.status.rawValue
                cells["flagged"] = d.flagged ? "1" : "0"
                cells["note"] = d.note
                cells["seconds"] = d.seconds.map { String(format: "%.3f", $0) }
                cells["created_at"] = ExportRenderer.timestamp(d.createdAt)
            }
            return csvLine(ExportRenderer.csvHeader.map { cells[$0] ?? "" })
        }

        /// RFC 4180 on scalars: quoted when a comma, quote, CR or LF is in it, quotes doubled.
        static func csvLine(_ cells: [String]) -> String {
            cells.map { c in
                guard c.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return c }
                var s = String.UnicodeScalarView()
                for u in c.unicodeScalars {
                    if u == "\"" { s.append(u) }
                    s.append(u)
                }
                return "\"" + String(s) + "\""
            }.joined(separator: ",")
        }
    }

    /// Seeded varied values.
    struct Maker {
        var rng: SplitMix64

        static let texts = [
            "", "plain", "great film", "say \"hi\", then\nleave", "tab\there", "back\\slash", "crlf\r\nline", "cr\ronly",
            "\r\n", "a,b", "\"", "\"\u{301}quoted accent", ",\u{301}", "nul\u{0}byte", "bell\u{7}", "unit\u{1F}sep", "del\u{7F}",
            "c1\u{85}next", "c1\u{9F}", "line\u{2028}sep", "para\u{2029}sep", "emoji 😀👍🏽", "日本語のテキスト", "e\u{301}", "é",
            "Ελληνικά", "עברית", "\u{FEFF}bom", "zero\u{200B}width", String(repeating: "long ", count: 40), "\u{10FFFF}",
        ]
        static let numbers: [Double] = [0, -0.0, 1, -1, 0.5, 0.9, 3.14159, 1e-7, .leastNonzeroMagnitude, 1e300, -2.5e-10, 123456789012, 9.2e18, 9.3e18,
                                        0.1 + 0.2, Double(Int64.max), 42]
        static let keys = ["a", "b", "z", "A", "Z", "_x", "1", "10", "2", "key", "keys", "ke", "é", "e\u{301}x", "日本", "😀", "", " ",
                           "a\"b", "new\nline", "text", "id", "label", "meta"]

        mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
        mutating func text() -> String { Self.texts[int(Self.texts.count)] }
        mutating func number() -> Double { Self.numbers[int(Self.numbers.count)] }

        mutating func json(depth: Int = 0) -> JSONValue {
            switch int(depth > 2 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(chance(50))
            case 2: return .number(number())
            case 3: return .string(text())
            case 4: return .array((0..<int(4)).map { _ in json(depth: depth + 1) })
            default: return .object(object(depth: depth + 1))
            }
        }

        mutating func object(depth: Int = 0) -> [String: JSONValue] {
            var o: [String: JSONValue] = [:]
            for _ in 0..<int(5) { o[Self.keys[int(Self.keys.count)]] = json(depth: depth) }
            return o
        }

        mutating func conversation() -> Conversation {
            let roles = ["user", "assistant", "system", "tool", "r\u{1}ole"]
            return (0..<int(4)).map { _ in Message(role: roles[int(roles.count)], content: text()) }
        }

        mutating func item(_ n: Int) -> Item {
            let kind = ItemKind.allCases[int(ItemKind.allCases.count)]
            var fields = ItemFields()
            if chance(70) { fields.text = text() }
            if chance(40) { fields.messages = conversation() }
            if chance(40) { fields.prompt = conversation() }
            if chance(40) { fields.responses = (0..<int(4)).map { _ in conversation() } }
            return Item(uid: chance(20) ? text() : "u\(n)", dataset: chance(20) ? text() : "ds", kind: kind, fields: fields,
                        gold: chance(50) ? json() : nil, metadata: chance(50) ? object() : [:])
        }

        mutating func decision(_ id: Int64) -> Annotation {
            let kind = AnnotatorKind.allCases[int(AnnotatorKind.allCases.count)]
            let e = NewAnnotation(
                itemRowID: 1, task: chance(85) ? "sentiment" : nil, annotatorKind: kind, annotator: chance(20) ? text() : "ann\(int(3))",
                value: chance(85) ? json() : nil, confidence: chance(50) ? number() : nil, votes: chance(40) ? json() : nil,
                entropy: chance(40) ? number() : nil, status: chance(80) ? .submitted : .skipped, flagged: chance(30),
                note: chance(30) ? text() : nil, createdAt: Date(timeIntervalSince1970: Double(int(4_000_000_000_000)) / 1000),
                seconds: chance(50) ? [0.0005, 0.0015, 3.14159, 2.5, 120, 1e-9][int(6)] : nil,
                display: chance(30) ? (chance(50) ? .ab : .ba) : nil)
            return Annotation(id: id, entry: e)
        }
    }

    static let task = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"])

    /// 2,000 items with 0–3 decisions each, rendered in every scope with and without a task.
    static func rows() -> [ExportRow] {
        var make = Maker(rng: SplitMix64(seed: 0xE4_0127))
        var id: Int64 = 0
        return (0..<2000).map { n in
            let decisions = (0..<make.int(4)).map { _ -> Annotation in
                id += 1
                return make.decision(id)
            }
            return ExportRow(item: StoredItem(rowID: Int64(n + 1), item: make.item(n)), decisions: decisions)
        }
    }

    static let cases: [(TaskSpec?, DecisionScope)] = [(task, .final), (task, .human), (task, .all), (nil, .all), (nil, .final)]

    @Test func canonicalJSONMatchesTheSortedDictionaryEncoding() {
        var make = Maker(rng: SplitMix64(seed: 7))
        var mismatches: [String] = []
        for _ in 0..<5000 {
            let v = make.json()
            if v.canonicalJSON != Reference.canonical(v) { mismatches.append(Reference.canonical(v)) }
        }
        for s in Maker.texts where JSONValue.string(s).canonicalJSON != Reference.canonical(.string(s)) { mismatches.append(s) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    @Test func jsonlRowsMatchTheDictionaryEncoding() {
        var mismatches: [String] = []
        var written = 0
        for row in Self.rows() {
            for (task, scope) in Self.cases {
                var side: String?
                let rendered = ExportRenderer.render(row, format: .jsonl, task: task, scope: scope, provenance: &side)
                guard case .success(let line) = rendered else {
                    #expect(rendered == .failure(.undecided))
                    #expect(task != nil && scope != .all && row.decisions.isEmpty)
                    continue
                }
                written += 1
                let expected = Reference.jsonl(row, task: task, scope: scope)
                if line != expected { mismatches.append("\(line)\n\(expected)") }
                #expect(side == nil)
            }
        }
        #expect(written > 8000)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2))")
    }

    @Test func csvRowsMatchTheCellEncoding() {
        var mismatches: [String] = []
        for var row in Self.rows() {
            row.item.item.kind = .text
            var side: String?
            guard case .success(let line) = ExportRenderer.render(row, format: .csv, task: nil, scope: .all, provenance: &side) else {
                Issue.record("a text item was left out")
                continue
            }
            if line != Reference.csv(row) { mismatches.append("\(line)\n\(Reference.csv(row))") }
        }
        #expect(ExportRenderer.csvLine(Maker.texts) == Reference.csvLine(Maker.texts))
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2))")
    }

    @Test func chatProvenanceMatchesTheDictionaryEncoding() {
        var mismatches: [String] = []
        for var row in Self.rows() where !row.decisions.isEmpty {
            row.item.item.kind = .demonstration
            for format in [ExportFormat.alpaca, .sharegpt, .messages] {
                var side: String?
                guard case .success = ExportRenderer.render(row, format: format, task: Self.task, scope: .final, provenance: &side) else {
                    continue  // a review rejection (none here: the task classifies)
                }
                var expected = Reference.provenance(row.decisions[row.decisions.count - 1])
                expected["id"] = .string(row.item.item.uid)
                if side != Reference.canonical(.object(expected)) { mismatches.append(side ?? "nil") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2))")
    }

    /// Preference formats add members to the provenance (id, flagged, strength,
    /// indexes, …), replacing its own of the same key: any set of extra members.
    @Test func provenanceWithExtraMembersMatchesAMergedDictionary() {
        var make = Maker(rng: SplitMix64(seed: 99))
        let names = ["id", "flagged", "strength", "rationale", "chosen_index", "rejected_index", "completion_index", "label",
                     "system", "value", "annotator", "votes", "zzz", "", "a", "é", "😀"]
        var mismatches: [String] = []
        for n in 0..<3000 {
            let a = make.decision(Int64(n))
            var extra: [String: JSONValue] = [:]
            for _ in 0..<make.int(6) { extra[names[make.int(names.count)]] = make.json(depth: 2) }
            var w = JSONWriter()
            ExportRenderer.writeProvenance(a, adding: extra, into: &w)
            let expected = Reference.canonical(.object(Reference.provenance(a).merging(extra) { _, new in new }))
            if w.text != expected { mismatches.append("\(w.text)\n\(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2))")
    }

    /// What `ExportWorkflow` writes (a batch's bytes) is every line `output`
    /// gives, each ending in a newline, in every format.
    @Test(arguments: ExportFormat.allCases)
    func batchesHoldTheRenderedLines(format: ExportFormat) {
        let compare = TaskSpec(name: "sentiment", kind: .compare)
        var lines = "", sides = ""
        var batch = ExportBatch()
        var written = 0
        var skipped: [ExportSkip: Int] = [:]
        for row in Self.rows() {
            for (task, scope) in Self.cases {
                let task = format.isPreference ? compare : task
                let out = ExportRenderer.output(row, format: format, task: task, scope: scope)
                for l in out.lines {
                    lines += l.line + "\n"
                    if let side = l.provenance { sides += side + "\n" }
                }
                written += out.lines.count
                for why in out.skipped { skipped[why, default: 0] += 1 }
                ExportRenderer.append(row, format: format, task: task, scope: scope, to: &batch)
            }
        }
        #expect(String(decoding: batch.lineBytes, as: UTF8.self) == lines)
        #expect(String(decoding: batch.provenanceBytes, as: UTF8.self) == sides)
        #expect(batch.written == written)
        #expect(batch.skipped == skipped)
    }
}
