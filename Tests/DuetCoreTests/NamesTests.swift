import DuetCore
import Testing

@Suite struct NamesTests {
    @Test func goodNames() {
        for name in ["reviews", "hh-rlhf test", "café", "日本語", "a.b_c", "😀", String(repeating: "x", count: 128)] {
            #expect(Names.problem(name) == nil, "\(name)")
        }
    }

    @Test func everyForbiddenClass() {
        let bad: [Unicode.Scalar] = [
            "\u{0}", "\u{1B}", "\u{A}", "\u{D}", "\u{9}", "\u{7F}", "\u{80}", "\u{9B}", "\u{9F}",
            "\u{202A}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{61C}",
            "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{AD}", "\u{2028}", "\u{2029}",
        ]
        for s in bad {
            let name = "a" + String(Character(s)) + "b"
            #expect(Names.problem(name) != nil, "U+\(String(s.value, radix: 16))")
            #expect(!Names.shown(name).unicodeScalars.contains(where: Names.isForbidden))
        }
    }

    @Test func emptySpacesAndLength() {
        #expect(Names.problem("") == "is empty")
        #expect(Names.problem(" a") == "starts or ends with a space")
        #expect(Names.problem("a ") == "starts or ends with a space")
        #expect(Names.problem(String(repeating: "x", count: 129)) == "is longer than 128 characters")
        #expect(NameError(what: "label", name: "x\u{1B}", problem: "p").description == "label \"x<U+001B>\" p")
    }
}
