import DuetCore
import Foundation
import TermUI

/// The routed queue as a table: id, snippet, machine label, votes, entropy, route; for rate and review
/// tasks the label with the judges' mean score, and their scores' standard deviation.
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
        // Columns: mark, id, snippet (fills), label, votes bar, H, (sd,) route.
        let scored = t.task.kind == .rate || t.task.kind == .review
        let idWidth = min(14, max(4, t.rows.map { DisplayWidth.of($0.item.item.uid) }.max() ?? 4))
        let labelWidth = 10, barWidth = 12, hWidth = 5, routeWidth = 7, sdWidth = scored ? 5 : 0
        let snippetWidth = max(8, inner.width - idWidth - labelWidth - barWidth - hWidth - routeWidth - 9 - (scored ? sdWidth + 1 : 0))
        var x = inner.x + 2
        var columns = [("id", idWidth), ("text", snippetWidth), ("machine", labelWidth), ("votes", barWidth), ("H", hWidth)]
        if scored { columns.append(("sd", sdWidth)) }
        for (title, w) in columns + [("route", routeWidth)] {
            c.put(title, x: x, y: inner.y, style: th[.label], maxWidth: w)
            x += w + 1
        }
        let (first, visible) = TriageLayout.window(inner, t)
        for (i, row) in t.rows.enumerated().dropFirst(first).prefix(visible) {
            let y = inner.y + 1 + i - first
            let selected = i == t.selected
            let style = selected ? th[.selected] : th[.text]
            if selected { c.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: th[.selected]) }
            c.put(t.marked.contains(row.item.rowID) ? "●" : " ", x: inner.x, y: y, style: th[.accent])
            var x = inner.x + 2
            c.put(IDText.fit(row.item.item.uid, width: idWidth, sharedPrefix: t.idPrefix), x: x, y: y, style: style)
            x += idWidth + 1
            c.put(Wrap.truncate(snippet(row.item), width: snippetWidth), x: x, y: y, style: style)
            x += snippetWidth + 1
            // A blind audit shows nothing the machine made: no label, votes or entropy.
            let machine = row.machine
            let spread = scored ? machine?.spread : nil
            // Rate and review: the majority point with the judges' mean score, "4 (3.8)".
            let shown = machine.map { (Render.labelText($0.label) ?? "–") + (spread?.mean.map { String(format: " (%.1f)", $0) } ?? "") }
            c.put(shown.map { Wrap.truncate($0, width: labelWidth) } ?? "(blind)", x: x, y: y,
                  style: machine == nil ? th[.muted] : selected ? style : th[.suggestion])
            x += labelWidth + 1
            if let machine { voteBar(&c, x: x, y: y, width: barWidth, votes: machine.votes.filter(t.task.kind.routesOn), label: machine.label, theme: th) }
            x += barWidth + 1
            c.put(machine.map { String(format: "%.2f", $0.entropy) } ?? "–", x: x, y: y, style: machine == nil ? th[.muted] : style)
            x += hWidth + 1
            if scored {
                c.put(machine.map { _ in spread?.standardDeviation.map { String(format: "%.2f", $0) } ?? "–" } ?? "–", x: x, y: y,
                      style: machine == nil ? th[.muted] : style)
                x += sdWidth + 1
            }
            c.put(row.route.route.rawValue + (row.route.pending ? "" : " ✓"), x: x, y: y, style: selected ? style : th[.muted], maxWidth: routeWidth)
        }
    }

    /// The share of votes for the machine's label (█; multilabel: yes/no votes that agree with its set),
    /// for other labels (▒) and unparseable (░).
    static func voteBar(_ c: inout Canvas, x: Int, y: Int, width: Int, votes: [MachineVote], label: String?, theme th: Theme) {
        let agree = votes.filter { KindScorer.agrees($0, with: label) }.count
        let unparseable = votes.filter { $0.label == nil }.count
        c.segmentedBar(x: x, y: y, width: width, segments: [
            (agree, th[.machine], "█"), (votes.count - agree - unparseable, th[.warning], "▒"), (unparseable, th[.error], "░"),
        ])
    }

    static func snippet(_ item: StoredItem) -> String {
        let f = item.item.fields
        let text = f.text ?? f.prompt?.last?.content ?? f.messages?.first { $0.role == "user" }?.content ?? ""
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
