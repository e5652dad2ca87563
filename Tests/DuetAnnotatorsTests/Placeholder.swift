import Testing
@Test func annotatorsModuleBuilds() { #expect(Bool(true)) }
