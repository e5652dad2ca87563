import Foundation

/// One record read from a file, with the line it starts on.
public struct SourceRow: Sendable {
    public var line: Int
    public var value: JSONValue
}

/// Yields the records of one file, whatever its container (JSONL, a JSON
/// array, CSV, TSV). Errors carry the file name and line.
public protocol RowReader {
    mutating func next() throws(ImportError) -> SourceRow?
    /// The column names read from a header row (CSV, TSV); nil for JSON.
    var columns: [String]? { get }
}

extension RowReader {
    public var columns: [String]? { nil }
}

/// How records sit in a file.
public enum Container: String, Sendable, CaseIterable {
    case jsonl
    case jsonArray = "json"
    case csv
    case tsv
}

// MARK: - JSONL

public struct JSONLRowReader<Source: ByteSource>: RowReader {
    var lines: LineReader<Source>
    let file: String

    public init(_ source: Source, file: String) {
        self.lines = LineReader(source)
        self.file = file
    }

    public mutating func next() throws(ImportError) -> SourceRow? {
        while true {
            let raw: ArraySlice<UInt8>?
            do { raw = try lines.next() } catch { throw ImportError(file: file, line: lines.lineNumber + 1, message: "read failed: \(error)") }
            guard let line = raw else { return nil }
            let n = lines.lineNumber
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            return SourceRow(line: n, value: try RowDecoding.parseRecord(line, file: file, line: n))
        }
    }
}

enum RowDecoding {
    static func parseRecord(_ bytes: ArraySlice<UInt8>, file: String, line: Int) throws(ImportError) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes: bytes)
        } catch {
            // Name a broken UTF-8 sequence as such, wherever it is.
            if let col = UTF8Check.firstInvalidColumn(bytes) {
                throw ImportError(file: file, line: line, message: "invalid UTF-8 at byte \(col)")
            }
            let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 })
            let hint = first != UInt8(ascii: "{") && first != UInt8(ascii: "[") ? " (does the line start with '{'?)" : ""
            throw ImportError(file: file, line: line, message: error.message + hint)
        }
        guard case .object = value else {
            throw ImportError(file: file, line: line, message: "expected a JSON object, got \(value.typeName)")
        }
        return value
    }
}

// MARK: - JSON array, streamed

/// Reads `[ {...}, {...} ]` one element at a time: a byte-level scanner finds
/// where each top-level element ends (tracking strings and nesting), so memory
/// stays at one element however large the file.
public struct JSONArrayRowReader<Source: ByteSource>: RowReader {
    var source: Source
    let file: String
    var chunk: [UInt8] = []
    var pos = 0
    var line = 1
    var state = State.beforeArray

    enum State { case beforeArray, beforeElement, afterElement, done }

    public init(_ source: Source, file: String) {
        self.source = source
        self.file = file
    }

    mutating func byte() throws(ImportError) -> UInt8? {
        if pos >= chunk.count {
            let next: [UInt8]?
            do { next = try source.nextChunk() } catch { throw ImportError(file: file, line: line, message: "read failed: \(error)") }
            guard let c = next else { return nil }
            chunk = c
            pos = 0
        }
        let b = chunk[pos]
        pos += 1
        if b == 0x0A { line += 1 }
        return b
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    mutating func skipSpace() throws(ImportError) -> UInt8? {
        while let b = try byte() {
            if !JSONArrayRowReader.isSpace(b) { return b }
        }
        return nil
    }

    public mutating func next() throws(ImportError) -> SourceRow? {
        switch state {
        case .done:
            return nil
        case .beforeArray:
            try skipBOM()
            guard let b = try skipSpace() else { throw ImportError(file: file, line: 0, message: "empty file") }
            guard b == UInt8(ascii: "[") else {
                throw ImportError(file: file, line: line, message: "expected a JSON array of records ('['), found '\(Character(Unicode.Scalar(b)))'")
            }
            guard let c = try skipSpace() else { throw ImportError(file: file, line: line, message: "unexpected end of file inside the array") }
            if c == UInt8(ascii: "]") {
                try expectEnd()
                return nil
            }
            return try element(startingWith: c)
        case .beforeElement:
            guard let c = try skipSpace() else { throw ImportError(file: file, line: line, message: "unexpected end of file inside the array") }
            return try element(startingWith: c)
        case .afterElement:
            guard let b = try skipSpace() else { throw ImportError(file: file, line: line, message: "unexpected end of file: the array is not closed") }
            if b == UInt8(ascii: "]") {
                try expectEnd()
                return nil
            }
            guard b == UInt8(ascii: ",") else {
                throw ImportError(file: file, line: line, message: "expected ',' or ']' between records")
            }
            state = .beforeElement
            return try next()
        }
    }

    /// Drops a UTF-8 BOM at the start of the file (byte by byte: it may be
    /// split across chunks). Only a whole one: other bytes from 0xEF on are
    /// not a JSON array, and must not be dropped unread.
    mutating func skipBOM() throws(ImportError) {
        guard try peekByte() == 0xEF else { return }
        for expected: UInt8 in [0xEF, 0xBB, 0xBF] {
            guard try byte() == expected else {
                throw ImportError(file: file, line: 1,
                                  message: "expected a JSON array of records ('['), found byte 0xEF (a broken byte order mark?)")
            }
        }
    }

    mutating func expectEnd() throws(ImportError) {
        state = .done
        if try skipSpace() != nil {
            throw ImportError(file: file, line: line, message: "unexpected text after the closing ']'")
        }
    }

    /// Collects one element's bytes: from `c` to the end of its value.
    mutating func element(startingWith c: UInt8) throws(ImportError) -> SourceRow {
        let startLine = line
        var bytes: [UInt8] = [c]
        var depth = 0
        var inString = false
        var escaped = false
        func open(_ b: UInt8) -> Bool { b == UInt8(ascii: "{") || b == UInt8(ascii: "[") }
        func close(_ b: UInt8) -> Bool { b == UInt8(ascii: "}") || b == UInt8(ascii: "]") }
        if c == UInt8(ascii: "\"") { inString = true } else if open(c) { depth = 1 } else {
            // A scalar element: read until a delimiter.
            while let b = try peekByte() {
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || JSONArrayRowReader.isSpace(b) { break }
                bytes.append(try byte()!)
            }
            state = .afterElement
            return SourceRow(line: startLine, value: try RowDecoding.parseRecord(bytes[...], file: file, line: startLine))
        }
        while depth > 0 || inString {
            guard let b = try byte() else {
                throw ImportError(file: file, line: startLine, message: "unexpected end of file inside a record")
            }
            bytes.append(b)
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if open(b) {
                depth += 1
            } else if close(b) {
                depth -= 1
            }
        }
        state = .afterElement
        return SourceRow(line: startLine, value: try RowDecoding.parseRecord(bytes[...], file: file, line: startLine))
    }

    mutating func peekByte() throws(ImportError) -> UInt8? {
        if pos >= chunk.count {
            let next: [UInt8]?
            do { next = try source.nextChunk() } catch { throw ImportError(file: file, line: line, message: "read failed: \(error)") }
            guard let c = next else { return nil }
            chunk = c
            pos = 0
        }
        return chunk[pos]
    }
}

// MARK: - CSV / TSV

/// RFC 4180 CSV (quoted fields may hold separators, quotes as "" and
/// newlines) or TSV (tab-separated, no quoting). The first record is the
/// header; each later record becomes an object of strings keyed by it.
public struct DelimitedRowReader<Source: ByteSource>: RowReader {
    var lines: LineReader<Source>
    let file: String
    let separator: UInt8
    let quoting: Bool
    var header: [String]?
    public var columns: [String]? { header }

