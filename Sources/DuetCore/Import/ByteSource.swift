import Foundation

/// A stream of bytes read in chunks: a file, a gunzip pipe, or memory in tests.
public protocol ByteSource {
    /// The next chunk, or nil at the end. Chunks are never empty.
    mutating func nextChunk() throws -> [UInt8]?
}

/// Bytes held in memory (tests, small inputs). `chunkSize` lets tests split
/// lines and UTF-8 sequences across chunk boundaries.
public struct MemoryByteSource: ByteSource {
    var bytes: [UInt8]
    var offset = 0
    let chunkSize: Int

    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 16) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public init(_ text: String, chunkSize: Int = 1 << 16) {
        self.init(Array(text.utf8), chunkSize: chunkSize)
    }

    public mutating func nextChunk() throws -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + chunkSize)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// Splits a byte stream into lines with 1-based line numbers. Strips a UTF-8
/// BOM at the start and a trailing CR (CRLF files). Lines can be any length.
public struct LineReader<Source: ByteSource> {
    var source: Source
    var buffer: [UInt8] = []
    var start = 0
    /// Where the newline search resumes (bytes before it hold no newline).
    var scanned = 0
    var atEnd = false
    public private(set) var lineNumber = 0
    var first = true

    public init(_ source: Source) {
        self.source = source
    }

    /// The next line without its terminator, or nil at the end.
    public mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = findNewline() {
                var line = buffer[start..<nl]
                start = nl + 1
                scanned = start
                return finish(&line)
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                var line = buffer[start..<buffer.count]
                start = buffer.count
                scanned = start
                return finish(&line)
            }
            try refill()
        }
    }

    mutating func finish(_ line: inout ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        lineNumber += 1
        if first {
            first = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        }
        if line.last == 0x0D { line = line.dropLast() }
        return line
    }

    mutating func findNewline() -> Int? {
        let from = max(start, scanned)
        guard from < buffer.count else { return nil }
        let found = buffer.withUnsafeBufferPointer { p -> Int? in
            // memchr: the C library's vectorised search.
            guard let base = p.baseAddress, let hit = memchr(base + from, 0x0A, p.count - from) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        if found == nil { scanned = buffer.count }
        return found
    }

    mutating func refill() throws {
        // Drop consumed bytes before appending, so the buffer holds at most
        // one partial line plus one chunk.
        if start > 0 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        if let chunk = try source.nextChunk() {
            buffer.append(contentsOf: chunk)
        } else {
            atEnd = true
        }
    }
}

public enum UTF8Check {
    /// nil when valid, else the 1-based byte column of the first invalid sequence.
    public static func firstInvalidColumn(_ bytes: ArraySlice<UInt8>) -> Int? {
        // Fast path: pure ASCII.
        if bytes.allSatisfy({ $0 < 0x80 }) { return nil }
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        var column = 1
        // Track byte offsets by re-encoding lengths of decoded scalars.
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s):
                consumed += UTF8.width(s)
                column = consumed + 1
            case .emptyInput:
                break loop
            case .error:
                return column
            }
        }
        return nil
    }
}
