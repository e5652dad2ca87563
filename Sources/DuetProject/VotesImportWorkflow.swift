import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation

/// `duet votes import`: replayed machine votes into the store, all or nothing.
public enum VotesImportWorkflow {
    public struct Report: Sendable {
        public var votes = 0
        public var items = 0
        public var annotators: [String] = []
        public var unparseable = 0
        /// False / No answers of Batch output: stored for their text and tokens, not votes.
        public var noVotes = 0
    }

    /// `progress`: the file read (its share of bytes when not gzipped), then its votes matched to items, then saved.
    public static func run(path: String, task: TaskSpec, dataset: String?, store: any ItemCatalog & VoteStore, at date: Date = Date(),
                           progress: @escaping (WorkProgress) -> Void = { _ in }) async throws -> Report {
        let dataset = try await votesDataset(dataset, task: task, store: store)
        let started = Date()
        let size = path.lowercased().hasSuffix(".gz") ? 0 : ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        let tell = { (step: String, done: Int, total: Int?, unit: String, fraction: Double?) in
            progress(WorkProgress(label: "votes import", step: step, done: done, total: total, unit: unit, fraction: fraction,
                                  elapsed: Date().timeIntervalSince(started)))
        }
        var source = try InputSource(path: path, onRead: { bytes in
            tell("reading", bytes / 1_000_000, size > 0 ? size / 1_000_000 : nil, "MB", size > 0 ? Double(bytes) / Double(size) : nil)
        })
        defer { source.cancel() }
        // Peek at the first record: Duet's vote lines, or OpenAI Batch output.
        guard let first = try source.nextChunk() else { throw ImportError(file: path, line: 0, message: "empty file") }
        let firstLine = first.prefix { $0 != 0x0A }
        let isBatch = (try? JSONValue.parse(bytes: firstLine)).map(BatchReplay.looksLikeBatch) ?? false
        let replay = PeekedSource(first: first, base: source)
        let rows = isBatch ? try BatchReplay.read(replay, file: path, task: task)
            : try VoteReplay.read(replay, file: path, task: task)
        var resolved: [(item: Int64, vote: MachineVote)] = []
        var ids: [String: Int64] = [:]
        var annotators: Set<String> = []
        for (n, r) in rows.enumerated() {
            if n % 16_384 == 0 { tell("matching items", n, rows.count, "votes", nil) }
            if annotators.insert(r.vote.annotator).inserted, let problem = Names.problem(r.vote.annotator) {
                throw ImportError(file: path, line: r.line, message: "annotator name \"\(Names.shown(r.vote.annotator))\" \(problem)")
            }
            if ids[r.item] == nil {
                guard let stored = try await store.item(dataset: dataset, uid: r.item) else {
                    throw ImportError(file: path, line: r.line, message: "item '\(r.item)' is not in dataset '\(dataset)' (import the items first)")
                }
                ids[r.item] = stored.rowID
            }
            resolved.append((ids[r.item]!, r.vote))
        }
        tell("saving", resolved.count, rows.count, "votes", nil)
        try await store.saveVotes(resolved, task: task.name, at: date)
        var report = Report()
        report.noVotes = resolved.filter(\.vote.noVote).count
        report.votes = resolved.count - report.noVotes
        report.items = ids.count
        report.annotators = Array(Set(resolved.map(\.vote.annotator))).sorted()
        report.unparseable = resolved.filter { $0.vote.label == nil && !$0.vote.noVote }.count
        return report
    }

    /// The dataset the votes' item ids belong to: `--dataset`, else the
    /// task's, else (a task over every dataset) the store's only dataset.
    static func votesDataset(_ given: String?, task: TaskSpec, store: any ItemCatalog) async throws -> String {
        if let given {
            do { try Names.check(given, as: "dataset name") } catch { throw DuetError("--dataset: \(error)") }
            return given
        }
        if let dataset = task.dataset { return dataset }
        let datasets = try await store.datasetSummaries().map(\.name)
        switch datasets.count {
        case 1: return datasets[0]
        case 0: throw DuetError("no items imported yet: import the items the votes are on first (`duet import`)")
        default:
            throw DuetError("""
                task '\(task.name)' covers every dataset and the store holds \(datasets.count) (\(datasets.map(Names.shown).joined(separator: ", "))): \
                say which one the votes' item ids belong to with --dataset
                """)
        }
    }
}
