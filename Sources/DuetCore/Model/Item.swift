/// One turn of a conversation.
public struct Message: Hashable, Sendable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func user(_ s: String) -> Message { Message(role: "user", content: s) }
    public static func assistant(_ s: String) -> Message { Message(role: "assistant", content: s) }
    public static func system(_ s: String) -> Message { Message(role: "system", content: s) }

    public var json: JSONValue { ["role": .string(role), "content": .string(content)] }
}

public typealias Conversation = [Message]

/// What an item is, which decides which tasks can label it.
public enum ItemKind: String, Sendable, Codable, CaseIterable {
    /// A text to classify or rate.
    case text
    /// An instruction → response conversation (SFT data).
    case demonstration
    /// A prompt with two responses.
    case pair
    /// A prompt with N responses (UltraFeedback).
    case ranking
}

/// The content of an item, normalised across formats.
///
/// - text: `text`
/// - demonstration: `messages` (the last assistant turn is the response under review)
/// - pair / ranking: `prompt` plus `responses` (each a list of assistant turns;
///   usually one message, several when a transcript continues after the split)
public struct ItemFields: Hashable, Sendable {
    public var text: String?
    public var messages: Conversation?
    public var prompt: Conversation?
    public var responses: [Conversation]?

    public init(text: String? = nil, messages: Conversation? = nil, prompt: Conversation? = nil, responses: [Conversation]? = nil) {
        self.text = text
        self.messages = messages
        self.prompt = prompt
        self.responses = responses
    }

    public static func text(_ s: String) -> ItemFields { ItemFields(text: s) }

    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let text { o["text"] = .string(text) }
        if let messages { o["messages"] = .array(messages.map(\.json)) }
        if let prompt { o["prompt"] = .array(prompt.map(\.json)) }
        if let responses { o["responses"] = .array(responses.map { .array($0.map(\.json)) }) }
        return .object(o)
    }

    /// Writes `json`'s canonical text; a text item without building the object.
    public func writeJSON(into out: inout [UInt8]) {
        guard let text, messages == nil, prompt == nil, responses == nil else {
            json.write(into: &out)
            return
        }
        out.append(contentsOf: #"{"text":"#.utf8)
        JSONValue.writeString(text, into: &out)
        out.append(0x7D)
    }

    /// Reads fields back from their stored JSON form.
    public init(json: JSONValue) {
        func conv(_ v: JSONValue?) -> Conversation? {
            guard let a = v?.array else { return nil }
            return a.compactMap { m in
                guard let role = m["role"]?.string, let content = m["content"]?.string else { return nil }
                return Message(role: role, content: content)
            }
        }
        // One pass over the members (most items have one, "text"), not a lookup per field.
        for (key, value) in json.object ?? [:] {
            switch key {
            case "text": text = value.string
            case "messages": messages = conv(value)
            case "prompt": prompt = conv(value)
            case "responses": responses = value.array?.compactMap { conv($0) }
            default: break
            }
        }
    }
}

/// An item to label. `uid` is stable: the source's id when it has one,
/// otherwise a hash of the content, so re-importing adds nothing.
public struct Item: Hashable, Sendable {
    public var uid: String
    public var dataset: String
    public var kind: ItemKind
    public var fields: ItemFields
    /// A known-correct label (evaluation only, never shown as a suggestion).
    public var gold: JSONValue?
    /// Everything else the source row carried.
    public var metadata: [String: JSONValue]
    public var sourceLine: Int?
    /// The file it was imported from (`ItemCatalog.sourceFile`), filled where a screen shows it;
    /// nil on items read in bulk.
    public var sourceFile: String?

    public init(uid: String, dataset: String, kind: ItemKind, fields: ItemFields, gold: JSONValue? = nil,
                metadata: [String: JSONValue] = [:], sourceLine: Int? = nil) {
        self.uid = uid
        self.dataset = dataset
        self.kind = kind
        self.fields = fields
        self.gold = gold
        self.metadata = metadata
        self.sourceLine = sourceLine
    }

    /// The content id used when the source gives none: `h` + FNV-1a 128 of the
    /// canonical JSON of kind and fields.
    public static func contentID(kind: ItemKind, fields: ItemFields) -> String {
        let canonical = JSONValue.object(["kind": .string(kind.rawValue), "fields": fields.json]).canonicalJSON
        return "h" + ContentHash.fnv1a128Hex(canonical)
    }
}

/// A stored item: the item plus its row id in the store.
public struct StoredItem: Hashable, Sendable {
    public var rowID: Int64
    public var item: Item
    /// Served by the labeling queue as a honeypot: a gold item of a task with `honeypotRate` above 0,
    /// shown blind (no machine suggestion, no gold). Only `nextItem` sets it.
    public var honeypot: Bool
    public init(rowID: Int64, item: Item, honeypot: Bool = false) {
        self.rowID = rowID
        self.item = item
        self.honeypot = honeypot
    }
}
