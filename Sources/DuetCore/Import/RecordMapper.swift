/// Maps one source row to an item (and the source's own annotations) for a
/// given schema. Pure: no I/O, errors name the field.
public enum RecordMapper {
    public static func map(_ value: JSONValue, format: InputFormat, options: ImportOptions, line: Int) throws(FieldError) -> ImportedRecord {
        guard let object = value.object else { throw FieldError("expected a JSON object, got \(value.typeName)") }
        var row = FieldReader(object)
        var record: ImportedRecord
        switch format {
        case .auto:
            throw FieldError("format not chosen")
        case .jsonl, .json, .csv, .tsv:
            record = try ClassificationRows.map(&row, options: options)
        case .prodigy:
            record = try ClassificationRows.mapProdigy(&row, options: options)
        case .argilla:
            record = try ClassificationRows.mapArgilla(&row, options: options)
        case .alpaca:
            record = try Demonstrations.mapAlpaca(&row, options: options)
        case .sharegpt:
            record = try Demonstrations.mapShareGPT(&row, options: options)
        case .messages:
            record = try Demonstrations.mapMessages(&row, options: options)
        case .trl:
            record = try Demonstrations.mapTRL(&row, options: options)
        case .dpo:
            record = try Preferences.mapDPO(&row, options: options)
        case .hhRLHF:
            record = try Preferences.mapHH(&row, options: options)
        case .ultrafeedback:
            record = try Preferences.mapUltraFeedback(&row, options: options)
        case .openaiPreference:
            record = try Preferences.mapOpenAIPreference(&row, options: options)
        case .labelStudio:
            record = try Preferences.mapLabelStudio(&row, options: options)
        case .duet:
            record = try mapDuet(&row, options: options)
        }
        record.item.sourceLine = line
        return record
    }

    /// The item's uid: `--id-field` (required to be present when given),
    /// else `id`, else the fallbacks, else a content hash. Ids are read by
    /// `ItemID.canonical` (when two ids are the same).
    static func uid(_ row: inout FieldReader, options: ImportOptions, fallbacks: [String] = [], kind: ItemKind, fields: ItemFields) throws(FieldError) -> String {
        if let f = options.idField {
            guard let id = try row.id(f) else { throw row.missing(f) }
            return id
        }
        if row.has("id"), let id = try row.id("id"), !id.isEmpty { return id }
        for key in fallbacks where row.has(key) {
            if let id = try row.id(key), !id.isEmpty { return id }
        }
        return Item.contentID(kind: kind, fields: fields)
    }

    static func item(_ row: inout FieldReader, options: ImportOptions, kind: ItemKind, fields: ItemFields,
                     gold: JSONValue? = nil, idFallbacks: [String] = []) throws(FieldError) -> Item {
        let uid = try uid(&row, options: options, fallbacks: idFallbacks, kind: kind, fields: fields)
        return Item(uid: uid, dataset: options.dataset, kind: kind, fields: fields, gold: gold, metadata: row.rest)
    }

