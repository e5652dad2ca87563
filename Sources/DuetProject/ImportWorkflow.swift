import DuetCore
import DuetStoreAPI
import Foundation

/// `duet import`: reads files, all or nothing per invocation.
public struct ImportRequest: Sendable {
    public var paths: [String]
    public var dataset: String?
    public var format: InputFormat
    public var idField: String?
    public var textField: String?
    public var goldField: String?
    public var dryRun: Bool
    /// Rows whose id is known with other content: an error, or skipped.
    public var onChange: ChangedRows

    public init(paths: [String], dataset: String? = nil, format: InputFormat = .auto, idField: String? = nil,
                textField: String? = nil, goldField: String? = nil, dryRun: Bool = false, onChange: ChangedRows = .error) {
        self.onChange = onChange
        self.paths = paths
        self.dataset = dataset
        self.format = format
        self.idField = idField
        self.textField = textField
        self.goldField = goldField
        self.dryRun = dryRun
    }
}

public struct ImportReport: Sendable {
    public struct File: Sendable {
        public var path: String
        public var dataset: String
        public var format: InputFormat
        public var container: Container
        public var detected: Bool
        public var rows: Int
    }
    public var files: [File] = []
    public var counts = ImportCounts()
    public var dryRun = false

    /// The one summary line printed at the end.
    public var summary: String {
        let n = { (i: Int) in i.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) }
        let verb = dryRun ? "would add" : "added"
        var s = "\(dryRun ? "dry run: " : "")\(n(counts.rows)) rows read from \(files.count) file\(files.count == 1 ? "" : "s"); \(verb) \(n(counts.added)) items"
        if counts.duplicates > 0 { s += ", \(n(counts.duplicates)) already present unchanged" }
        if counts.sourceAnnotations > 0 { s += ", \(n(counts.sourceAnnotations)) source annotations" }
        if counts.changedSkipped > 0 {
            s += "; skipped \(n(counts.changedSkipped)) changed row\(counts.changedSkipped == 1 ? "" : "s")"
            if let first = counts.firstChangedSkipped { s += " (first: \(first))" }
        }
        if counts.rows > 0, counts.added == 0, counts.changedSkipped == 0 { s += "; nothing changed" }
        return s
    }
}

/// Progress while importing: the file, rows read, bytes read and the file's size (0 when unknown).
public struct ImportProgress: Sendable {
    public var file: String
    public var rows: Int
    public var bytes: Int
    public var totalBytes: Int
    /// Seconds since the file's import began.
    public var elapsed: Double = 0

    /// As a progress line: rows read, the share of the file's bytes when its size is known.
    public var work: WorkProgress {
        WorkProgress(label: URL(fileURLWithPath: file).lastPathComponent, done: rows, total: nil, unit: "rows",
                     fraction: totalBytes > 0 ? Double(bytes) / Double(totalBytes) : nil, elapsed: elapsed)
    }
}

public enum ImportWorkflow {
    /// The dataset name a file gets when none is given: its name without
    /// extensions (`hh-rlhf-test.jsonl.gz` → `hh-rlhf-test`).
    public static func datasetName(for path: String) -> String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        if name.lowercased().hasSuffix(".gz") { name.removeLast(3) }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        return name
    }

    /// Imports every file in one import session (`ImportSink.importing`): committed at once, or, on
    /// any bad row, an `ImportError` naming file:line and the store exactly as before. The reader
    /// thread parses the next batches while the session writes this one.
    public static func run(_ request: ImportRequest, into store: any ImportSink,
                           onFormat: (ImportReport.File) -> Void = { _ in },
                           onProgress: (ImportProgress) -> Void = { _ in }) async throws -> ImportReport {
        guard !request.paths.isEmpty else { throw DuetError("no files to import") }
        for p in request.paths where !FileManager.default.isReadableFile(atPath: p) {
            throw DuetError("\(p): no such file or not readable")
        }
        // Dataset names are checked at the door, before anything is read.
        if let name = request.dataset {
            do { try Names.check(name, as: "dataset name") } catch { throw DuetError("--dataset: \(error)") }
        } else {
            for p in request.paths {
                do { try Names.check(datasetName(for: p), as: "the dataset name") } catch {
                    throw DuetError("\(Names.shown(p)): the file name gives \(error); name the dataset with --dataset NAME")
                }
            }
        }
        var report = ImportReport()
        report.dryRun = request.dryRun
        report.counts = try await store.importing(dryRun: request.dryRun, onChange: request.onChange) { session in
            for path in request.paths {
                let file = try await importFile(path, request: request, session: session, onFormat: onFormat, onProgress: onProgress)
                report.files.append(file)
            }
        }
        return report
    }

    static func importFile(_ path: String, request: ImportRequest, session: any ImportSession,
                           onFormat: (ImportReport.File) -> Void, onProgress: (ImportProgress) -> Void) async throws -> ImportReport.File {
        let total = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        let isGzip = path.lowercased().hasSuffix(".gz")
        let bytes = ByteCounter()
        var source = try InputSource(path: path, onRead: { bytes.value = $0 })
        defer { source.cancel() }
        let first: [UInt8]?
        do { first = try source.nextChunk() } catch { throw ImportError(file: path, line: 0, message: "\(error)") }
        guard let first else { throw ImportError(file: path, line: 0, message: "empty file") }
        let dataset = request.dataset ?? datasetName(for: path)
        let options = ImportOptions(dataset: dataset, sourceName: URL(fileURLWithPath: path).lastPathComponent,
                                    idField: request.idField, textField: request.textField, goldField: request.goldField)
        let stream = try RecordStream(source: PeekedSource(first: first, base: source), file: path,
                                      fileName: URL(fileURLWithPath: path).lastPathComponent,
                                      firstBytes: first.prefix(64), format: request.format, options: options)
        var info = ImportReport.File(path: path, dataset: dataset, format: stream.format, container: stream.container,
                                     detected: stream.detected, rows: 0)
        onFormat(info)
        try await session.beginFile(path: path, format: stream.format.rawValue, dataset: dataset)
        let pipeline = RecordPipeline.start(stream: stream)
        defer { pipeline.cancel() }
        var reported = 0
        let started = Date()
        while let batch = try await pipeline.next() {
            try await session.add(batch)
            info.rows += batch.count
            if info.rows - reported >= 16_384 {
                reported = info.rows
                onProgress(ImportProgress(file: path, rows: info.rows, bytes: isGzip ? 0 : bytes.value, totalBytes: isGzip ? 0 : total,
                                          elapsed: Date().timeIntervalSince(started)))
            }
        }
        onProgress(ImportProgress(file: path, rows: info.rows, bytes: isGzip ? 0 : total, totalBytes: isGzip ? 0 : total,
                                  elapsed: Date().timeIntervalSince(started)))
        return info
    }
}

/// Bytes read so far, written by the reader thread and read for progress.
final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = 0
    var value: Int {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
