import Foundation

/// A JSON value as read from a dataset.
///
/// Field values in datasets are untrusted and loosely typed; importers read
/// them through `JSONValue` so that every type mismatch can be reported with
/// the field's name instead of crashing on a cast.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var number: Double? { if case .number(let n) = self { return n } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public subscript(key: String) -> JSONValue? { object?[key] }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Scalars as text (numbers without a trailing ".0" when integral); nil for containers and null.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return JSONValue.format(n)
        default: return nil
        }
    }

    static func format(_ n: Double) -> String {
        // Integral values print as integers (ids, counts), up to Int64's range.
        if n.rounded() == n, abs(n) < 9.2e18 { return String(Int64(n)) }
        return String(n)
    }
}

// MARK: - Parsing and serialising

public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension JSONValue {
    /// Parses one JSON document (strict RFC 8259, UTF-8).
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes: [UInt8](data)[...])
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { p in Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(p) } }
        return try result.get()
    }

    public static func parse(bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (p) throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(p) }
    }

    /// Parses with Foundation's `JSONSerialization`; kept as the reference
    /// the tests compare `JSONParser` against.
    public static func parseWithFoundation(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        let any: Any
        do {
            any = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw JSONSyntaxError(message: "invalid JSON (\(JSONValue.describe(error)))")
        }
        return JSONValue(any: any)
    }

    init(any: Any) {
        switch any {
        case let s as String: self = .string(s)
        case let d as [String: Any]: self = .object(d.mapValues { JSONValue(any: $0) })
        case let a as [Any]: self = .array(a.map { JSONValue(any: $0) })
        case is NSNull: self = .null
        case let n as NSNumber:
            // Foundation represents booleans as NSNumber too; objCType "c" marks them.
            self = JSONValue.isBoolNumber(n) ? .bool(n.boolValue) : .number(n.doubleValue)
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .number(Double(i))
        case let d as Double: self = .number(d)
        default: self = .null
        }
    }

    static func isBoolNumber(_ n: NSNumber) -> Bool {
        // objCType "c" (char) is how Foundation marks booleans.
        String(cString: n.objCType) == "c"
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo["NSDebugDescription"] as? String { return detail }
        return ns.localizedDescription
    }

    /// Canonical, compact JSON text: object keys sorted, no insignificant
    /// whitespace. Stable across runs, so it can be hashed for content ids.
    public var canonicalJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the canonical text as UTF-8 bytes (bytes, not String appends:
    /// exports write one object per item and this was most of their time).
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: JSONValue.format(n).utf8)
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let a):
            out.append(0x5B)
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(0x2C) }
                v.write(into: &out)
            }
            out.append(0x5D)
        case .object(let o):
            out.append(0x7B)
            // The members' indexes sorted by key, on the stack for small objects: no copies of the members.
            withUnsafeTemporaryAllocation(of: [String: JSONValue].Index.self, capacity: o.count) { buffer in
                var order = buffer
                _ = order.initialize(from: o.indices)
                order.sort { o.keys[$0] < o.keys[$1] }
                for (n, i) in order.enumerated() {
                    if n > 0 { out.append(0x2C) }
                    JSONValue.writeString(o.keys[i], into: &out)
                    out.append(0x3A)
                    o.values[i].write(into: &out)
                }
                order.deinitialize()
            }
            out.append(0x7D)
        }
    }

    /// True when `s` holds a character JSON (or a terminal) needs escaped.
    static func needsEscaping(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { needsEscaping($0) }
    }

    /// True when the UTF-8 text holds a character JSON (or a terminal) needs
    /// escaped: quote, backslash, C0, DEL, C1 (C2 80–9F), U+2028/U+2029 (E2 80 A8/A9).
    static func needsEscaping(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        // Eight ASCII bytes at a time; the first word with a byte of
        // 0x80 or above goes to the byte loop (the bytes before it are
        // ASCII, so no multi-byte sequence starts before it).
        var i = 0
        while i + 8 <= buf.count {
            let w = ByteWord.load(buf, at: i)
            if ByteWord.hasNonASCII(w) { break }
            if !ByteWord.isPlainText(w) || ByteWord.has(w, 0x7F) { return true }
            i += 8
        }
        let n = buf.count
        while i < n {
            let b = buf[i]
            if b >= 0x20 && b < 0x7F {
                if b == 0x22 || b == 0x5C { return true }
            } else if b < 0x80 {
                return true
            } else if b == 0xC2 {
                if i + 1 < n && buf[i + 1] <= 0x9F { return true }
            } else if b == 0xE2 {
                if i + 2 < n && buf[i + 1] == 0x80 && (buf[i + 2] == 0xA8 || buf[i + 2] == 0xA9) { return true }
            }
            i += 1
        }
        return false
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s  // withUTF8 needs a var; a native string is not copied
        let plain = s.withUTF8 { utf8 in
            guard !needsEscaping(utf8) else { return false }
            out.append(0x22)
            out.append(contentsOf: utf8)
            out.append(0x22)
            return true
        }
        if plain { return }
        out.append(0x22)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: [0x5C, 0x22])
            case "\\": out.append(contentsOf: [0x5C, 0x5C])
            case "\n": out.append(contentsOf: [0x5C, 0x6E])
            case "\r": out.append(contentsOf: [0x5C, 0x72])
            case "\t": out.append(contentsOf: [0x5C, 0x74])
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        out.append(0x22)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
