import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every command, fed hostile names and texts, prints nothing a terminal would act on: no ESC, no C1
/// control, no bidi control, and only valid UTF-8, on standard output and standard error, whether the
/// command succeeds or fails. (Data exported to a file stays byte-exact: that is checked too.)
@Suite(.enabled(if: Tmux.duetBinary != nil, "needs a built duet binary"))
struct HostileOutputTests {
    /// ESC-based sequences (OSC title and clipboard writes, CSI), a raw C1 CSI, bidi overrides and isolates.
    static let osc = "\u{1B}]0;pwned\u{07}"
    static let clip = "\u{1B}]52;c;ZWNobyBwd25lZA==\u{07}"
    static let csi = "\u{1B}[2J"
    static let c1 = "\u{9B}31m"
    static let bidi = "\u{202E}txt.exe\u{2066}"

    typealias Output = Tmux.Ran

    /// Runs duet with `args` (stdin from /dev/null, no terminal) and returns what it printed.
    static func duet(_ args: [String], cwd: URL? = nil, env: [String: String] = [:]) throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["DUET_PROJECT"] = nil
        for (k, v) in env { environment[k] = v }
        return try Tmux.capture(Tmux.duetBinary!, args, cwd: cwd, environment: environment)
    }

    /// The bytes a terminal would act on, described; empty when the output is safe.
    static func problems(in data: Data, stream: String, command: [String]) -> [String] {
        var found: [String] = []
        guard let text = String(data: data, encoding: .utf8) else {
            return ["\(stream) of `duet \(command.joined(separator: " "))` is not valid UTF-8"]
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let bad = (v < 0x20 && v != 0x0A && v != 0x09) || v == 0x7F || (0x80...0x9F).contains(v)
                || v == 0x200E || v == 0x200F || v == 0x061C || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            if bad {
                found.append("\(stream) of `duet \(command.joined(separator: " "))` holds U+\(String(v, radix: 16, uppercase: true)): \(text.prefix(400))")
                break
            }
        }
        return found
    }

    /// Runs the command and records every unsafe output.
    static func check(_ args: [String], _ failures: inout [String], cwd: URL? = nil) throws -> Output {
        let o = try duet(args, cwd: cwd)
        failures += problems(in: o.stdout, stream: "stdout", command: args)
        failures += problems(in: o.stderr, stream: "stderr", command: args)
        return o
    }

    /// A project whose files, datasets, labels, annotators, ids and texts are hostile.
    static func hostileProject() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-hostile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        _ = try duet(["init", dir.path, "--example"])
        return dir
    }

    static func write(_ text: String, _ url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    static func jsonString(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [])) ?? Data()
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    @Test func everyCommandPrintsOnlySafeText() throws {
        let dir = try Self.hostileProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        var failures: [String] = []
        let p = ["--project", dir.path]
        let hostile = Self.osc + Self.clip + Self.csi + Self.c1 + Self.bidi

        // Items whose ids and texts carry every kind of control.
        var lines: [String] = []
        for i in 0..<40 {
            let id = Self.jsonString("id\(i)" + (i % 3 == 0 ? Self.csi + Self.bidi : ""))
            let text = Self.jsonString("tweet \(i) " + hostile + (i % 2 == 0 ? " good" : " bad"))
            let gold = i < 20 ? ", \"gold\": \"\(["negative", "neutral", "positive"][i % 3])\"" : ""
            lines.append("{\"id\": \(id), \"text\": \(text)\(gold)}")
        }
        let plain = dir.appendingPathComponent("tweets.jsonl")
        try Self.write(lines.joined(separator: "\n") + "\n", plain)
        _ = try Self.check(["import", plain.path, "--dataset", "tweets"] + p, &failures)

        // A file whose name carries controls: as a dataset name, or refused at the door; either way printed safely.
        for name in ["a" + Self.osc + ".jsonl", "b" + Self.c1 + ".jsonl", "c" + Self.bidi + ".jsonl"] {
            let url = dir.appendingPathComponent(name)
            try Self.write("{\"id\": \"x1\", \"text\": \"hello\"}\n", url)
            _ = try Self.check(["import", url.path] + p, &failures)
            _ = try Self.check(["import", url.path, "--dry-run"] + p, &failures)
        }
        // Bad rows whose error messages quote the data: a CSV header, a ShareGPT role, a bad id.
        let csv = dir.appendingPathComponent("bad.csv")
        try Self.write("id,\(Self.osc)text\n1,\"unterminated\n", csv)
        _ = try Self.check(["import", csv.path, "--dataset", "csvset"] + p, &failures)
        let share = dir.appendingPathComponent("share.jsonl")
        try Self.write("{\"conversations\": [{\"from\": \(Self.jsonString(Self.osc + "human")), \"value\": \"hi\"}, {\"from\": \"gpt\", \"value\": \"yo\"}]}\n", share)
        _ = try Self.check(["import", share.path, "--dataset", "share"] + p, &failures)
        _ = try Self.check(["import", plain.path, "--dataset", "tw2", "--text-field", hostile] + p, &failures)
        _ = try Self.check(["import", plain.path, "--dataset", "tw3", "--id-field", hostile] + p, &failures)

        // Replayed votes by annotators with hostile names.
        var votes: [String] = []
        for i in 0..<40 {
            let id = Self.jsonString("id\(i)" + (i % 3 == 0 ? Self.csi + Self.bidi : ""))
            for (a, name) in ["m" + Self.osc, "n" + Self.c1, "o" + Self.bidi].enumerated() {
                let label = ["negative", "neutral", "positive"][(i + a) % 3]
                votes.append("{\"item\": \(id), \"annotator\": \(Self.jsonString(name)), \"variant\": \"v\", \"label\": \"\(label)\"}")
            }
        }
        let votesFile = dir.appendingPathComponent("votes.jsonl")
        try Self.write(votes.joined(separator: "\n") + "\n", votesFile)
        _ = try Self.check(["votes", "import", votesFile.path, "--task", "sentiment"] + p, &failures)
        let badVotes = dir.appendingPathComponent("badvotes.jsonl")
        try Self.write("{\"item\": \(Self.jsonString("nope" + Self.osc)), \"annotator\": \"z\", \"label\": \"positive\"}\n", badVotes)
        _ = try Self.check(["votes", "import", badVotes.path, "--task", "sentiment"] + p, &failures)

        // An LLM annotator, for the dry run that prints the prompts (item texts) it would send.
        let config = dir.appendingPathComponent("duet.toml")
        let toml = try String(contentsOf: config, encoding: .utf8)
        try Self.write(toml.replacingOccurrences(of: "[[annotators]]\nname = \"local\"", with: """
            [[annotators]]
            name = "gpt"
            kind = "llm"
            base_url = "http://127.0.0.1:9/v1"
            model = "m"

            [[annotators]]
            name = "local"
            """), config)
        let dry = try Self.check(["route", "--task", "sentiment", "--dry-run", "--annotator", "gpt"] + p, &failures)
        #expect(dry.status == 0 && dry.text.contains("tweet 0 ␛]0;pwned"), "the dry run shows the texts, made safe: \(dry.text.prefix(600))")

        // Every reading and routing command, plain and JSON.
        for args in [
            ["status"], ["status", "--json"], ["task", "list"], ["task"],
            ["plan", "--task", "sentiment"], ["plan", "--task", "sentiment", "--json"], ["plan", "--task", "sentiment", "--chart"],
            ["agreement", "--task", "sentiment"], ["agreement", "--task", "sentiment", "--json"],
            ["quality", "--task", "sentiment"], ["quality", "--task", "sentiment", "--json"],
            ["route", "--task", "sentiment", "--annotator", "m" + Self.osc, "--no-run"],
            ["route", "--task", "sentiment", "--annotator", hostile, "--no-run"],
            ["route", "--task", "sentiment", "--dry-run", "--annotator", "local"],
            ["adjudicate", "--task", "sentiment", "--list"],
            ["votes", "list", "--task", "sentiment"], ["votes", "list", "--task", "sentiment", "--json"],
            ["votes", "list", "--task", "sentiment", "--item", hostile],
            ["export", "--task", "sentiment", "-o", dir.appendingPathComponent("out" + Self.osc + ".jsonl").path],
            ["export", "--task", hostile],
            ["label", "--task", "sentiment", "--as", "ana" + Self.c1 + Self.bidi],
            ["triage", "--task", hostile],
            ["task", "add", "t" + Self.osc, "--kind", "classify", "--labels", "a" + Self.c1 + ",b" + Self.bidi],
            ["status", "--bogus" + Self.osc],
            [hostile],
            ["import", dir.appendingPathComponent("missing" + Self.osc + ".jsonl").path],
            ["import", dir.path + "/" + Self.bidi],
        ] {
            _ = try Self.check(args + p, &failures)
        }
        // Arguments echoed before any project is found, and a project path that is itself hostile.
        _ = try Self.check(["status", "--project", dir.path + Self.osc], &failures)
        let odd = dir.appendingPathComponent("proj" + Self.osc + Self.bidi)
        _ = try Self.check(["init", odd.path, "--example"], &failures)
        _ = try Self.check(["status", "--project", odd.path], &failures)

        #expect(failures.isEmpty, "\(failures.count) unsafe outputs:\n\(failures.joined(separator: "\n"))")
    }

    /// A duet.toml whose task names, labels and dataset names carry controls: whether the config is
    /// refused or read, nothing reaches the terminal raw.
    @Test func hostileConfigIsPrintedSafely() throws {
        let dir = try Self.hostileProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        var failures: [String] = []
        let config = dir.appendingPathComponent("duet.toml")
        var text = try String(contentsOf: config, encoding: .utf8)
        text += """

        [[tasks]]
        name = "evil\\u001b]0;x\\u0007"
        kind = "classify"
        labels = ["a\\u009b31m", "b\\u202e"]
        dataset = "d\\u001b[2J"

        """
        try Self.write(text, config)
        for args in [["task", "list"], ["status"], ["status", "--json"], ["export"], ["plan"]] {
            _ = try Self.check(args + ["--project", dir.path], &failures)
        }
        #expect(failures.isEmpty, "\(failures.count) unsafe outputs:\n\(failures.joined(separator: "\n"))")
    }

    /// The rule's safety net: the console sanitizes, and data stays byte-exact. An exported file keeps
    /// the item's controls as the data had them (JSON escapes where JSON needs them).
    @Test func exportedDataStaysExact() throws {
        let dir = try Self.hostileProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Without tasks, `duet export` writes the items themselves.
        let config = dir.appendingPathComponent("duet.toml")
        let toml = try String(contentsOf: config, encoding: .utf8)
        try Self.write(String(toml[..<(toml.range(of: "[[tasks]]")?.lowerBound ?? toml.endIndex)]), config)
        let text = "x " + Self.c1 + Self.bidi
        let file = dir.appendingPathComponent("one.jsonl")
        try Self.write("{\"id\": \"1\", \"text\": \(Self.jsonString(text))}\n", file)
        _ = try Self.duet(["import", file.path, "--dataset", "one", "--project", dir.path])
        let out = dir.appendingPathComponent("items.jsonl")
        let o = try Self.duet(["export", "--project", dir.path, "-o", out.path])
        #expect(o.status == 0, "\(o.text)")
        let row = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any]
        let fields = row?["fields"] as? [String: Any] ?? row ?? [:]
        #expect((fields["text"] as? String) == text, "exported: \(String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self))")
    }
}

