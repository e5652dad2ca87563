import DuetCore
import TermUI

/// The triage table's rows: which ones show in the box, and which row a cell is on. The view
/// draws by it and a click selects by it.
enum TriageLayout {
    /// The first row shown and how many fit under the column titles of the box's inside `inner`.
    static func window(_ inner: Rect, _ t: TriageState) -> (first: Int, visible: Int) {
        let visible = max(1, inner.height - 1)
        return (max(0, t.selected - visible + 1), visible)
    }

    /// The row drawn at the cell (x, y) of the table in `body`.
    static func row(atX x: Int, y: Int, body: Rect, _ t: TriageState) -> Int? {
        let inner = body.inset(1)
        guard inner.contains(x: x, y: y) else { return nil }
        let (first, visible) = window(inner, t)
        let i = first + y - inner.y - 1
        guard y > inner.y, y - inner.y - 1 < visible, t.rows.indices.contains(i) else { return nil }
        return i
    }
}
