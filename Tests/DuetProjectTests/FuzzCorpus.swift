import DuetCore
import DuetProject
import Foundation

// The corpus of FuzzImportTests: one small valid file per import format, and
// a deterministic mutator that damages them. An input is reproduced from one
// 64-bit seed (which file, which mutations, where).

extension SplitMix64 {
    /// A number in 0..<n (n > 0); the modulo bias does not matter here.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func percent(_ p: Int) -> Bool { below(100) < p }

    mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }
}

/// A valid file of one format: what the fuzzer starts from.
struct FuzzSeed {
    /// The file name: it picks the container (extension) and names the dataset.
    var name: String
    /// What auto-detection must choose for the intact file.
    var format: InputFormat
    /// Items the intact file adds.
    var records: Int
    var text: String
    /// Imported as `name.gz` (gzip-compressed).
    var gz = false

    var bytes: [UInt8] { Array(text.utf8) }
    /// The name of the file written for an input of this seed.
    var fileName: String { gz ? name + ".gz" : name }

    /// One per supported format and shape; rows taken from the format tests.
    static let all: [FuzzSeed] = [
        FuzzSeed(name: "classify.jsonl", format: .jsonl, records: 3, text: #"""
            {"id": "a", "text": "good film", "gold": "positive", "label": "pos"}
            {"id": 2, "text": "你好 😀 café", "gold": ["x", "y"], "score": 0.5}

            {"text": "no id here", "lang": "en", "flag": true, "extra": null}

            """#),
        FuzzSeed(name: "classify-array.json", format: .json, records: 2, text: #"""
            [
              {"id": "a", "text": "good", "gold": "positive"},
              {"id": "b", "text": "multi\nline \"quoted\" \u00e9", "meta": {"n": 1.5, "tags": ["x"]}}
            ]

            """#),
        FuzzSeed(name: "classify-csv.csv", format: .csv, records: 3, text: #"""
            id,text,gold,label
            k1,"hello, world",pos,
            k2,"multi
            line ""quoted""",neg,neg
            k3,plain 😀,,pos

            """#),
        FuzzSeed(name: "classify-tsv.tsv", format: .tsv, records: 2, text: "id\ttext\tgold\nt1\tfirst row\tpos\nt2\tsecond 😀 row\tneg\n"),
        FuzzSeed(name: "alpaca.jsonl", format: .alpaca, records: 2, text: #"""
            {"id": "a1", "instruction": "Translate", "input": "Bonjour", "output": "Hello", "system": "Be brief.", "history": [["q1", "r1"], ["q2", "r2"]]}
            {"instruction": "Add", "input": "", "output": "4"}

            """#),
        FuzzSeed(name: "alpaca-preference.jsonl", format: .alpaca, records: 2, text: #"""
            {"instruction": "Pick a colour", "input": "", "chosen": "Blue.", "rejected": "No."}
            {"instruction": "Sum", "input": "2+2", "chosen": "4", "rejected": "5", "system": "Be exact."}

            """#),
        FuzzSeed(name: "alpaca-kto.jsonl", format: .alpaca, records: 2, text: #"""
            {"instruction": "i", "input": "", "output": "good", "kto_tag": true}
            {"instruction": "i", "input": "", "output": "bad", "kto_tag": false}

            """#),
        FuzzSeed(name: "messages.jsonl", format: .messages, records: 2, text: #"""
            {"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": [{"type": "text", "text": "part one"}, "part two"]}, {"role": "assistant", "content": null, "tool_calls": []}, {"role": "tool", "content": "42"}, {"role": "assistant", "content": "done"}], "tools": [{"type": "function"}]}
            {"id": "m2", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}

            """#),
        FuzzSeed(name: "sharegpt.jsonl", format: .sharegpt, records: 2, text: #"""
            {"id": "c9", "system": "You are terse.", "conversations": [{"from": "human", "value": "hi"}, {"from": "function_call", "value": "{}"}, {"from": "observation", "value": "obs"}, {"from": "gpt", "value": "hello"}], "tools": "[]"}
            {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}

            """#),
        FuzzSeed(name: "trl.jsonl", format: .trl, records: 2, text: #"""
            {"prompt": "2+2?", "completion": "4", "label": true}
            {"prompt": [{"role": "user", "content": "q"}], "completion": [{"role": "assistant", "content": "a"}], "label": false}

            """#),
        FuzzSeed(name: "dpo.jsonl", format: .dpo, records: 2, text: #"""
            {"prompt": "Capital of France?", "chosen": "Paris.", "rejected": "Lyon.", "id": "d1"}
            {"prompt": "2+2?", "chosen": "4", "rejected": "5"}

            """#),
        FuzzSeed(name: "dpo-messages.jsonl", format: .dpo, records: 1, text: #"""
            {"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "assistant", "content": "good"}], "rejected": [{"role": "assistant", "content": "bad"}]}

            """#),
        FuzzSeed(name: "dpo-implicit.jsonl", format: .dpo, records: 1, text: #"""
            {"chosen": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"}, {"role": "assistant", "content": "yes"}], "rejected": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"}, {"role": "assistant", "content": "no"}]}

