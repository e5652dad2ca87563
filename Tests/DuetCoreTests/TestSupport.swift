@testable import DuetCore
import Foundation
import Testing

/// Shared helpers for the format tests.
enum T {
    static let options = ImportOptions(dataset: "ds", sourceName: "src.jsonl")

    /// A file of Fixtures/ (next to this file) decoded as JSON.
    static func fixture<V: Decodable>(_ name: String, as type: V.Type = V.self) throws -> V {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
        return try JSONDecoder().decode(type, from: Data(contentsOf: url))
    }

    static func opts(id: String? = nil, text: String? = nil, gold: String? = nil) -> ImportOptions {
        ImportOptions(dataset: "ds", sourceName: "src.jsonl", idField: id, textField: text, goldField: gold)
    }

    /// Reads every line of `bytes` through a LineReader, as strings.
    static func lines(_ bytes: [UInt8], chunkSize: Int = 1 << 16) throws -> [String] {
        var r = LineReader(MemoryByteSource(bytes, chunkSize: chunkSize))
        var out: [String] = []
        while let l = try r.next() { out.append(String(decoding: l, as: UTF8.self)) }
        return out
    }

    /// Every row a reader yields, as (line, value).
    static func rows<R: RowReader>(_ reader: R) throws(ImportError) -> [(Int, JSONValue)] {
        var r = reader
        var out: [(Int, JSONValue)] = []
        while let row = try r.next() { out.append((row.line, row.value)) }
        return out
    }

    static func stream(_ bytes: [UInt8], fileName: String = "in.jsonl", format: InputFormat = .auto,
                       options: ImportOptions = T.options, chunkSize: Int = 1 << 16) throws(ImportError) -> RecordStream {
        try RecordStream(source: MemoryByteSource(bytes, chunkSize: chunkSize), file: fileName, fileName: fileName,
                         firstBytes: bytes.prefix(64), format: format, options: options)
    }

    /// Imports every record of `text`; throws the first ImportError.
    static func importAll(_ text: String, fileName: String = "in.jsonl", format: InputFormat = .auto,
                          options: ImportOptions = T.options, chunkSize: Int = 1 << 16) throws(ImportError) -> [ImportedRecord] {
        try importAll(bytes: Array(text.utf8), fileName: fileName, format: format, options: options, chunkSize: chunkSize)
    }

    static func importAll(bytes: [UInt8], fileName: String = "in.jsonl", format: InputFormat = .auto,
                          options: ImportOptions = T.options, chunkSize: Int = 1 << 16) throws(ImportError) -> [ImportedRecord] {
        var s = try stream(bytes, fileName: fileName, format: format, options: options, chunkSize: chunkSize)
        var out: [ImportedRecord] = []
        while let r = try s.next() { out.append(r) }
        return out
    }

    /// The format RecordStream picks for `text`.
    static func detected(_ text: String, fileName: String = "in.jsonl", options: ImportOptions = T.options) throws(ImportError) -> InputFormat {
        try stream(Array(text.utf8), fileName: fileName, options: options).format
    }

    /// Imports one JSON row with an explicit format (or detection).
    static func one(_ json: String, format: InputFormat = .auto, options: ImportOptions = T.options) throws -> ImportedRecord {
        let all = try importAll(json, format: format, options: options)
        try #require(all.count == 1)
        return all[0]
    }

    /// The ImportError thrown while reading all of `bytes`, or nil when it imports fine.
    static func importError(bytes: [UInt8], fileName: String = "in.jsonl", format: InputFormat = .auto,
                            options: ImportOptions = T.options, chunkSize: Int = 1 << 16) -> ImportError? {
        do {
            _ = try importAll(bytes: bytes, fileName: fileName, format: format, options: options, chunkSize: chunkSize)
            return nil
        } catch {
            return error
        }
    }

    static func importError(_ text: String, fileName: String = "in.jsonl", format: InputFormat = .auto,
                            options: ImportOptions = T.options) -> ImportError? {
        importError(bytes: Array(text.utf8), fileName: fileName, format: format, options: options)
    }

    static func date(_ t: Double) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + t) }

    static func ann(_ id: Int64, task: String? = "t", kind: AnnotatorKind = .human, by who: String = "ann",
                    value: JSONValue? = "pos", status: AnnotationStatus = .submitted, at t: Double,
                    revokes: Int64? = nil) -> Annotation {
        Annotation(id: id, entry: NewAnnotation(itemRowID: 1, task: task, annotatorKind: kind, annotator: who, value: value,
                                                status: status, createdAt: date(t), revokes: revokes))
    }
}

extension Message: CustomTestStringConvertible {
    public var testDescription: String { "\(role): \(content)" }
}