    /// Duet's own JSONL export read back: the item as it was, its exported
    /// decision (if any) as the source's annotation.
    static func mapDuet(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        let kindName = try row.string("kind")
        guard let kind = ItemKind(rawValue: kindName) else {
            throw FieldError("field 'kind': '\(kindName)' is not one of \(ItemKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var o: [String: JSONValue] = [:]
        for key in ["text", "messages", "prompt", "responses"] { o[key] = row.value(key) }
        let fields = ItemFields(json: .object(o))
        switch kind {
        case .text where fields.text == nil: throw row.missing("text")
        case .demonstration where fields.messages == nil: throw row.missing("messages")
        case .pair, .ranking:
            guard let r = fields.responses, r.count >= 2 else { throw FieldError("field 'responses': expected a list of at least 2 responses") }
        default: break
        }
        row.markUsed("dataset", "annotation", "annotations")
        var gold: JSONValue?
        if let g = row.value("gold") { gold = g }
        var meta: [String: JSONValue] = [:]
        if let m = row.value("meta") {
            guard let mo = m.object else { throw .type("meta", expected: "an object", got: m) }
            meta = mo
        }
        let label = row.value("label")
        var item = try RecordMapper.item(&row, options: options, kind: kind, fields: fields, gold: gold)
        item.metadata.merge(meta) { a, _ in a }
        return ImportedRecord(item: item, sourceAnnotations: label.map { [SourceAnnotation(value: $0)] } ?? [])
    }

    /// Gold or label values: a scalar becomes a string; a list of scalars a list.
    static func labelValue(_ v: JSONValue, field: String) throws(FieldError) -> JSONValue {
        if let s = v.scalarText { return .string(s) }
        if let a = v.array {
            var out: [JSONValue] = []
            for (i, e) in a.enumerated() {
                guard let s = e.scalarText else { throw .type("\(field)[\(i)]", expected: "a label", got: e) }
                out.append(.string(s))
            }
            return .array(out)
        }
        throw .type(field, expected: "a label or a list of labels", got: v)
    }
}

// MARK: - Classification rows

public enum ClassificationRows {
    public static let defaultTextFields = ["text", "content", "sentence"]

    static func textField(_ row: FieldReader, options: ImportOptions) -> String {
        options.textField ?? defaultTextFields.first(where: row.has) ?? "text"
    }

    static func map(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        let text = try row.string(textField(row, options: options))
        var gold: JSONValue?
        let goldField = options.goldField ?? "gold"
        if let g = row.value(goldField), !(g.string?.isEmpty ?? false) {
            gold = try RecordMapper.labelValue(g, field: goldField)
        }
        var annotations: [SourceAnnotation] = []
        // A `label` the user did not name as gold is the source's annotation
        // (doccano exports, for instance), not truth.
        if options.goldField != "label", let l = row.value("label"), !(l.string?.isEmpty ?? false) {
            annotations.append(SourceAnnotation(value: try RecordMapper.labelValue(l, field: "label")))
        }
        let item = try RecordMapper.item(&row, options: options, kind: .text, fields: .text(text), gold: gold)
        return ImportedRecord(item: item, sourceAnnotations: annotations)
    }

    /// Prodigy `db-out`: `text`, `answer` (accept/reject/ignore), `accept`
    /// (chosen option ids), `label`; `_input_hash` identifies the input.
    static func mapProdigy(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        let text = try row.string(textField(row, options: options))
        let answer = try row.optionalString("answer")
        if let answer, !["accept", "reject", "ignore"].contains(answer) {
            throw FieldError("field 'answer': expected accept, reject or ignore, got '\(answer)'")
        }
        var value: JSONValue?
        if let accept = row.value("accept") {
            value = try RecordMapper.labelValue(accept, field: "accept")
        } else if let label = try row.scalar("label") {
            value = ["label": .string(label), "answer": .string(answer ?? "accept")]
        }
        var annotations: [SourceAnnotation] = []
        if let value, answer != "ignore" {
            let who = try row.scalar("_annotator_id")
            annotations.append(SourceAnnotation(value: value, note: who.map { "prodigy annotator \($0)" }))
        }
        let item = try RecordMapper.item(&row, options: options, kind: .text, fields: .text(text), idFallbacks: ["_input_hash"])
        return ImportedRecord(item: item, sourceAnnotations: annotations)
    }

    /// Argilla records: text in `fields`, people's answers in `responses`.
    static func mapArgilla(_ row: inout FieldReader, options: ImportOptions) throws(FieldError) -> ImportedRecord {
        guard let fieldsValue = row.value("fields") else { throw row.missing("fields") }
        guard let fields = fieldsValue.object else { throw .type("fields", expected: "an object", got: fieldsValue) }
        let name = options.textField ?? (fields["text"] != nil ? "text" : fields.keys.sorted().first(where: { fields[$0]?.string != nil }))
        guard let name, let tv = fields[name] else { throw FieldReader(fields).missing("fields.\(options.textField ?? "text")", within: "'fields'") }
        guard let text = tv.string else { throw .type("fields.\(name)", expected: "a string", got: tv) }
        var annotations: [SourceAnnotation] = []
        if let responses = row.value("responses") {
            guard let list = responses.array else { throw .type("responses", expected: "an array", got: responses) }
            for (i, r) in list.enumerated() {
                guard let o = r.object else { throw .type("responses[\(i)]", expected: "an object", got: r) }
                if let status = o["status"]?.string, status != "submitted" { continue }
                guard let v = o["value"], !v.isNull else { continue }
                let who = o["user_id"]?.scalarText
                annotations.append(SourceAnnotation(value: v, note: who.map { "argilla user \($0)" }))
            }
        }
        let item = try RecordMapper.item(&row, options: options, kind: .text, fields: .text(text))
        return ImportedRecord(item: item, sourceAnnotations: annotations)
    }
}
