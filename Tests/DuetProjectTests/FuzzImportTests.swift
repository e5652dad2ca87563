import DuetCore
import Foundation
import TestTrace
import Testing
@testable import DuetProject

/// Issue 7: every importer over a corpus of mutated files (FuzzCorpus.swift),
/// through the real import path into a project on disk.
///
/// The rules, checked for every input:
/// - the import succeeds or throws an `ImportError`: nothing else, no crash;
/// - the error reads `path:line: message` with the file's own path and
///   1 ≤ line ≤ its line count (the line after a final newline counts, for
///   "end of file" errors);
/// - in JSONL, CSV and TSV the line is where the first bad record starts: the
///   lines before it import, and the lines up to it fail at it;
/// - an error about the file as a whole has no line and reads `path: message`:
///   the file has no records (empty, blank, only a header, `[]`) or is not
///   valid gzip. Nothing else may leave the line out;
/// - after a failed import the store is as before: item count, datasets,
///   the annotations of every item, no new rows;
/// - after a successful one, the items it added and their source annotations
///   read back, as many as the report says, and the file was valid UTF-8;
/// - the imports leave no file, pipe or process open behind them.
///
/// Most inputs are imported as `duet import FILE` does (detection); some with
/// `--format` (any format, so rows meet mappers they were not written for) or
/// `--id-field`, `--text-field`, `--gold-field`.
///
/// `DUET_FUZZ_INPUTS=N` sets the corpus size, `DUET_FUZZ_SEED` the base seed;
/// `DUET_FUZZ_REPLAY=0x…,0x…` runs only those inputs (the seeds a failure names).
@Suite struct FuzzImportTests {
    static let defaultInputs = 2_000
    static let defaultSeed: UInt64 = 0xD0E7_F022