            """#),
        FuzzSeed(name: "ultrafeedback-binarized.jsonl", format: .dpo, records: 1, text: #"""
            {"prompt": "Write a haiku", "prompt_id": "abc", "chosen": [{"role": "user", "content": "Write a haiku"}, {"role": "assistant", "content": "Autumn moon"}], "rejected": [{"role": "user", "content": "Write a haiku"}, {"role": "assistant", "content": "No."}], "messages": [{"role": "user", "content": "Write a haiku"}, {"role": "assistant", "content": "Autumn moon"}], "score_chosen": 8.5, "score_rejected": 3}

            """#),
        FuzzSeed(name: "hh-rlhf.jsonl", format: .hhRLHF, records: 2, text: #"""
            {"chosen": "\n\nHuman: What is 2+2?\n\nAssistant: It is 4.", "rejected": "\n\nHuman: What is 2+2?\n\nAssistant: It is 5."}
            {"chosen": "\n\nHuman: Hey 🙂\n\nAssistant: Hello, friend\n\nHuman: Why?\n\nAssistant: Because.", "rejected": "\n\nHuman: Hey 🙂\n\nAssistant: Help yourself"}

            """#),
        FuzzSeed(name: "ultrafeedback.jsonl", format: .ultrafeedback, records: 1, text: #"""
            {"source": "evol", "instruction": "Explain gravity", "models": ["x", "y"], "completions": [{"model": "m1", "response": "Mass attracts.", "overall_score": 7.5, "annotations": {"instruction_following": {"Rating": "4", "Rationale": "ok"}, "honesty": [{"Rating": "5"}], "truthfulness": {"Rating": "N/A"}}}, {"model": "m2", "response": "Magic.", "overall_score": 2, "annotations": {"helpfulness": [{"Rating": "1"}]}}]}

            """#),
        FuzzSeed(name: "openai-preference.jsonl", format: .openaiPreference, records: 1, text: #"""
            {"input": {"messages": [{"role": "user", "content": "Hello"}]}, "preferred_output": [{"role": "assistant", "content": "Hi, how can I help?"}], "non_preferred_output": [{"role": "assistant", "content": "What?"}]}

            """#),
        FuzzSeed(name: "prodigy.jsonl", format: .prodigy, records: 2, text: #"""
            {"text": "I love it", "answer": "accept", "accept": ["POS", "JOY"], "_input_hash": -12345, "_task_hash": 678, "_annotator_id": "ds-alice", "_timestamp": 1700000000, "options": [{"id": "POS"}]}
            {"text": "t", "label": "SPAM", "answer": "reject", "_input_hash": 5}