    public init(_ source: Source, file: String, tabs: Bool) {
        self.lines = LineReader(source)
        self.file = file
        self.separator = tabs ? 0x09 : UInt8(ascii: ",")
        self.quoting = !tabs
    }

    public mutating func next() throws(ImportError) -> SourceRow? {
        if header == nil {
            guard let (_, h) = try record() else { throw ImportError(file: file, line: 0, message: "empty file (a header row is needed)") }
            let names = h.map { $0.trimmingCharacters(in: .whitespaces) }
            if let dup = Dictionary(grouping: names, by: { $0 }).first(where: { $1.count > 1 })?.key {
                throw ImportError(file: file, line: 1, message: "header repeats the column '\(dup)'")
            }
            if names.contains("") { throw ImportError(file: file, line: 1, message: "header has an empty column name") }
            header = names
        }
        guard let header else { return nil }
        while true {
            guard let (line, fields) = try record() else { return nil }
            if fields.count == 1 && fields[0].isEmpty { continue }
            guard fields.count == header.count else {
                throw ImportError(file: file, line: line, message: "expected \(header.count) fields (as in the header), found \(fields.count)")
            }
            var o: [String: JSONValue] = [:]
            for (k, v) in zip(header, fields) { o[k] = .string(v) }
            return SourceRow(line: line, value: .object(o))
        }
    }

    /// One record; with quoting, a record may span several physical lines.
    mutating func record() throws(ImportError) -> (Int, [String])? {
        guard let first = try nextLine() else { return nil }
        let startLine = lines.lineNumber
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = first
        var i = line.startIndex
        var quotedField = false
        while true {
            if i == line.endIndex {
                if inQuotes {
                    guard let more = try nextLine() else {
                        throw ImportError(file: file, line: startLine, message: "unexpected end of file inside a quoted field")
                    }
                    field.append(0x0A)
                    line = more
                    i = line.startIndex
                    continue
                }
                fields.append(try text(field, startLine))
                return (startLine, fields)
            }
            let b = line[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    let j = line.index(after: i)
                    if j < line.endIndex && line[j] == UInt8(ascii: "\"") {
                        field.append(b)
                        i = line.index(after: j)
                        continue
                    }
                    inQuotes = false
                } else {
                    field.append(b)
                }
            } else if b == separator {
                fields.append(try text(field, startLine))
                field.removeAll(keepingCapacity: true)
                quotedField = false
            } else if quoting && b == UInt8(ascii: "\"") && field.isEmpty && !quotedField {
                inQuotes = true
                quotedField = true
            } else {
                field.append(b)
            }
            i = line.index(after: i)
        }
    }

    mutating func nextLine() throws(ImportError) -> ArraySlice<UInt8>? {
        do { return try lines.next() } catch { throw ImportError(file: file, line: lines.lineNumber + 1, message: "read failed: \(error)") }
    }

    func text(_ bytes: [UInt8], _ line: Int) throws(ImportError) -> String {
        if let col = UTF8Check.firstInvalidColumn(bytes[...]) {
            throw ImportError(file: file, line: line, message: "invalid UTF-8 in a field (byte \(col) of the field)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
