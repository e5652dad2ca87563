import DuetCore
import DuetStoreAPI
import Foundation

public struct ExportRequest: Sendable {
    public var task: String?
    public var format: ExportFormat
    public var scope: DecisionScope
    /// nil = standard output.
    public var output: String?
    public var options: ExportOptions

    public init(task: String? = nil, format: ExportFormat = .jsonl, scope: DecisionScope = .final, output: String? = nil,
                options: ExportOptions = ExportOptions()) {
        self.task = task
        self.format = format
        self.scope = scope
        self.output = output
        self.options = options
    }
}

public struct ExportReport: Sendable {
    public var written = 0
    public var skipped: [ExportSkip: Int] = [:]
    /// KTO with `--kto-ties false-rows`: judgments written as two `label: false` rows.
    public var falseRows: [ExportSkip: Int] = [:]
    public var format: ExportFormat = .jsonl
    public var provenanceFile: String?

    public var summary: String {
        var s = "exported \(written) row\(written == 1 ? "" : "s")"
        func list(_ counts: [ExportSkip: Int]) -> String {
            ExportSkip.allCases.compactMap { k in counts[k].map { "\($0) \(k.rawValue)" } }.joined(separator: ", ")
        }
        if !skipped.isEmpty { s += "; left out: " + list(skipped) }
        if format == .kto, skipped[.tie] != nil || skipped[.bothBad] != nil {
            s += " (--kto-ties false-rows writes ties and both-bad as label:false rows)"
        }
        if !falseRows.isEmpty { s += "; written as two label:false rows each: " + list(falseRows) }
        if let p = provenanceFile { s += "; provenance in \(p)" }
        return s
    }
}

/// Buffered output of lines to a file (through `OutputFile`: checked against
/// the project's files, written to a temporary name, renamed into place at
/// the end) or to standard output.
final class LineOutput {
    let file: OutputFile?
    var buffer = Data()

    init(path: String?, project: ProjectFiles?) throws {
        file = try path.map { try OutputFile($0, project: project) }
    }

    /// Writes whole lines (each ending in "\n").
    func write(_ lines: [UInt8]) throws {
        buffer.append(contentsOf: lines)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        if let file {
            try file.write(buffer)
        } else {
            try FileErrors.at("standard output") { try FileHandle.standardOutput.write(contentsOf: buffer) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try flush()
        try file?.commit()
    }

    func abandon() {
        file?.abandon()
    }
}

public enum ExportWorkflow {
    /// A page's rows rendered in order as bytes: halves of the page on two
    /// threads (rendering is pure, and most of an export's time).
    static func renderPage(_ page: [StoredItem], logs: [Int64: [Annotation]], request: ExportRequest, task: TaskSpec?) -> [ExportBatch] {
        @Sendable func render(_ items: ArraySlice<StoredItem>) -> ExportBatch {
            // Rows of the benchmark's classification items take ~330 bytes.
            var batch = ExportBatch(capacity: items.count * 384)
            for item in items {
                let log = logs[item.rowID] ?? []
                let decisions = task.map { Decisions.select(log, task: $0.name, scope: request.scope) }
                    ?? Decisions.select(log, task: nil, scope: .all)
                ExportRenderer.append(ExportRow(item: item, decisions: decisions), format: request.format, task: task,
                                      scope: task == nil ? .all : request.scope, options: request.options, to: &batch)
            }
            return batch
        }
        guard page.count >= 64 else { return [render(page[...])] }
        let half = page.count / 2
        var batches = [ExportBatch](repeating: ExportBatch(), count: 2)
        batches.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer  // each thread writes its own half
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                slots[part] = render(part == 0 ? page[..<half] : page[half...])
            }
        }
        return batches
    }