    @Test func seedsImportAsTheirFormat() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        for seed in FuzzSeed.all {
            let plain = try tmp.file(seed.name, bytes: seed.bytes)
            let path = seed.gz ? try gzip(plain) : plain
            let report = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
            #expect(report.files.first?.format == seed.format, "\(seed.name)")
            #expect(report.counts.added == seed.records, "\(seed.name)")
        }
        #expect(Set(FuzzSeed.all.map(\.format)) == Set(InputFormat.allCases).subtracting([.auto]))
    }

    @Test func mutatorIsDeterministic() async throws {
        let compressed = ["pairs.jsonl": [UInt8](repeating: 0x1F, count: 40)]
        for seed: UInt64 in [1, 2, 0xFFFF_FFFF_FFFF_FFFF, 12345] {
            let a = FuzzInput.make(seed: seed, seeds: FuzzSeed.all, compressed: compressed)
            let b = FuzzInput.make(seed: seed, seeds: FuzzSeed.all, compressed: compressed)
            #expect(a.mutations == b.mutations)
            #expect(a.content == b.content && a.fileBytes == b.fileBytes)
        }
        // Every kind changes the file it is given (the huge line is left out: slow).
        for kind in Mutation.allCases where kind != .hugeLine {
            var changed = 0
            for s in 0..<20 {
                var rng = SplitMix64(seed: UInt64(s))
                let base = FuzzSeed.all[s % FuzzSeed.all.count].bytes
                var bytes = base
                _ = kind.apply(to: &bytes, &rng, others: FuzzSeed.all.map(\.bytes))
                if bytes != base { changed += 1 }
            }
            #expect(changed >= 15, "\(kind.rawValue) changed only \(changed) of 20 files")
        }
    }

    /// The rule above, shown failing where it should.
    @Test func locationRuleRejectsWrongLines() async {
        let jsonl = "{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": 5}\n{\"text\": \"d\"}\n"
        func problem(_ line: Int, _ message: String = "field 'text': expected a string, got number", file: String? = nil,
                     name: String = "x.jsonl", content: String? = nil) -> String? {
            let content = content ?? jsonl
            let path = "/tmp/" + name
            let input = FuzzInput(seed: 0, base: FuzzSeed(name: name, format: .auto, records: 0, text: content), mutations: [],
                                  content: Array(content.utf8))
            return FuzzRun.locationProblem(ImportError(file: file ?? path, line: line, message: message), path: path, input: input)
        }
        #expect(problem(3) == nil)
        #expect(problem(2) != nil)
        #expect(problem(4) != nil)
        #expect(problem(9) != nil)
        #expect(problem(0) != nil)
        #expect(problem(3, file: "x.jsonl") != nil)
        let noRecords = "no records (the file is empty)"
        #expect(problem(0, noRecords) != nil)
        #expect(problem(0, noRecords, content: "\u{FEFF}\n  \r\n\t\n") == nil)
        #expect(problem(0, noRecords, name: "x.json", content: " [\n]\n") == nil)
        #expect(problem(0, noRecords, name: "x.json", content: "[\n {}\n]") != nil)
        // A changed repeat is located by the store, not by the file alone: it must name the earlier place.
        let changed = "id \"a\" is already in the store from /tmp/x.jsonl:1 with different content (…)"
        #expect(problem(2, changed) == nil)
        #expect(problem(2, changed.replacingOccurrences(of: "/tmp/x.jsonl", with: "elsewhere.jsonl")) != nil)
        // The second data record of a CSV file spans lines 3–4.
        let csv = "id,text\n1,a\n2,\"b\nc\",extra\n3,d\n"
        #expect(problem(3, "expected 2 fields (as in the header), found 3", name: "x.csv", content: csv) == nil)
        #expect(problem(4, "expected 2 fields (as in the header), found 3", name: "x.csv", content: csv) != nil)
    }

    @Test func fuzzImport() async throws {
        let env = ProcessInfo.processInfo.environment
        let baseSeed = env["DUET_FUZZ_SEED"].flatMap(Self.parseSeed) ?? Self.defaultSeed
        let inputs: [UInt64]
        if let replay = env["DUET_FUZZ_REPLAY"] {
            inputs = replay.split(separator: ",").compactMap { Self.parseSeed(String($0)) }
        } else {
            let n = env["DUET_FUZZ_INPUTS"].flatMap { Int($0) } ?? Self.defaultInputs
            var g = SplitMix64(seed: baseSeed)
            inputs = (0..<n).map { _ in g.next() }
        }
        TestTrace.note("fuzzImport: start")
        var run = try await FuzzRun(verbose: env["DUET_FUZZ_REPLAY"] != nil)
        TestTrace.note("fuzzImport: corpus ready")
        let filesBefore = FuzzRun.openFiles()
        let start = ContinuousClock.now
        for seed in inputs {
            try await run.run(FuzzInput.make(seed: seed, seeds: FuzzSeed.all, compressed: run.compressed))
        }
        let elapsed = ContinuousClock.now - start
        TestTrace.note("fuzzImport: \(inputs.count) inputs run")
        let filesAfter = FuzzRun.openFiles()
        print(run.summary(baseSeed: baseSeed, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
              + (filesBefore.map { "\n  open files: \($0) before, \(filesAfter ?? 0) after" } ?? ""))
        #expect(run.failures.isEmpty, "\(run.failures.count) failures; first: \(run.failures.first ?? "")")
        #expect(run.total.tried == inputs.count)
        // Imports leave nothing open (other tests, running alongside, open and close files too: some slack).
        if let filesBefore, let filesAfter { #expect(filesAfter - filesBefore < 300) }
        if env["DUET_FUZZ_REPLAY"] == nil {
            // The corpus reaches both outcomes in every format.
            for seed in FuzzSeed.all {
                let t = run.tallies[seed.fileName, default: FuzzRun.Tally()]
                #expect(inputs.count < Self.defaultInputs || (t.accepted > 0 && t.rejected > 0), "\(seed.fileName): \(t)")
            }
        }
        TestTrace.note("fuzzImport: end")
    }

    static func parseSeed(_ s: String) -> UInt64? {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("0x") ? UInt64(t.dropFirst(2), radix: 16) : UInt64(t)
    }
}

/// Runs fuzz inputs against one project store at a time and checks the rules.
struct FuzzRun {
    enum Outcome { case accepted, rejected, other }

    struct Tally: CustomStringConvertible {
        var tried = 0, accepted = 0, rejected = 0, other = 0

        mutating func add(_ outcome: Outcome) {
            tried += 1
            switch outcome {
            case .accepted: accepted += 1
            case .rejected: rejected += 1
            case .other: other += 1
            }
        }
        var description: String {
            "\(tried) tried, \(accepted) accepted, \(rejected) rejected" + (other > 0 ? ", \(other) other errors" : "")
        }
    }

    /// What a failed import must leave as it was.
    struct StoreState: Equatable {
        var items: Int
        var datasets: [DatasetSummary]
        var annotations: Int
        var lastRowID: Int64
    }

    /// A fresh project every so many inputs keeps the store (and reading all
    /// of its annotations per input) small.
    static let inputsPerProject = 500
    /// Messages of errors about the whole file, which carry no line.
    static let fileLevelMessages = ["no records", "empty file", "not a valid gzip file"]

    let dir: TempDir
    let verbose: Bool
    var compressed: [String: [UInt8]] = [:]
    var project: Project
    var projectNumber = 0
    var inputsInProject = 0
    /// Row ids of the items in the store.
    var known: [Int64] = []
    var state: StoreState
    var tallies: [String: Tally] = [:]
    /// Inputs imported with options (`--format` and the field flags).
    var withOptions = Tally()
    var kinds: [String: Int] = [:]
    var failures: [String] = []
    var bytesTried = 0

    init(verbose: Bool) async throws {
        dir = try TempDir()
        self.verbose = verbose
        for seed in FuzzSeed.all where seed.gz {
            let path = try gzip(try dir.file(seed.name, bytes: seed.bytes))
            compressed[seed.name] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        project = try Project.create(at: dir.url.appendingPathComponent("p0"), template: .classify, example: true)
        state = StoreState(items: 0, datasets: [], annotations: 0, lastRowID: 0)
        state = try await readState()
    }

    var total: Tally {
        tallies.values.reduce(into: Tally()) {
            $0.tried += $1.tried
            $0.accepted += $1.accepted
            $0.rejected += $1.rejected
            $0.other += $1.other
        }
    }

    mutating func run(_ input: FuzzInput) async throws {
        if inputsInProject == Self.inputsPerProject { try await freshProject() }
        inputsInProject += 1
        let path: String
        if let bytes = input.fileBytes {
            path = try dir.file(input.base.fileName, bytes: bytes)
        } else {
            path = try gzip(try dir.file(input.base.name, bytes: input.content ?? []))
        }
        bytesTried += input.fileBytes?.count ?? input.content?.count ?? 0
        for k in input.kinds { kinds[k, default: 0] += 1 }
        var outcome = Outcome.other
        defer {
            tallies[input.base.fileName, default: Tally()].add(outcome)
            if !input.flags.isEmpty { withOptions.add(outcome) }
        }
        let name = "fuzz \(Self.hex(input.seed)) \(input.base.fileName) \(input.flags) \(input.mutations)"
        do {
            let report = try await ImportWorkflow.run(input.request(path: path), into: project.store)
            outcome = .accepted
            if verbose { print("\(name): accepted, \(report.summary)") }
            await checkAccepted(report, input)
        } catch let e as ImportError {
            outcome = .rejected
            if verbose { print("\(name): \(e)") }
            if let problem = Self.locationProblem(e, path: path, input: input) {
                fail(input, "\(problem) (error: \(Self.short(e.description)))")
            }
            await checkUnchanged(input)
        } catch {
            fail(input, "threw \(type(of: error)), not an ImportError: \(Self.short("\(error)"))")
            await checkUnchanged(input)
        }
    }

    mutating func freshProject() async throws {
        let old = project.root
        projectNumber += 1
        project = try Project.create(at: dir.url.appendingPathComponent("p\(projectNumber)"), template: .classify, example: true)
        try? FileManager.default.removeItem(at: old)
        inputsInProject = 0
        known = []
        state = try await readState()
    }

    func readState() async throws -> StoreState {
        let store = project.store
        let last = known.last ?? 0
        let newer = try await store.items(for: nil, afterRowID: last, limit: 1_000_000)
        let annotations = try await store.annotations(itemRowIDs: known, task: nil).values.reduce(0) { $0 + $1.count }
        return await StoreState(items: try store.itemCount(), datasets: try store.datasetSummaries().sorted { $0.name < $1.name },
                          annotations: annotations, lastRowID: newer.last?.rowID ?? last)
    }

    mutating func checkUnchanged(_ input: FuzzInput) async {
        do {
            let after = try await readState()
            if after != state { fail(input, "the store changed after a failed import: \(state) → \(after)") }
        } catch {
            fail(input, "the store cannot be read after a failed import: \(error)")
        }
    }

    mutating func checkAccepted(_ report: ImportReport, _ input: FuzzInput) async {
        // Every byte of an accepted file went through a UTF-8 check (a leading BOM aside).
        if var body = input.content?[...] {
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
            if String(validating: body, as: UTF8.self) == nil { fail(input, "accepted a file that is not valid UTF-8") }
        }
        do {
            let added = try project.sqlite.items(for: nil, afterRowID: state.lastRowID, limit: 1_000_000)
            let annotations = try project.sqlite.annotations(itemRowIDs: added.map(\.rowID), task: nil).values.reduce(0) { $0 + $1.count }
            if added.count != report.counts.added || annotations != report.counts.sourceAnnotations {
                fail(input, "reported \(report.counts.added) items and \(report.counts.sourceAnnotations) annotations, "
                    + "read back \(added.count) and \(annotations)")
            }
            known += added.map(\.rowID)
            state = try await readState()
        } catch {
            fail(input, "imported, but the store does not read back: \(Self.short("\(error)"))")
            // Go on from a clean store.
            try? await freshProject()
        }
    }

    mutating func fail(_ input: FuzzInput, _ problem: String) {
        let flags = input.flags.isEmpty ? "" : " \(input.flags)"
        failures.append("\(input.base.fileName)\(flags) seed \(Self.hex(input.seed)) \(input.mutations): \(problem)")
    }

    func summary(baseSeed: UInt64, seconds: Double) -> String {
        let t = total
        var lines = [
            "fuzz import: \(t.tried) inputs (\(bytesTried / 1_000_000) MB, base seed \(Self.hex(baseSeed))) in "
                + String(format: "%.1f s", seconds) + ": \(t.accepted) accepted, \(t.rejected) rejected, "
                + "\(t.other) other errors, \(failures.count) failures",
        ]
        for seed in FuzzSeed.all {
            lines.append("  \(seed.fileName): \(tallies[seed.fileName, default: Tally()])")
        }
        lines.append("  with --format or field options: \(withOptions)")
        lines.append("  mutations: " + kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for f in failures.prefix(20) { lines.append("  FAILED \(f)") }
        if failures.count > 20 { lines.append("  … \(failures.count - 20) more failures") }
        if !failures.isEmpty { lines.append("  reproduce one with DUET_FUZZ_REPLAY=<seed> swift test --filter FuzzImport") }
        return lines.joined(separator: "\n")
    }

    /// How many files the process has open (Linux), nil where that cannot be told.
    static func openFiles() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
    }

    static func hex(_ n: UInt64) -> String { "0x" + String(n, radix: 16) }

    static func short(_ s: String) -> String { s.count > 300 ? s.prefix(300) + "…" : s }

    // MARK: The location rule

    /// What is wrong with `e` as the report of `input` written at `path`
    /// (its content unknown when the gzip bytes were damaged), or nil when it
    /// follows the rule.
    static func locationProblem(_ e: ImportError, path: String, input: FuzzInput) -> String? {
        guard e.file == path else { return "names the file \(e.file)" }
        let content = input.content
        let container = content.map {
            RecordStream.container(fileName: input.base.fileName, firstBytes: $0.prefix(64), requested: input.format)
        }
        if e.line == 0 {
            guard fileLevelMessages.contains(where: e.message.hasPrefix) else { return "no line" }
            guard e.description == "\(path): \(e.message)" else { return "reads '\(e.description)'" }
            if let content, let container, let line = firstRecordLine(content, container) {
                return "says the file has no records, but line \(line) has one"
            }
            return nil
        }
        guard e.line > 0, e.description.hasPrefix("\(path):\(e.line): ") else { return "reads '\(e.description)'" }
        guard let content, let container else { return nil }
        let lines = content.offsets(of: 0x0A).count + 1
        guard e.line <= lines else { return "line \(e.line) is past the end (\(lines) lines)" }
        // An id the store (earlier inputs) or an earlier line holds with other content:
        // the line is right, but the file alone reads fine. It must name the other place.
        if e.message.contains(" with different content (") {
            return e.message.contains(" at \(path):") || e.message.contains(" from \(path):") ? nil : "names no earlier place"
        }
        guard container != .jsonArray else { return nil }
        if e.line > 1, let before = importError(prefix(content, lines: e.line - 1), path: path, input: input), before.line != 0 {
            return "the lines before \(e.line) fail already (\(before.line): \(short(before.message)))"
        }
        guard let through = importError(prefix(content, lines: e.line), path: path, input: input) else {
            return "lines 1–\(e.line) import fine"
        }
        guard through.line == e.line else { return "lines 1–\(e.line) fail at line \(through.line)" }
        return nil
    }

    /// The first `n` lines of `b` (with their newlines).
    static func prefix(_ b: [UInt8], lines n: Int) -> [UInt8] {
        let newlines = b.offsets(of: 0x0A)
        return n < 1 ? [] : n <= newlines.count ? Array(b[...newlines[n - 1]]) : b
    }

    /// Reads `bytes` in memory as the import of `input` would; the first error.
    static func importError(_ bytes: [UInt8], path: String, input: FuzzInput) -> ImportError? {
        do {
            var stream = try RecordStream(source: MemoryByteSource(bytes), file: path, fileName: input.base.fileName,
                                          firstBytes: bytes.prefix(64), format: input.format, options: input.options)
            while try stream.next() != nil {}
            return nil
        } catch {
            return error
        }
    }

    /// A line that holds something other than blanks, for a file said to
    /// have no records: JSONL (any such line), a JSON array (anything but
    /// `[` `]` and blanks). CSV and TSV are not checked: a header alone is
    /// no record, and a quoted header may span lines.
    static func firstRecordLine(_ content: [UInt8], _ container: Container) -> Int? {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        switch container {
        case .jsonl:
            for (i, var line) in content.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                if i == 0 && line.starts(with: bom) { line = line.dropFirst(3) }
                if line.last == 0x0D { line = line.dropLast() }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return i + 1 }
            }
            return nil
        case .jsonArray:
            var rest = content[...]
            if rest.starts(with: bom) { rest = rest.dropFirst(3) }
            let significant = rest.enumerated().filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0.element) }
            if significant.isEmpty || significant.map(\.element) == [UInt8(ascii: "["), UInt8(ascii: "]")] { return nil }
            let at = significant.first { $0.element != UInt8(ascii: "[") && $0.element != UInt8(ascii: "]") }?.offset ?? 0
            return rest.prefix(at).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        case .csv, .tsv:
            return nil
        }
    }
}
