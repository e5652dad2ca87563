/// A source row being mapped to an item. Reads are typed and record which
/// keys were used, so everything else can be kept as metadata.
struct FieldReader {
    public let object: [String: JSONValue]
    /// Keys read so far; a handful per row, so an array beats a Set.
    private(set) var used: [String] = []

    public init(_ object: [String: JSONValue]) {
        self.object = object
        used.reserveCapacity(8)
    }

    public var keys: Set<String> { Set(object.keys) }

    public func has(_ key: String) -> Bool {
        guard let v = object[key] else { return false }
        return !v.isNull
    }

    public mutating func value(_ key: String) -> JSONValue? {
        if !used.contains(key) { used.append(key) }
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// A missing field, naming the fields the row has (a misspelt
    /// --text-field or --id-field shows at once).
    public func missing(_ key: String, within: String = "the row") -> FieldError {
        if object[key]?.isNull == true { return FieldError("missing field '\(key)' (it is null)") }
        let present = object.keys.sorted()
        let shown = present.prefix(12).map { "'\(Names.shown($0))'" }.joined(separator: ", ") + (present.count > 12 ? ", …" : "")
        return FieldError("missing field '\(key)'" + (present.isEmpty ? " (\(within) has no fields)" : " (\(within) has \(shown))"))
    }

    public mutating func string(_ key: String) throws(FieldError) -> String {
        guard let v = value(key) else { throw missing(key) }
        guard let s = v.string else { throw .type(key, expected: "a string", got: v) }
        return s
    }

    public mutating func optionalString(_ key: String) throws(FieldError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw .type(key, expected: "a string", got: v) }
        return s
    }

    /// A string, or a number/boolean written as text (CSV cells, numeric ids).
    public mutating func scalar(_ key: String) throws(FieldError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.scalarText else { throw .type(key, expected: "a string or number", got: v) }
        return s
    }

    /// An item id (see `ItemID`).
    public mutating func id(_ key: String) throws(FieldError) -> String? {
        guard let v = value(key) else { return nil }
        return try ItemID.canonical(v, field: key)
    }

    public mutating func array(_ key: String) throws(FieldError) -> [JSONValue] {
        guard let v = value(key) else { throw missing(key) }
        guard let a = v.array else { throw .type(key, expected: "an array", got: v) }
        return a
    }

    public mutating func markUsed(_ keys: String...) {
        for k in keys where !used.contains(k) { used.append(k) }
    }

    /// Keys not read by the mapper.
    public var rest: [String: JSONValue] {
        // Usually every key was read: compare the few names, no hashing.
        if object.keys.allSatisfy({ used.contains($0) }) { return [:] }
        return object.filter { !used.contains($0.key) }
    }
}

/// Helpers for the chat shapes that formats share.
enum Chat {
    /// A message list `[{"role", "content"}]`. `content` may be a string or a
    /// list of parts (`[{"type": "text", "text": ...}]`, as OpenAI allows).
    static func messages(_ v: JSONValue, field: String, roleKey: String = "role", contentKey: String = "content",
                         roleMap: [String: String] = [:]) throws(FieldError) -> Conversation {
        guard let a = v.array else { throw .type(field, expected: "a list of messages", got: v) }
        var out: Conversation = []
        out.reserveCapacity(a.count)
        for (i, m) in a.enumerated() {
            let where_ = "\(field)[\(i)]"
            guard let o = m.object else { throw .type(where_, expected: "a message object", got: m) }
            guard let rv = o[roleKey] else { throw .missing("\(where_).\(roleKey)") }
            guard let role = rv.string else { throw .type("\(where_).\(roleKey)", expected: "a string", got: rv) }
            let content = try text(o[contentKey], field: "\(where_).\(contentKey)")
            out.append(Message(role: roleMap[role] ?? role, content: content))
        }
        return out
    }

    static func text(_ v: JSONValue?, field: String) throws(FieldError) -> String {
        guard let v, !v.isNull else {
            // Assistant turns with only tool calls have no content.
            return ""
        }
        if let s = v.string { return s }
        if let parts = v.array {
            var pieces: [String] = []
            for p in parts {
                if let s = p.string { pieces.append(s) } else if let t = p["text"]?.string { pieces.append(t) }
            }
            return pieces.joined(separator: "\n")
        }
        throw .type(field, expected: "a string or a list of text parts", got: v)
    }

    /// A string becomes one message of `role`; a list is read as messages.
    static func turns(_ v: JSONValue, field: String, role: String) throws(FieldError) -> Conversation {
        if let s = v.string { return [Message(role: role, content: s)] }
        if v.array != nil { return try messages(v, field: field) }
        throw .type(field, expected: "a string or a list of messages", got: v)
    }

    /// Splits chosen/rejected conversations at their longest common prefix of
    /// whole messages: the prefix joins the prompt, the rest are the responses.
    static func splitPair(prompt: Conversation, chosen: Conversation, rejected: Conversation)
        -> (prompt: Conversation, chosen: Conversation, rejected: Conversation)
    {
        var k = 0
        while k < chosen.count - 1 && k < rejected.count - 1 && chosen[k] == rejected[k] { k += 1 }
        // Never leave a response empty; only split before an assistant turn.
        while k > 0 && chosen[k].role != "assistant" { k -= 1 }
        if k == 0 { return (prompt, chosen, rejected) }
        let common = Array(chosen[0..<k])
        let merged: Conversation
        if common.starts(with: prompt) {
            merged = common
        } else if prompt.count == 1, common.first?.role == "user", common.first?.content == prompt[0].content {
            merged = common
        } else {
            merged = prompt + common
        }
        return (merged, Array(chosen[k...]), Array(rejected[k...]))
    }
}