            """#),
        FuzzSeed(name: "label-studio.json", format: .labelStudio, records: 2, text: #"""
            [{"prompt": "Pick one", "answer1": "A text", "answer2": "B text", "batch": 3},
             {"prompt": [{"role": "user", "content": "Which?"}], "answer1": "left", "answer2": "right"}]

            """#),
        FuzzSeed(name: "argilla.jsonl", format: .argilla, records: 1, text: #"""
            {"id": "rec-1", "fields": {"text": "the sky is green"}, "suggestions": [{"question_name": "label", "value": "false", "score": 0.8}], "responses": [{"question_name": "label", "value": "false", "user_id": "u1", "status": "submitted"}, {"question_name": "label", "value": {"rating": 2}, "user_id": 3}]}

            """#),
        FuzzSeed(name: "duet-export.jsonl", format: .duet, records: 3, text: #"""
            {"dataset":"ds","gold":"pos","id":"r1","kind":"text","meta":{"lang":"en"},"text":"great film","label":"pos"}
            {"dataset":"prefs","id":"p1","kind":"pair","prompt":[{"content":"q","role":"user"}],"responses":[[{"content":"a","role":"assistant"}],[{"content":"b","role":"assistant"}]]}
            {"dataset":"demo","id":"d1","kind":"demonstration","messages":[{"content":"hi","role":"user"},{"content":"hello","role":"assistant"}]}

            """#),
        FuzzSeed(name: "pairs.jsonl", format: .dpo, records: 2, text: #"""
            {"prompt": "Hi?", "chosen": "Hello!", "rejected": "Go away."}
            {"prompt": "2+2?", "chosen": "4", "rejected": "5"}

