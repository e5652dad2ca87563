import Testing
import TermUI

/// The wrap cache: what a fresh wrap gives, per text, width, style and indent.
@Suite struct WrapCacheTests {
    /// The cache gives what a fresh wrap gives, and a new width is a new wrap.
    @Test func cachedWrapMatchesAFreshOneAndFollowsTheWidth() {
        let cache = WrapCache(capacity: 4, maxBytes: 1 << 20)
        let text = (0..<3000).map { "w\($0 % 17)" }.joined(separator: " ")
        let style = Style(attributes: [.dim])
        let fresh40 = Wrap.lines(text, width: 40).map { StyledLine($0, style) }
        #expect(cache.wrapped(text, width: 40, style: style) == fresh40)
        #expect(cache.wrapped(text, width: 40, style: style) == fresh40)
        #expect(cache.hits == 1 && cache.misses == 1)
        let fresh33 = Wrap.lines(text, width: 33).map { StyledLine($0, style) }
        #expect(cache.wrapped(text, width: 33, style: style) == fresh33)
        #expect(cache.misses == 2)
        // Another text of the same length and the same width is not served from the cache.
        let other = String(text.reversed())
        #expect(cache.wrapped(other, width: 40, style: style) == Wrap.lines(other, width: 40).map { StyledLine($0, style) })
        #expect(cache.misses == 3)
        // Another style or indent is another entry.
        #expect(cache.wrapped(text, width: 40, style: .plain, indent: "  ") == Wrap.lines(text, width: 38).map { StyledLine("  " + $0, .plain) })
        #expect(cache.misses == 4)
        // Beyond capacity the oldest goes.
        _ = cache.wrapped("x", width: 5, style: style)
        #expect(cache.count <= 4)
        // An entry bigger than the byte budget is not kept, but still right.
        let small = WrapCache(capacity: 4, maxBytes: 100)
        #expect(small.wrapped(text, width: 40, style: style) == fresh40)
        #expect(small.count == 0)
    }
}
