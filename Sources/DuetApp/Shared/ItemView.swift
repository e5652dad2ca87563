import DuetCore
import TermUI

/// An item's content as wrapped, styled lines: each field under its name,
/// conversations turn by turn with their roles.
public enum ItemView {
    /// Built once per item, edit, width and theme (`WrapCache`): scrolling and
    /// every frame after the first reuse the lines.
    public static func lines(_ item: StoredItem, task: TaskSpec, edited: String?, width: Int, theme: Theme) -> [StyledLine] {
        let f = item.item.fields
        var texts = [f.text ?? "", edited ?? ""]
        for m in (f.messages ?? []) + (f.prompt ?? []) + (f.responses ?? []).flatMap({ $0 + [Message(role: "", content: "")] }) {
            texts += [m.role, m.content]
        }
        let tag = Tag(theme: theme, kind: task.kind, text: f.text != nil, edited: edited != nil, messages: f.messages != nil,
                      prompt: f.prompt != nil, responses: f.responses?.count)
        return WrapCache.shared.lines(for: texts, width: width, tag: tag) { build(item, task: task, edited: edited, width: width, theme: theme) }
    }

    /// What the lines depend on besides the texts and the width.
    struct Tag: Hashable {
        var theme: Theme
        var kind: TaskKind
        var text: Bool
        var edited: Bool
        var messages: Bool
        var prompt: Bool
        var responses: Int?
    }

    static func build(_ item: StoredItem, task: TaskSpec, edited: String?, width: Int, theme: Theme) -> [StyledLine] {
        let f = item.item.fields
        var out: [StyledLine] = []
        func field(_ name: String, _ text: String, role: Role = .text) {
            if !out.isEmpty { out.append(StyledLine("", theme[.text])) }
            out.append(StyledLine(name, theme[.label]))
            out += StyledLine.wrapped(text, width: width, style: theme[role])
        }
        if let text = f.text { field("text", text) }
        if let messages = f.messages {
            let responseIndex = task.kind == .review ? messages.lastIndex(where: { $0.role == "assistant" }) : nil
            for (i, m) in messages.enumerated() {
                if i == responseIndex {
                    if let edited {
                        field("response (edited)", edited, role: .accent)
                        out.append(StyledLine("original", theme[.muted]))
                        out += StyledLine.wrapped(m.content, width: width, style: theme[.muted], indent: "  ")
                    } else {
                        field("response", m.content)
                    }
                } else {
                    field(m.role, m.content, role: m.role == "system" ? .muted : .text)
                }
            }
        }
        if let prompt = f.prompt {
            for m in prompt { field(m.role, m.content, role: m.role == "system" ? .muted : .text) }
        }
        if let responses = f.responses {
            for (i, r) in responses.enumerated() {
                field("response \(i + 1)", r.map(\.content).joined(separator: "\n\n"))
            }
        }
        return out
    }
}