            """#, gz: true),
    ]
}

/// One way of damaging a file.
enum Mutation: String, CaseIterable, Sendable {
    case truncate, bitFlip = "bit-flip", delete, duplicate, swap
    case hugeLine = "huge-line", deepNesting = "deep-nesting", invalidUTF8 = "invalid-utf8"
    case wrongType = "wrong-type", numberEdge = "number-edge", oddText = "odd-text", csvQuote = "csv-quote", lineEnds = "crlf-bom"
    case empty, whitespace, nul, splice

    /// How often it is chosen, relative to the others: huge lines are slow
    /// to write and read; empty and blank files have few variants.
    var weight: Int {
        switch self {
        case .hugeLine, .empty, .whitespace: return 1
        default: return 8
        }
    }

    /// The kinds that make sense on compressed bytes.
    static let byteLevel: [Mutation] = [.truncate, .bitFlip, .delete, .duplicate, .swap, .nul, .empty]

    static func pick(from kinds: [Mutation], _ rng: inout SplitMix64) -> Mutation {
        var n = rng.below(kinds.reduce(0) { $0 + $1.weight })
        for k in kinds {
            if n < k.weight { return k }
            n -= k.weight
        }
        return kinds[0]
    }

    /// Damages `b`; returns what it did, for the failure report.
    func apply(to b: inout [UInt8], _ rng: inout SplitMix64, others: [[UInt8]]) -> String {
        switch self {
        case .truncate:
            let at = rng.below(b.count + 1)
            b.removeSubrange(at...)
            return "truncate@\(at)"
        case .bitFlip:
            guard !b.isEmpty else { return "bit-flip(nothing)" }
            var flipped: [Int] = []
            for _ in 0...rng.below(8) {
                let at = rng.below(b.count)
                b[at] ^= 1 << UInt8(rng.below(8))
                flipped.append(at)
            }
            return "bit-flip@\(flipped)"
        case .delete:
            let r = Self.range(count: b.count, &rng)
            b.removeSubrange(r)
            return "delete@\(r)"
        case .duplicate:
            let r = Self.range(count: b.count, &rng)
            let at = rng.below(b.count + 1)
            b.insert(contentsOf: Array(b[r]), at: at)
            return "duplicate \(r)@\(at)"
        case .swap:
            guard b.count >= 2 else { return "swap(nothing)" }
            let cut = 1 + rng.below(b.count - 1)
            let first = Self.range(count: cut, &rng)
            let tail = Self.range(count: b.count - cut, &rng)
            let second = (tail.lowerBound + cut)..<(tail.upperBound + cut)
            let lo = Array(b[first]), hi = Array(b[second])
            b.replaceSubrange(second, with: lo)  // the later range first: `first` stays where it was
            b.replaceSubrange(first, with: hi)
            return "swap \(first)<>\(second)"
        case .hugeLine:
            return Self.hugeLine(&b, &rng)
        case .deepNesting:
            return Self.deepNesting(&b, &rng)
        case .invalidUTF8:
            return Self.invalidUTF8(&b, &rng)
        case .wrongType:
            return Self.wrongType(&b, &rng)
        case .numberEdge:
            let edge = rng.pick(["1e999", "-1e999", "1e-999", "123456789012345678901234567890", "-0", "9223372036854775807",
                                 "9223372036854775808", "-9223372036854775809", "1.7976931348623157e308", "4.9e-324",
                                 "01", "1.", ".5", "+1", "NaN", "Infinity", "0x10", "1e", "-",
                                 // Numbers in strings, for fields read as text and converted (ratings, ids).
                                 #""NaN""#, #""nan""#, #""inf""#, #""-Infinity""#, #""1e999""#, #""0x1p3""#, #"" 4""#, #""4.""#])
            guard let v = Self.randomValue(in: b, &rng) else {
                let at = rng.below(b.count + 1)
                b.insert(contentsOf: Array(edge.utf8), at: at)
                return "number-edge \(edge)@\(at)"
            }
            b.replaceSubrange(v, with: Array(edge.utf8))
            return "number-edge \(edge)@\(v.lowerBound)"
        case .oddText:
            // Valid text that string handling can trip on: combining marks, surrogate pairs
            // (raw and escaped), joiners, separators, escaped NULs, HH-RLHF turn markers.
            let odd = rng.pick(["\u{301}", "e\u{301}", "😀", "\u{1D165}", "👩\u{200D}💻", "🇫🇷", "\u{FEFF}", "\u{2028}", "\u{202E}",
                                #"\u0000"#, #"\ud83d\ude00"#, #"\r\n"#, #"\n\nHuman: "#, #"\n\nAssistant: "#, #"\n\nAssistant:\u0301"#])
            let quotes = b.offsets(of: UInt8(ascii: "\""))
            let at = quotes.isEmpty ? rng.below(b.count + 1) : rng.pick(quotes) + 1
            b.insert(contentsOf: Array(odd.utf8), at: at)
            return "odd-text \(odd.unicodeScalars.map { String($0.value, radix: 16) })@\(at)"
        case .csvQuote:
            let quotes = b.offsets(of: UInt8(ascii: "\""))
            switch rng.below(4) {
            case 0 where !quotes.isEmpty:
                let at = rng.pick(quotes)
                b.remove(at: at)
                return "csv-quote remove@\(at)"
            case 1:
                let at = rng.below(b.count + 1)
                b.insert(contentsOf: Array(#""""#.utf8), at: at)
                return "csv-quote double@\(at)"
            case 2:
                let at = rng.pick(Self.lineStarts(b))
                b.insert(contentsOf: Array(#""x"y,"#.utf8), at: at)
                return "csv-quote text-after-quote@\(at)"
            default:
                let at = rng.below(b.count + 1)
                b.insert(UInt8(ascii: "\""), at: at)
                return "csv-quote insert@\(at)"
            }
        case .lineEnds:
            return Self.lineEnds(&b, &rng)
        case .empty:
            b = []
            return "empty"
        case .whitespace:
            b = rng.percent(20) ? [0xEF, 0xBB, 0xBF] : []
            for _ in 0..<rng.below(300) { b += rng.pick([[0x20], [0x09], [0x0A], [0x0D], [0x0D, 0x0A]]) }
            return "whitespace(\(b.count))"
        case .nul:
            var at: [Int] = []
            for _ in 0...rng.below(4) {
                let i = rng.below(b.count + 1)
                if rng.percent(50), i < b.count { b[i] = 0 } else { b.insert(0, at: i) }
                at.append(i)
            }
            return "nul@\(at)"
        case .splice:
            let other = rng.pick(others)
            let lines = other.split(separator: 0x0A, omittingEmptySubsequences: true)
            guard let line = lines.randomElement(&rng) else { return "splice(nothing)" }
            let at = rng.pick(Self.lineStarts(b))
            b.insert(contentsOf: Array(line) + [0x0A], at: at)
            return "splice \(line.count) bytes@\(at)"
        }
    }

    // MARK: Helpers

    /// A random non-empty range of at most 64 bytes (sometimes up to a
    /// quarter of the file) in 0..<count; empty when count is 0.
    static func range(count: Int, _ rng: inout SplitMix64) -> Range<Int> {
        guard count > 0 else { return 0..<0 }
        let start = rng.below(count)
        let limit = rng.percent(10) ? max(1, count / 4) : 64
        return start..<(start + 1 + rng.below(min(limit, count - start)))
    }

    /// Offsets where a line starts (0, after each newline, the end).
    static func lineStarts(_ b: [UInt8]) -> [Int] {
        [0] + b.offsets(of: 0x0A).map { $0 + 1 }
    }

    /// Where JSON values that follow a key (`"key": value`) start, found by
    /// a rough scan: good enough to aim mutations at values.
    static func valueStarts(in b: [UInt8]) -> [Int] {
        var out: [Int] = []
        for colon in b.offsets(of: UInt8(ascii: ":")) {
            var k = colon - 1
            while k >= 0 && b[k] == 0x20 { k -= 1 }
            guard k >= 0, b[k] == UInt8(ascii: "\"") else { continue }
            var s = colon + 1
            while s < b.count && b[s] == 0x20 { s += 1 }
            if s < b.count { out.append(s) }
        }
        return out
    }

    /// One of those values, chosen by `rng`, or nil when there is none.
    static func randomValue(in b: [UInt8], _ rng: inout SplitMix64) -> Range<Int>? {
        valueStarts(in: b).randomElement(&rng).map { $0..<valueEnd(b, from: $0) }
    }

    /// Where the value starting at `s` ends (exclusive): a string, a bracketed
    /// container (strings inside skipped) or a bare word.
    static func valueEnd(_ b: [UInt8], from s: Int) -> Int {
        var i = s
        switch b[s] {
        case UInt8(ascii: "\""):
            i += 1
            while i < b.count && b[i] != UInt8(ascii: "\"") && b[i] != 0x0A { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            return min(i + 1, b.count)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var depth = 0
            var inString = false
            while i < b.count {
                let c = b[i]
                if inString {
                    if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
                } else if c == UInt8(ascii: "\"") {
                    inString = true
                } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                    depth += 1
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return i + 1 }
                }
                i += 1
            }
            return b.count
        default:
            let delimiters = Array(",}] \n\r\t".utf8)
            while i < b.count && !delimiters.contains(b[i]) { i += 1 }
            return i
        }
    }

    /// A line of a few MB: a record with a huge text, a huge value inside an
    /// existing record, a huge line of garbage, or a huge indent.
    static func hugeLine(_ b: inout [UInt8], _ rng: inout SplitMix64) -> String {
        let size = ((1 + rng.below(3)) << 20) + rng.below(1024)
        let unit = Array("abcdefghij klmnop é😀 qrstuvwxyz 0123456789 ".utf8)
        var filler: [UInt8] = []
        filler.reserveCapacity(size + unit.count)
        while filler.count < size { filler += unit }
        let starts = lineStarts(b)
        switch rng.below(4) {
        case 0:
            let at = rng.pick(starts)
            b.insert(contentsOf: Array(#"{"text": ""#.utf8) + filler + Array("\"}\n".utf8), at: at)
            return "huge-line record(\(filler.count))@\(at)"
        case 1:
            // Inside a string value (or, in CSV, inside a field): the record stays valid.
            let strings = valueStarts(in: b).filter { b[$0] == UInt8(ascii: "\"") }.map { $0 + 1 }
            let at = strings.randomElement(&rng) ?? rng.below(b.count + 1)
            b.insert(contentsOf: filler, at: at)
            return "huge-line value(\(filler.count))@\(at)"
        case 2:
            let at = rng.pick(starts)
            var garbage = filler
            for i in stride(from: 0, to: garbage.count, by: 4093) { garbage[i] = UInt8(truncatingIfNeeded: rng.next()) | 0x20 }
            b.insert(contentsOf: garbage + [0x0A], at: at)  // `| 0x20` never makes a newline
            return "huge-line garbage(\(garbage.count))@\(at)"
        default:
            let at = rng.pick(starts)
            b.insert(contentsOf: [UInt8](repeating: 0x20, count: size), at: at)
            return "huge-line indent(\(size))@\(at)"
        }
    }

    /// Arrays or an object chain nested 10^4 deep, or just around the
    /// parser's limit, as a line, a value, or an extra key of a record.
    static func deepNesting(_ b: inout [UInt8], _ rng: inout SplitMix64) -> String {
        let depth = rng.pick([10_000, 10_000, JSONParser.maxDepth + 1, JSONParser.maxDepth, JSONParser.maxDepth - 1, 200])
        let nested: [UInt8]
        let form = rng.below(4)
        switch form {
        case 0: nested = [UInt8](repeating: UInt8(ascii: "["), count: depth)
        case 1: nested = [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
        case 2:
            nested = Array(String(repeating: #"{"a":"#, count: depth).utf8) + [UInt8(ascii: "1")]
                + [UInt8](repeating: UInt8(ascii: "}"), count: depth)
        default: nested = Array(String(repeating: #"{"a":"#, count: depth).utf8)
        }
        let what = "\(["open arrays", "arrays", "objects", "open objects"][form]) \(depth)"
        let braces = b.offsets(of: UInt8(ascii: "{")).filter { $0 == 0 || b[$0 - 1] == 0x0A || b[$0 - 1] == UInt8(ascii: "[") }
        let placement = rng.below(3)
        if placement == 0, let v = randomValue(in: b, &rng) {
            b.replaceSubrange(v, with: nested)
            return "deep-nesting \(what) as value@\(v.lowerBound)"
        }
        if placement <= 1, let brace = braces.randomElement(&rng) {
            b.insert(contentsOf: Array(#""deep": "#.utf8) + nested + [UInt8(ascii: ",")], at: brace + 1)
            return "deep-nesting \(what) as key@\(brace + 1)"
        }
        let at = rng.pick(lineStarts(b))
        b.insert(contentsOf: nested + [0x0A], at: at)
        return "deep-nesting \(what) as line@\(at)"
    }

    /// A broken UTF-8 sequence (or a JSON escape of a lone surrogate), mostly inside a string.
    static func invalidUTF8(_ b: inout [UInt8], _ rng: inout SplitMix64) -> String {
        let sequences: [(String, [UInt8])] = [
            ("lone continuation", [0x80]), ("lone continuation", [0xBF]), ("overlong '/'", [0xC0, 0xAF]),
            ("overlong", [0xC1, 0xBF]), ("overlong 3", [0xE0, 0x80, 0xAF]), ("overlong 4", [0xF0, 0x80, 0x80, 0xAF]),
            ("surrogate", [0xED, 0xA0, 0x80]), ("surrogate", [0xED, 0xBF, 0xBF]), ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("F5", [0xF5, 0x80]), ("FF", [0xFF]), ("FE", [0xFE]), ("truncated", [0xE2, 0x82]), ("truncated", [0xC3, 0x20]),
            ("escaped lone surrogate", Array(#"\ud800"#.utf8)), ("escaped low surrogate", Array(#"\udc00x"#.utf8)),
            ("escaped reversed pair", Array(#"\udc00\ud800"#.utf8)),
        ]
        let (name, seq) = rng.pick(sequences)
        let quotes = b.offsets(of: UInt8(ascii: "\""))
        let at = rng.percent(70) && !quotes.isEmpty ? rng.pick(quotes) + 1 : rng.below(b.count + 1)
        if rng.percent(20), at < b.count {
            b.replaceSubrange(at..<min(b.count, at + seq.count), with: seq)
        } else {
            b.insert(contentsOf: seq, at: at)
        }
        return "invalid-utf8 \(name)@\(at)"
    }

    /// A value of the wrong type (a string ↔ number/array/object/null), or a
    /// renamed key (a missing field). In CSV: a separator added or removed.
    static func wrongType(_ b: inout [UInt8], _ rng: inout SplitMix64) -> String {
        guard let v = randomValue(in: b, &rng) else {
            let seps = b.offsets(of: UInt8(ascii: ",")) + b.offsets(of: 0x09)
            if rng.percent(50), let s = seps.randomElement(&rng) {
                b.remove(at: s)
                return "wrong-type field removed@\(s)"
            }
            let at = rng.below(b.count + 1)
            b.insert(rng.pick([UInt8(ascii: ","), 0x09]), at: at)
            return "wrong-type field added@\(at)"
        }
        if rng.percent(20) {
            // The key before the value: rename it.
            var k = v.lowerBound - 1
            while k > 0 && b[k] != UInt8(ascii: "\"") { k -= 1 }
            b.insert(contentsOf: Array("_x".utf8), at: k)
            return "wrong-type key renamed@\(k)"
        }
        let replacement: String
        switch b[v.lowerBound] {
        case UInt8(ascii: "\""):
            replacement = rng.pick(["17", "-2.5", "true", "null", "[]", #"["a", 1]"#, "{}", #"{"x": "y"}"#, #""""#])
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            replacement = rng.pick([#""s""#, "3", "null", "[]", "{}", "[{}]", "[[]]", "[null]", #"["only"]"#, #"[{"role": 1}]"#])
        default:
            replacement = rng.pick([#""17""#, #""text""#, "[]", "{}", "null", "false"])
        }
        b.replaceSubrange(v, with: Array(replacement.utf8))
        return "wrong-type \(replacement)@\(v.lowerBound)"
    }

    static func lineEnds(_ b: inout [UInt8], _ rng: inout SplitMix64) -> String {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        switch rng.below(7) {
        case 0:
            b = Array(b.split(separator: 0x0A, omittingEmptySubsequences: false).joined(separator: [0x0D, 0x0A]))
            return "crlf-bom crlf"
        case 1:
            b = bom + b
            return "crlf-bom bom"
        case 2:
            b = bom + bom + b
            return "crlf-bom double bom"
        case 3:
            b = Array(bom.prefix(1 + rng.below(2))) + b
            return "crlf-bom partial bom"
        case 4:
            let at = rng.pick(lineStarts(b))
            b.insert(contentsOf: bom, at: at)
            return "crlf-bom bom@\(at)"
        case 5:
            b = b.map { $0 == 0x0A ? 0x0D : $0 }
            return "crlf-bom cr only"
        default:
            b = Array(b.split(separator: 0x0A, omittingEmptySubsequences: false).joined(separator: [0x0D, 0x0D, 0x0A])) + [0x0D]
            return "crlf-bom extra cr"
        }
    }
}

extension Array {
    /// A random element chosen by `rng`, nil when empty.
    func randomElement(_ rng: inout SplitMix64) -> Element? {
        isEmpty ? nil : self[rng.below(count)]
    }
}

extension [UInt8] {
    /// The offsets of every `byte`, found with memchr: fast on files of
    /// megabytes even in a debug build.
    func offsets(of byte: UInt8) -> [Int] {
        withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return [] }
            var out: [Int] = []
            var from = 0
            while from < p.count, let hit = memchr(base + from, Int32(byte), p.count - from) {
                from = UnsafeRawPointer(base).distance(to: hit) + 1
                out.append(from - 1)
            }
            return out
        }
    }
}

/// One fuzz input: which seed, the mutations, and the bytes to write.
struct FuzzInput {
    var seed: UInt64
    var base: FuzzSeed
    /// What was done, in order (`gz:` for changes to the compressed bytes).
    var mutations: [String]
    /// The (mutated) content before compression; nil when the compressed
    /// bytes were damaged (the content is then whatever gzip makes of them).
    var content: [UInt8]?
    /// Bytes to write as they are; nil: write `content` and gzip it.
    var fileBytes: [UInt8]?
    /// `duet import` options: mostly none (detection), sometimes a format
    /// (any, so rows meet mappers they were not written for) or fields.
    var format = InputFormat.auto
    var idField: String?
    var textField: String?
    var goldField: String?

    /// Builds the input for `seed`: the same seed, the same input.
    static func make(seed: UInt64, seeds: [FuzzSeed], compressed: [String: [UInt8]]) -> FuzzInput {
        var rng = SplitMix64(seed: seed)
        var input = FuzzInput(seed: seed, base: seeds[rng.below(seeds.count)], mutations: [])
        if rng.percent(10) { input.format = rng.pick(InputFormat.allCases.filter { $0 != .auto }) }
        if rng.percent(5) { input.idField = rng.pick(["id", "text", "prompt", "_input_hash", "nope"]) }
        if rng.percent(5) { input.textField = rng.pick(["text", "body", "prompt", "output", "chosen"]) }
        if rng.percent(5) { input.goldField = rng.pick(["label", "gold", "answer", "score"]) }
        let others = seeds.map(\.bytes)
        let count = rng.percent(60) ? 1 : rng.percent(75) ? 2 : 3
        if input.base.gz, rng.percent(50), let gz = compressed[input.base.name] {
            var bytes = gz
            for _ in 0..<count {
                input.mutations.append("gz:" + Mutation.pick(from: Mutation.byteLevel, &rng).apply(to: &bytes, &rng, others: others))
            }
            input.fileBytes = bytes
            return input
        }
        var bytes = input.base.bytes
        for _ in 0..<count {
            input.mutations.append(Mutation.pick(from: Mutation.allCases, &rng).apply(to: &bytes, &rng, others: others))
        }
        input.content = bytes
        input.fileBytes = input.base.gz ? nil : bytes
        return input
    }

    func request(path: String) -> ImportRequest {
        ImportRequest(paths: [path], format: format, idField: idField, textField: textField, goldField: goldField)
    }

    /// The options the import of `request` reads rows with.
    var options: ImportOptions {
        ImportOptions(dataset: "fuzz", sourceName: base.fileName, idField: idField, textField: textField, goldField: goldField)
    }

    /// The options as command-line flags, for the failure report.
    var flags: String {
        [format == .auto ? nil : "--format \(format.rawValue)", idField.map { "--id-field \($0)" },
         textField.map { "--text-field \($0)" }, goldField.map { "--gold-field \($0)" }].compactMap { $0 }.joined(separator: " ")
    }

    /// The mutation kinds (names before the details), for the tallies.
    var kinds: [String] {
        mutations.map { m in
            let gz = m.hasPrefix("gz:")
            let name = (gz ? m.dropFirst(3) : m[...]).prefix { $0 != " " && $0 != "@" && $0 != "(" }
            return (gz ? "gz:" : "") + name
        }
    }
}
