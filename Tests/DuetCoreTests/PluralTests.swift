import DuetCore
import Testing

@Suite struct PluralTests {
    @Test func oneIsSingularEverythingElsePlural() {
        #expect(Plural.count(1, "task") == "1 task")
        #expect(Plural.count(0, "row") == "0 rows")
        #expect(Plural.count(2, "item") == "2 items")
    }
}
