import DuetCore
import Foundation
import TermUI

/// The routed queue as a table: id, snippet, machine label, votes, entropy, route.
enum TriageScreen {
    static func drawHeader(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ t: TriageState) {
        var left = "triage · \(t.task.name) · \(t.rows.count) row\(t.rows.count == 1 ? "" : "s") \(t.routeName)"
        left += t.filter.ascending ? " · least uncertain first" : " · most uncertain first"
        if let l = t.filter.label { left += " · machine said \(l)" }
        if let m = t.filter.minScore { left += String(format: " · uncertainty ≥ %.1f", m) }
        if t.filter.flaggedOnly { left += " · flagged" }
        if !t.marked.isEmpty { left += " · \(t.marked.count) marked" }
        Render.header(&c, r, state, left: left, right: state.annotator)
    }

    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ t: TriageState) {
        let th = state.theme
        let inner = c.box(r, title: "the machine's least sure items first", style: th[.border], titleStyle: th[.title])
        guard t.loaded else {
            c.put("Loading…", x: inner.x + 1, y: inner.y, style: th[.muted])
            return
        }
        guard !t.rows.isEmpty else {
            c.put("No routed items here. Route the task first: duet route --task \(t.task.name)", x: inner.x + 1, y: inner.y,
                  style: th[.muted], maxWidth: inner.width - 1)
            return
        }
        // Columns: mark, id, snippet (fills), label, votes bar, H, route.
        let idWidth = min(14, max(4, t.rows.map { DisplayWidth.of($0.item.item.uid) }.max() ?? 4))
        let labelWidth = 10, barWidth = 12, hWidth = 5, routeWidth = 7
        let snippetWidth = max(8, inner.width - idWidth - labelWidth - barWidth - hWidth - routeWidth - 9)
        var x = inner.x + 2
        for (title, w) in [("id", idWidth), ("text", snippetWidth), ("machine", labelWidth), ("votes", barWidth), ("H", hWidth), ("route", routeWidth)] {
            c.put(title, x: x, y: inner.y, style: th[.label], maxWidth: w)
            x += w + 1
        }
        let visible = max(1, inner.height - 1)
        let first = max(0, t.selected - visible + 1)
        for (i, row) in t.rows.enumerated().dropFirst(first).prefix(visible) {
            let y = inner.y + 1 + i - first
            let selected = i == t.selected
            let style = selected ? th[.selected] : th[.text]
            if selected { c.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: th[.selected]) }
            c.put(t.marked.contains(row.item.rowID) ? "●" : " ", x: inner.x, y: y, style: th[.accent])
            var x = inner.x + 2
            c.put(Wrap.truncate(row.item.item.uid, width: idWidth), x: x, y: y, style: style)
            x += idWidth + 1
            c.put(Wrap.truncate(snippet(row.item), width: snippetWidth), x: x, y: y, style: style)
            x += snippetWidth + 1
            // A blind audit shows nothing the machine made: no label, votes or entropy.
            let machine = row.machine
            c.put(machine.map { Wrap.truncate(Render.labelText($0.label) ?? "–", width: labelWidth) } ?? "(blind)", x: x, y: y,
                  style: machine == nil ? th[.muted] : selected ? style : th[.suggestion])
            x += labelWidth + 1
            if let machine { voteBar(&c, x: x, y: y, width: barWidth, machine: machine, theme: th) }
            x += barWidth + 1
            c.put(machine.map { String(format: "%.2f", $0.entropy) } ?? "–", x: x, y: y, style: machine == nil ? th[.muted] : style)
            x += hWidth + 1
            c.put(row.route.route.rawValue + (row.route.pending ? "" : " ✓"), x: x, y: y, style: selected ? style : th[.muted], maxWidth: routeWidth)
        }
    }

    /// The share of votes for the machine's label (█; multilabel: yes/no votes that agree with its set),
    /// for other labels (▒) and unparseable (░).
    static func voteBar(_ c: inout Canvas, x: Int, y: Int, width: Int, machine: MachineView, theme th: Theme) {
        let agree = machine.votes.filter { KindScorer.agrees($0, with: machine.label) }.count
        let unparseable = machine.votes.filter { $0.label == nil }.count
        c.segmentedBar(x: x, y: y, width: width, segments: [
            (agree, th[.machine], "█"), (machine.votes.count - agree - unparseable, th[.warning], "▒"), (unparseable, th[.error], "░"),
        ])
    }

    static func snippet(_ item: StoredItem) -> String {
        let f = item.item.fields
        let text = f.text ?? f.prompt?.last?.content ?? f.messages?.first { $0.role == "user" }?.content ?? ""
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
