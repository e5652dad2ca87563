import Testing
@Test func placeholderCurses() { #expect(Bool(true)) }
