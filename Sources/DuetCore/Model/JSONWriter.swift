import Foundation

/// Canonical JSON (the text of `JSONValue.canonicalJSON`) written straight
/// into bytes by code that knows the keys of the objects it writes: members
/// are given in sorted key order by the caller, so nothing is built, hashed or
/// sorted per object. Values that come from data (labels, metadata, votes) are
/// written by `JSONValue`, which sorts their keys. Debug builds check the
/// order of every object's keys.
struct JSONWriter: Sendable {
    var bytes: [UInt8]
    /// Whether the innermost open container has no element yet.
    private var empty = true
    #if DEBUG
    /// The last key of each open object (nil before the first key).
    private var keys: [String?] = []
    #endif

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        bytes.append(0x7B)
        empty = true
        #if DEBUG
        keys.append(nil)
        #endif
    }

    mutating func endObject() {
        bytes.append(0x7D)
        empty = false
        #if DEBUG
        keys.removeLast()
        #endif
    }

    mutating func beginArray() {
        bytes.append(0x5B)
        empty = true
    }

    mutating func endArray() {
        bytes.append(0x5D)
        empty = false
    }

    /// Before each element of an array.
    mutating func element() {
        if !empty { bytes.append(0x2C) }
        empty = false
    }

    /// A member's key (ASCII, nothing to escape); its value is written next.
    mutating func key(_ k: StaticString) {
        checkOrder(k.description)
        element()
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// A member's key from data.
    mutating func key(data k: String) {
        checkOrder(k)
        element()
        JSONValue.writeString(k, into: &bytes)
        bytes.append(0x3A)
    }

    @inline(__always) private mutating func checkOrder(_ k: @autoclosure () -> String) {
        #if DEBUG
        let k = k()
        if let last = keys[keys.count - 1] { precondition(last < k, "JSONWriter: key \"\(k)\" after \"\(last)\"") }
        keys[keys.count - 1] = k
        #endif
    }

    mutating func string(_ s: String) { JSONValue.writeString(s, into: &bytes) }
    mutating func number(_ n: Double) { bytes.append(contentsOf: JSONValue.format(n).utf8) }
    mutating func bool(_ b: Bool) { bytes.append(contentsOf: (b ? "true" : "false").utf8) }
    mutating func value(_ v: JSONValue) { v.write(into: &bytes) }

    /// A message as `Message.json` writes it.
    mutating func message(_ m: Message) {
        beginObject()
        key("content")
        string(m.content)
        key("role")
        string(m.role)
        endObject()
    }

    mutating func conversation(_ c: Conversation) {
        beginArray()
        for m in c {
            element()
            message(m)
        }
        endArray()
    }

    /// The text written so far.
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
