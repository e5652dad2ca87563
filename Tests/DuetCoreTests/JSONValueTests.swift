@testable import DuetCore
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func boolIsNotNumber() throws {
        let v = try JSONValue.parse("[true, 1, false, 0, 1.5, -2]")
        #expect(v == [.bool(true), .number(1), .bool(false), .number(0), .number(1.5), .number(-2)])
        #expect(v.array?[0].bool == true)
        #expect(v.array?[1].bool == nil)
        #expect(v.array?[1].number == 1)
        #expect(v.array?[0].number == nil)
        #expect(JSONValue.bool(true) != JSONValue.number(1))
    }

    @Test func boolVsNumberInsideObjects() throws {
        let v = try JSONValue.parse(#"{"t": true, "one": 1, "f": false, "zero": 0}"#)
        #expect(v["t"] == .bool(true))
        #expect(v["one"] == .number(1))
        #expect(v["f"] == .bool(false))
        #expect(v["zero"] == .number(0))
        #expect(v.canonicalJSON == #"{"f":false,"one":1,"t":true,"zero":0}"#)
    }

    @Test func parseScalarsAndNull() throws {
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse(#""s""#) == "s")
        #expect(try JSONValue.parse(#"{"a": null}"#)["a"] == .null)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{\"a\": }") }
    }

    @Test func canonicalJSONSortsKeysRecursively() {
        let v: JSONValue = ["b": ["z": 1, "a": [true, nil]], "a": "x", "C": 2.5]
        #expect(v.canonicalJSON == #"{"C":2.5,"a":"x","b":{"a":[true,null],"z":1}}"#)
    }

    @Test func canonicalJSONEscapes() {
        let s: JSONValue = .string("q\"b\\n\nr\rt\tesc\u{1B}nul\u{0}del\u{7F}ls\u{2028}é🙂")
        #expect(s.canonicalJSON == #""q\"b\\n\nr\rt\tesc\u001bnul\u0000del\u007fls\u2028é🙂""#)
    }

    @Test func canonicalJSONRoundTrips() throws {
        let v: JSONValue = ["k": "line\nbreak \u{1B}[0m \"quoted\"", "n": [1, -0.5, 1e20], "e": [:], "l": []]
        #expect(try JSONValue.parse(v.canonicalJSON) == v)
    }

    @Test(arguments: [
        (JSONValue.number(3), "3"), (.number(-3), "-3"), (.number(2.5), "2.5"), (.number(0), "0"),
        (.number(1e15), "1000000000000000"), (.number(1_234_567_890_123_456), "1234567890123456"), (.bool(false), "false"), (.string("x"), "x"),
    ])
    func scalarText(value: JSONValue, text: String) {
        #expect(value.scalarText == text)
    }

    @Test func scalarTextOfContainersIsNil() {
        #expect(JSONValue.null.scalarText == nil)
        #expect(JSONValue.array([]).scalarText == nil)
        #expect(JSONValue.object([:]).scalarText == nil)
    }

    @Test func typeNames() {
        #expect([JSONValue.null, true, 1, "s", [], [:]].map(\.typeName) == ["null", "boolean", "number", "string", "array", "object"])
    }

    @Test func fnv1a128KnownValues() {
        #expect(ContentHash.fnv1a128Hex("") == "6c62272e07bb014262b821756295c58d")
        #expect(ContentHash.fnv1a128Hex("a") == "d228cb696f1a8caf78912b704e4a8964")
        #expect(ContentHash.fnv1a128Hex("a") != ContentHash.fnv1a128Hex("b"))
        // Longer inputs (many carries between the 64-bit halves), reference
        // values from a big-integer implementation in Python.
        #expect(ContentHash.fnv1a128Hex("foobar") == "343e1662793c64bf6f0d3597ba446f18")
        #expect(ContentHash.fnv1a128Hex("你好 😀 café, a longer string to push carries through many rounds.")
            == "111254ebe4a7e26f9b79377d9f7fef68")
        #expect(ContentHash.fnv1a128Hex("é").count == 32)
    }

    @Test func contentIDHashesCanonicalKindAndFields() {
        let fields = ItemFields(text: "hi")
        let canonical = #"{"fields":{"text":"hi"},"kind":"text"}"#
        #expect(Item.contentID(kind: .text, fields: fields) == "h" + ContentHash.fnv1a128Hex(canonical))
    }

    @Test func itemFieldsJSONRoundTrip() {
        let f = ItemFields(prompt: [.system("s"), .user("u")], responses: [[.assistant("a")], [.assistant("b"), .user("c")]])
        #expect(ItemFields(json: f.json) == f)
        #expect(ItemFields(json: ItemFields.text("t").json) == .text("t"))
    }

    @Test func codableRoundTripKeepsBools() throws {
        let v: JSONValue = ["b": true, "n": 1, "s": "x", "a": [nil, 2.5]]
        let data = try JSONEncoder().encode(v)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
    }
}
