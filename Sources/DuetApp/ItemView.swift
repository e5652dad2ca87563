import DuetCore
import TermUI

/// An item's content as wrapped, styled lines: each field under its name,
/// conversations turn by turn with their roles.
public enum ItemView {
    public static func lines(_ item: StoredItem, task: TaskSpec, edited: String?, width: Int, theme: Theme) -> [StyledLine] {
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
