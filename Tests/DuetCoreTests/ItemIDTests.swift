import DuetCore
import Testing

@Suite struct ItemIDTests {
    @Test func theSameIDs() throws {
        let one: [JSONValue] = [1, "1", .number(1.0), .number(1e0)]
        #expect(try Set(one.map { try ItemID.canonical($0, field: "id") }) == ["1"])
        #expect(try ItemID.canonical(.number(-0.0), field: "id") == "0")
        #expect(try ItemID.canonical(.number(-42), field: "id") == "-42")
        #expect(try ItemID.canonical(.number(9_007_199_254_740_991), field: "id") == "9007199254740991")
    }

    @Test func stringsAreExact() throws {
        for s in ["01", " 1", "1.0", "A", "a", "e\u{301}", "é", ""] {
            #expect(try ItemID.canonical(.string(s), field: "id") == s)
        }
    }

    @Test func notIDs() {
        for v: JSONValue in [.number(1.5), .number(9_007_199_254_740_992), .number(-9_007_199_254_740_992), .number(.infinity),
                             true, .null, [1], ["a": 1]] {
            #expect(throws: FieldError.self) { try ItemID.canonical(v, field: "id") }
        }
    }
}
