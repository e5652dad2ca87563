import Foundation

/// Wrapped lines kept for reuse, so a long text is wrapped once per width
/// rather than on every frame and every key (a 5 MB item took seconds per
/// scroll key when each key wrapped it again).
///
/// An entry is found by its texts, width and a tag (style, indent, what the
/// caller's `make` depends on besides the texts). Texts are compared, not
/// hashed: a text held by the state compares by identity in O(1), and a
/// different text of another length fails at once. A new width, style or
/// text is a new entry; the least recently used entries go first, and the
/// entries' texts together stay under `maxBytes`.
public final class WrapCache: @unchecked Sendable {
    /// The cache the screens share.
    public static let shared = WrapCache(capacity: 32, maxBytes: 16 << 20)

    struct Entry {
        var texts: [String]
        var width: Int
        var tag: AnyHashable
        var lines: [StyledLine]
        var bytes: Int
    }

    let capacity: Int
    let maxBytes: Int
    private let lock = NSLock()
    /// Most recently used last.
    private var entries: [Entry] = []
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int, maxBytes: Int) {
        self.capacity = max(1, capacity)
        self.maxBytes = maxBytes
    }

    public var count: Int { lock.withLock { entries.count } }

    /// The lines `make` gives for `texts` at `width`, from the cache when it has them.
    public func lines(for texts: [String], width: Int, tag: AnyHashable, make: () -> [StyledLine]) -> [StyledLine] {
        if let found = lock.withLock({ () -> [StyledLine]? in
            guard let i = entries.lastIndex(where: { $0.width == width && $0.tag == tag && $0.texts == texts }) else {
                misses += 1
                return nil
            }
            hits += 1
            let e = entries.remove(at: i)
            entries.append(e)
            return e.lines
        }) {
            return found
        }
        let lines = make()
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        guard bytes <= maxBytes else { return lines }
        lock.withLock {
            entries.append(Entry(texts: texts, width: width, tag: tag, lines: lines, bytes: bytes))
            var total = entries.reduce(0) { $0 + $1.bytes }
            while entries.count > capacity || total > maxBytes {
                total -= entries.removeFirst().bytes
            }
        }
        return lines
    }

    /// `text` wrapped to `width` columns in `style`, each line after `indent`.
    public func wrapped(_ text: String, width: Int, style: Style, indent: String = "") -> [StyledLine] {
        lines(for: [text], width: width, tag: WrappedTag(style: style, indent: indent)) {
            let w = max(1, width - DisplayWidth.of(indent))
            return Wrap.lines(text, width: w).map { StyledLine(indent + $0, style) }
        }
    }

    struct WrappedTag: Hashable {
        var style: Style
        var indent: String
    }
}
