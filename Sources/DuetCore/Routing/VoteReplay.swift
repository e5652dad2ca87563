/// Replayed machine votes: JSONL lines
/// `{"item", "annotator", "variant", "label", "confidence"}` (label null =
/// unparseable), as produced by a batch run elsewhere. Multilabel votes name the label they are about
/// in the variant ("question@toxic", label "yes"/"no"); ranking votes are orders ("2>0>1").
public enum VoteReplay {
    public struct Row: Sendable, Hashable {
        /// The item's id (uid) in its dataset.
        public var item: String
        public var vote: MachineVote
        public var line: Int
        public init(item: String, vote: MachineVote, line: Int) {
            self.item = item
            self.vote = vote
            self.line = line
        }
    }

    /// Reads every line; any bad line → an `ImportError` naming file and line. A label outside `labels`
    /// (when given) is an unparseable answer.
    public static func read<Source: ByteSource>(_ source: Source, file: String, labels: [String]) throws(ImportError) -> [Row] {
        let allowed = Set(labels)
        return try read(source, file: file) { label, _ in allowed.isEmpty || allowed.contains(label) }
    }

    /// The votes of a task: a label the task's votes cannot hold (`TaskSpec.acceptsVote`) is an unparseable answer.
    public static func read<Source: ByteSource>(_ source: Source, file: String, task: TaskSpec) throws(ImportError) -> [Row] {
        try read(source, file: file) { task.acceptsVote(label: $0, variant: $1) }
    }

    static func read<Source: ByteSource>(_ source: Source, file: String, accepts: (_ label: String, _ variant: String) -> Bool) throws(ImportError) -> [Row] {
        var reader = JSONLRowReader(source, file: file)
        var rows: [Row] = []
        while let row = try reader.next() {
            func fail(_ m: String) -> ImportError { ImportError(file: file, line: row.line, message: m) }
            guard let item = row.value["item"]?.scalarText, !item.isEmpty else { throw fail("missing field 'item'") }
            guard let annotator = row.value["annotator"]?.string, !annotator.isEmpty else { throw fail("missing field 'annotator'") }
            let variant = row.value["variant"]?.scalarText ?? "default"
            var label: String?
            switch row.value["label"] {
            case nil, .null?: label = nil
            case let v?:
                guard let s = v.scalarText else { throw fail("field 'label': expected a string or null, got \(v.typeName)") }
                // A label outside the task's labels is an unparseable answer, kept as raw text.
                label = accepts(s, variant) ? s : nil
            }
            var confidence: Double?
            if let c = row.value["confidence"], !c.isNull {
                guard let n = c.number, (0...1).contains(n) else { throw fail("field 'confidence': expected a number from 0 to 1") }
                confidence = n
            }
            let raw = row.value["raw"]?.string ?? (label == nil ? row.value["label"]?.scalarText : nil)
            rows.append(Row(item: item, vote: MachineVote(annotator: annotator, variant: variant, label: label, confidence: confidence, raw: raw),
                            line: row.line))
        }
        return rows
    }
}
