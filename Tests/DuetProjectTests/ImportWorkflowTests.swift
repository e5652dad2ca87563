import DuetCore
import DuetStoreAPI
import Foundation
import Testing
@testable import DuetProject

@Suite struct ImportWorkflowTests {
    let rows = """
    {"id": "a", "text": "good", "gold": "positive"}
    {"id": "b", "text": "bad"}
    {"id": "c", "text": "你好 😀 café"}

    """

    @Test func importsAndReimportsNothing() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("tweets.jsonl", rows)
        let first = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        #expect(first.counts.added == 3)
        #expect(first.files.first?.format == .jsonl)
        #expect(first.files.first?.detected == true)
        #expect(first.files.first?.dataset == "tweets")
        let again = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        #expect(again.counts.added == 0)
        #expect(again.counts.duplicates == 3)
        #expect(try project.sqlite.itemCount() == 3)
        let c = try #require(try project.sqlite.item(dataset: "tweets", uid: "c"))
        #expect(c.item.fields.text == "你好 😀 café")
        #expect(try project.sqlite.item(dataset: "tweets", uid: "a")?.item.gold == "positive")
    }

    @Test func badSecondFileLeavesStoreUnchanged() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let good = try tmp.file("good.jsonl", rows)
        let bad = try tmp.file("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"ok 2\"}\n{\"text\": 17}\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [good, bad]), into: project.store) }
        #expect(e?.file == bad)
        #expect(e?.line == 3)
        #expect(e?.message == "field 'text': expected a string, got number")
        #expect(try project.sqlite.itemCount() == 0)
        #expect(try project.sqlite.datasetSummaries().isEmpty)
    }

    @Test func dryRunStoresNothing() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("x.jsonl", rows)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [path], dryRun: true), into: project.store)
        #expect(report.counts.added == 3)
        #expect(report.summary.hasPrefix("dry run:"))
        #expect(try project.sqlite.itemCount() == 0)
    }

    @Test func gzipIsReadTransparently() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let gz = try gzip(try tmp.file("pairs.jsonl", """
            {"prompt": "Hi?", "chosen": "Hello!", "rejected": "Go away."}
            {"prompt": "2+2?", "chosen": "4", "rejected": "5"}
            """))
        let report = try await ImportWorkflow.run(ImportRequest(paths: [gz], dataset: "p"), into: project.store)
        #expect(report.files.first?.format == .dpo)
        #expect(report.counts.added == 2)
        #expect(report.counts.sourceAnnotations == 2)
        #expect(ImportWorkflow.datasetName(for: gz) == "pairs")
    }

    @Test func corruptGzipIsAClearError() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("broken.jsonl.gz", bytes: [0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03])
        let e = await #expect(throws: (any Error).self) { try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store) }
        #expect("\(e!)".contains("broken.jsonl.gz"))
        #expect(try project.sqlite.itemCount() == 0)
    }

    @Test func missingFileIsNamed() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let e = await #expect(throws: DuetError.self) { try await ImportWorkflow.run(ImportRequest(paths: ["/nonexistent/x.jsonl"]), into: project.store) }
        #expect(e?.description.contains("/nonexistent/x.jsonl") == true)
    }

    @Test func csvWithOptionsAndCRLF() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("rows.csv", "\u{FEFF}key,body,label\r\nk1,\"hello, world\",pos\r\nk2,\"multi\nline\",neg\r\n")
        let report = try await ImportWorkflow.run(ImportRequest(paths: [path], idField: "key", textField: "body", goldField: "label"), into: project.store)
        #expect(report.files.first?.container == .csv)
        #expect(report.counts.added == 2)
        let k2 = try #require(try project.sqlite.item(dataset: "rows", uid: "k2"))
        #expect(k2.item.fields.text == "multi\nline")
        #expect(k2.item.gold == "neg")
        #expect(k2.item.sourceLine == 3)
    }

    @Test func unknownKeysAskForFormat() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("odd.jsonl", "{\"foo\": 1, \"bar\": 2}\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store) }
        #expect(e?.line == 1)
        #expect(e?.message.contains("--format") == true)
        #expect(e?.message.contains("bar, foo") == true)
    }

    @Test func sampleDataImportsAsDocumented() async throws {
        let tmp = try TempDir()
        let data = SharedData.repoRoot.appendingPathComponent("sample-data")
        let (project, report) = try await Demo.create(at: tmp.url.appendingPathComponent("demo"), sampleData: data)
        #expect(report.files.map(\.format) == [.jsonl, .dpo, .alpaca])
        #expect(report.counts.added == 320)
        let sets = Dictionary(uniqueKeysWithValues: try project.sqlite.datasetSummaries().map { ($0.name, $0) })
        #expect(sets["sentiment"]?.kinds == ["text": 200])
        #expect(sets["pairs"]?.kinds == ["pair": 60])
        #expect(sets["demonstrations"]?.kinds == ["demonstration": 60])
        // About 30 gold labels, a dozen Chinese texts, all items under their task.
        let items = try project.sqlite.items(for: project.config.task(named: "sentiment"), afterRowID: 0, limit: 1000)
        #expect(items.count == 200)
        #expect(items.filter { $0.item.gold != nil }.count == 30)
        #expect(items.filter { ($0.item.fields.text ?? "").unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }.count >= 12)
        let status = try await StatusReport.make(project)
        #expect(status.tasks.map(\.remaining) == [200, 60, 60])
    }

    /// Found by FuzzImportTests (the process ran out of file descriptors): the
    /// reader thread kept every stream, and so its open file, alive forever.
    @Test(arguments: ["{\"text\": \"a\"}\n{\"text\": 5}\n", "{\"text\": \"a\"}\n"])
    func readerLetsGoOfTheFileAtTheEnd(text: String) async throws {
        weak var released: ReleaseFlag?
        let pipeline: BackgroundProducer<ImportBatch>
        do {
            let flag = ReleaseFlag()
            released = flag
            let bytes = Array(text.utf8)
            let stream = try RecordStream(source: FlaggedSource(base: MemoryByteSource(bytes), flag: flag), file: "f.jsonl",
                                          fileName: "f.jsonl", firstBytes: bytes.prefix(64), format: .auto,
                                          options: ImportOptions(dataset: "d", sourceName: "f.jsonl"))
            pipeline = RecordPipeline.start(stream: stream)
        }
        do { while try await pipeline.next() != nil {} } catch {}
        #expect(released == nil)
    }

    /// Found by FuzzImportTests: a gzip process stopped early was never
    /// reaped, and kept a pipe open.
    @Test func stoppedGzipIsReaped() async throws {
        let tmp = try TempDir()
        // More than a chunk and a pipe's buffer: gzip is still writing when the reader stops.
        let path = try gzip(try tmp.file("big.jsonl", String(repeating: "{\"text\": \"abcdefghij\"}\n", count: 100_000)))
        var source = try GzipByteSource(path: path)
        #expect(try source.nextChunk() != nil)
        source.cancel()
        #expect(source.child.reaped)
        #expect(kill(source.child.pid, 0) == -1, "gzip (or its zombie) is still there")
    }
}

/// Released when the source holding it is.
private final class ReleaseFlag {}

private struct FlaggedSource: ByteSource {
    var base: MemoryByteSource
    let flag: ReleaseFlag
    mutating func nextChunk() throws -> [UInt8]? { try base.nextChunk() }
}
