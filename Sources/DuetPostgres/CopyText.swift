import DuetStoreAPI
import Foundation
import PostgresNIO

/// Rows in `COPY`'s text format: fields separated by tabs, rows by newlines, `\N` for NULL, and
/// backslash, tab, newline and carriage return escaped with a backslash.
struct CopyText {
    /// How many bytes go to the server at once: small enough that the server inserts a batch's first rows
    /// while the rest are encoded here.
    static let chunk = 1 << 16
    var buffer = ByteBufferAllocator().buffer(capacity: CopyText.chunk + 4096)

    mutating func take() -> ByteBuffer {
        let full = buffer
        buffer = ByteBufferAllocator().buffer(capacity: CopyText.chunk + 4096)
        return full
    }

    mutating func field(_ span: ImportBatch.Span, in bytes: UnsafeBufferPointer<UInt8>, last: Bool = false) {
        if span.isNull { null() } else { escaped(UnsafeBufferPointer(rebasing: bytes[span.start..<span.start + span.count])) }
        end(last)
    }

    mutating func field(_ text: String?, last: Bool = false) {
        if var text { text.withUTF8 { escaped($0) } } else { null() }
        end(last)
    }

    /// A number as `float8` reads it back exactly (Swift's shortest round-trip digits; the infinities and NaN by
    /// PostgreSQL's names).
    mutating func field(number: Double?, last: Bool = false) {
        guard let number else { return field(nil as String?, last: last) }
        let text = number.isNaN ? "NaN" : number == .infinity ? "Infinity" : number == -.infinity ? "-Infinity" : "\(number)"
        field(text, last: last)
    }

    private mutating func null() {
        buffer.writeInteger(UInt8(ascii: "\\"))
        buffer.writeInteger(UInt8(ascii: "N"))
    }

    private mutating func end(_ last: Bool) {
        buffer.writeInteger(last ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
    }

    private mutating func escaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var run = 0
        for i in 0..<bytes.count {
            let escape: UInt8
            switch bytes[i] {
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
            default: continue
            }
            buffer.writeBytes(bytes[run..<i])
            buffer.writeInteger(UInt8(ascii: "\\"))
            buffer.writeInteger(escape)
            run = i + 1
        }
        buffer.writeBytes(bytes[run..<bytes.count])
    }
}

extension PostgresConnection {
    /// `COPY table (columns) FROM STDIN` of `rows`, each written by `encode` (its fields, the last with
    /// `last: true`), sent in chunks of `CopyText.chunk` bytes.
    func copyRows<Rows: Sequence>(into table: String, columns: [String], _ rows: Rows,
                                  _ encode: (inout CopyText, Rows.Element) -> Void) async throws {
        try await copyFrom(table: table, columns: columns, logger: PostgresPool.quiet) { writer in
            var out = CopyText()
            for row in rows {
                encode(&out, row)
                if out.buffer.readableBytes >= CopyText.chunk { try await writer.write(out.take()) }
            }
            if out.buffer.readableBytes > 0 { try await writer.write(out.take()) }
        }
    }
}
