/// Names that become identifiers (datasets, tasks, labels, annotators,
/// people, the project) are checked where they come in, by this one rule:
/// not empty, no space at either end, at most `maxLength` characters, and
/// none of the characters that change what a terminal shows or hide what a
/// name is: C0 and C1 controls and DEL (escape sequences, line breaks,
/// tabs), bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E,
/// U+200F, U+061C), zero-width and invisible characters (U+200B–U+200D,
/// U+2060–U+2064, U+FEFF byte order mark, U+00AD soft hyphen, U+180E) and
/// the line and paragraph separators U+2028, U+2029.
public enum Names {
    public static let maxLength = 128
    /// Labels may be longer: datasets name classes by their definitions ("White Grievance (frustration over …)").
    public static let maxLabelLength = 512

    /// Why `name` cannot be a name (a sentence starting lower case), or nil.
    public static func problem(_ name: String, maxLength: Int = maxLength) -> String? {
        if name.isEmpty { return "is empty" }
        if let bad = name.unicodeScalars.first(where: isForbidden) {
            return "contains \(describe(bad)); names may not contain control, bidirectional or invisible characters"
        }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true { return "starts or ends with a space" }
        if name.count > maxLength { return "is longer than \(maxLength) characters" }
        return nil
    }

    /// Throws `NameError` ("<what> "<name>" <problem>") when `name` is not a name.
    public static func check(_ name: String, as what: String) throws(NameError) {
        if let problem = problem(name) { throw NameError(what: what, name: name, problem: problem) }
    }

    public static func isForbidden(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        case 0x200B...0x200D, 0x2060...0x2064, 0xFEFF, 0x00AD, 0x180E, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `name` with every forbidden character written as `<U+001B>`: safe to print.
    public static func shown(_ name: String) -> String {
        var out = ""
        for s in name.unicodeScalars {
            if isForbidden(s) { out += "<\(hex(s))>" } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    static func describe(_ s: Unicode.Scalar) -> String {
        let kind: String
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: kind = "a control character"
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: kind = "a bidirectional control"
        case 0x2028, 0x2029: kind = "a line separator"
        default: kind = "an invisible character"
        }
        return "\(kind) (\(hex(s)))"
    }

    static func hex(_ s: Unicode.Scalar) -> String {
        let h = String(s.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}

/// A name refused by `Names.check`; the name is shown with its forbidden characters escaped.
public struct NameError: Error, Sendable, Hashable, CustomStringConvertible {
    public var what: String
    public var name: String
    public var problem: String
    public init(what: String, name: String, problem: String) {
        self.what = what
        self.name = name
        self.problem = problem
    }
    public var description: String { "\(what) \"\(Names.shown(name))\" \(problem)" }
}