    /// `progress`: items read of the task's (or the store's), after every page.
    public static func run(_ request: ExportRequest, project: Project, progress: (WorkProgress) -> Void = { _ in }) async throws -> ExportReport {
        let task: TaskSpec?
        if let name = request.task {
            task = try project.task(name)
        } else if project.config.tasks.count == 1 {
            task = project.config.tasks[0]
        } else {
            // No task: the items themselves (as imported), with any source annotations.
            task = nil
        }
        if let problem = request.format.problem(with: task) { throw DuetError(problem) }
        if request.options.ktoTies != .exclude && request.format != .kto {
            throw DuetError("--kto-ties applies to --format kto only")
        }
        if request.scope != .all, task == nil, !project.config.tasks.isEmpty {
            throw DuetError("several tasks: choose one with --task (\(project.config.tasks.map(\.name).joined(separator: ", ")))")
        }
        let files = ProjectFiles(root: project.root)
        // Both outputs are checked before anything is written.
        let out = try LineOutput(path: request.output, project: files)
        var provenance: LineOutput?
        var report = ExportReport()
        report.format = request.format
        do {
            if !request.format.inlineProvenance, task != nil, let path = request.output {
                provenance = try LineOutput(path: path + ".provenance.jsonl", project: files)
                report.provenanceFile = path + ".provenance.jsonl"
            }
            if request.format == .csv { try out.write(Array((ExportRenderer.csvLine(ExportRenderer.csvHeader) + "\n").utf8)) }
            // The next pages are read on other threads while this one is rendered.
            let pages = PagePrefetcher.start(store: project.store, task: task)
            defer { pages.cancel() }
            let total: Int
            if let task { total = try await project.store.taskProgress(task).total } else {
                total = try await project.store.datasetSummaries().reduce(0) { $0 + $1.items }
            }
            let started = Date()
            var read = 0
            progress(WorkProgress(label: "export", done: 0, total: total, unit: "items", elapsed: 0))
            while let page = try await pages.next() {
                defer {
                    read += page.items.count
                    progress(WorkProgress(label: "export", done: read, total: total, unit: "items", elapsed: Date().timeIntervalSince(started)))
                }
                for batch in renderPage(page.items, logs: page.logs, request: request, task: task) {
                    try out.write(batch.lineBytes)
                    try provenance?.write(batch.provenanceBytes)
                    report.written += batch.written
                    report.skipped.merge(batch.skipped, uniquingKeysWith: +)
                    report.falseRows.merge(batch.falseRows, uniquingKeysWith: +)
                }
            }
            try out.commit()
            try provenance?.commit()
        } catch {
            out.abandon()
            provenance?.abandon()
            throw error
        }
        return report
    }
}

/// Reads an export's pages (`ItemCatalog.exportPages`: a task's items and their log, one sequence) a
/// page or two ahead of the renderer, on a thread of its own: reading and rendering overlap. The store
/// reads a page when asked for it, so at most a few pages are in memory; `cancel` (the export done or
/// failed) stops the thread and drops the sequence, which ends the store's read (PostgreSQL: its cursor,
/// transaction and connection).
final class PagePrefetcher: Sendable {
    private let pages: BackgroundProducer<ExportPage>

    private init(pages: BackgroundProducer<ExportPage>) {
        self.pages = pages
    }

    static func start(store: any ItemCatalog, task: TaskSpec?, pageSize: Int = 2000) -> PagePrefetcher {
        let source = PageSource(store.exportPages(task: task, pageSize: pageSize))
        return PagePrefetcher(pages: .awaiting(capacity: 2, name: "duet-export-pages") { try await source.next() })
    }

    /// The sequence's iterator, used by the producer's thread only (one call at a time).
    private final class PageSource: @unchecked Sendable {
        private var iterator: AsyncThrowingStream<ExportPage, any Error>.AsyncIterator

        init(_ pages: AsyncThrowingStream<ExportPage, any Error>) { iterator = pages.makeAsyncIterator() }

        func next() async throws -> ExportPage? { try await iterator.next() }
    }

    /// The next page, or nil at the end; rethrows a reading error.
    func next() async throws -> ExportPage? { try await pages.next() }

    /// Stops the thread (the export is done, or failed).
    func cancel() {
        pages.cancel()
    }
}
