import Foundation

/// Where each key of a TOML text is written (TOMLKit gives no positions for
/// keys): "router.budget" → its line, "tasks[1].overlap" → the line in the
/// second `[[tasks]]`, a table ("bogus", "tasks[1]") → its header's line.
/// Reads the text line by line: headers, `key =` lines (bare, quoted or
/// dotted keys) and multi-line strings, whose lines are skipped.
struct ConfigLines {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var inString: String?
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let delimiter = inString {
                if line.contains(delimiter) { inString = nil }
                continue
            }
            if line.hasPrefix("[[") {
                let name = Self.key(String(line.dropFirst(2).prefix { $0 != "]" }))
                let i = arrayCounts[name, default: 0]
                arrayCounts[name] = i + 1
                table = "\(name)[\(i)]"
                note(name, n + 1)
                note(table, n + 1)
            } else if line.hasPrefix("[") {
                table = Self.key(String(line.dropFirst().prefix { $0 != "]" }))
                note(table, n + 1)
            } else if let eq = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = Self.key(String(line[..<eq]))
                guard !key.isEmpty else { continue }
                note(table.isEmpty ? key : "\(table).\(key)", n + 1)
                let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                for delimiter in ["\"\"\"", "\'\'\'"] where value.hasPrefix(delimiter) && !value.dropFirst(3).contains(delimiter) {
                    inString = delimiter
                }
            }
        }
    }

    /// A key or dotted key without quotes and spaces: `"a" . b` → `a.b`.
    private static func key(_ s: String) -> String {
        s.split(separator: ".").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
            .joined(separator: ".")
    }

    private mutating func note(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    /// The line of `path`, or of the nearest enclosing key or table written out.
    func line(of path: String) -> Int? {
        var p = Substring(path)
        while !p.isEmpty {
            if let n = lines[String(p)] { return n }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = p[..<cut]
        }
        return nil
    }

    /// `file:line` for `path`, or `file` when it is not written out.
    func place(of path: String, in file: String) -> String {
        line(of: path).map { "\(file):\($0)" } ?? file
    }
}