/// One rule, one mechanism: only Sources/duet/Console.swift writes to standard output or standard
/// error. A new command that prints with `print` fails here.
@Suite struct ConsoleRuleTests {
    @Test func onlyTheConsoleWritesToTheTerminal() throws {
        let sources = Tmux.repoRoot.appendingPathComponent("Sources")
        let fm = FileManager.default
        var offenders: [String] = []
        let patterns = ["print(", "FileHandle.standardOutput", "FileHandle.standardError", "fputs(", "putchar(", "puts("]
        for case let url as URL in fm.enumerator(at: sources, includingPropertiesForKeys: nil)! where url.pathExtension == "swift" {
            let rel = url.path.replacingOccurrences(of: sources.path + "/", with: "")
            if rel == "duet/Console.swift" || rel.hasPrefix("duet-bench/") { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for p in patterns where code.contains(p) {
                    // Process pipes (`process.standardOutput = …`) and the export's data stream are not printing.
                    if code.contains("process.standard") || code.contains(".standardOutput = ") || code.contains(".standardError = ") { continue }
                    if rel == "DuetProject/ExportWorkflow.swift" && p == "FileHandle.standardOutput" { continue }
                    offenders.append("Sources/\(rel):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "print through Console (Sources/duet/Console.swift):\n\(offenders.joined(separator: "\n"))")
    }
}
