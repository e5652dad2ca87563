import DuetCore

extension JSONValue {
    /// A decision value in a few words: a label, a label set joined by ", ", a review's verdict.
    var decisionText: String {
        if let s = scalarText { return s }
        if let a = array { return a.compactMap(\.scalarText).joined(separator: ", ") }
        if let verdict = self["verdict"]?.string {
            return verdict + (self["rating"]?.scalarText.map { " (\($0))" } ?? "") + (self["edited"] != nil ? ", edited" : "")
        }
        return canonicalJSON
    }
}
