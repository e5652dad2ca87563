import TermUI

/// The task list's rows: which ones show in the box, and which row a cell is on. The view draws by
/// it and a click selects by it.
enum DashboardLayout {
    /// Rows under the list kept for the selected task's detail.
    static let detailRows = 4

    /// The first row shown and how many fit in the box's inside `inner`.
    static func window(_ inner: Rect, _ d: DashboardState) -> (first: Int, visible: Int) {
        let visible = max(1, inner.height - detailRows)
        return (max(0, d.selected - visible + 1), visible)
    }

    /// The task row drawn at the cell (x, y) of the dashboard in `body`.
    static func row(atX x: Int, y: Int, body: Rect, _ d: DashboardState) -> Int? {
        let inner = body.inset(1)
        guard inner.contains(x: x, y: y), d.loaded else { return nil }
        let (first, visible) = window(inner, d)
        let i = first + y - inner.y
        guard y - inner.y < visible, d.rows.indices.contains(i) else { return nil }
        return i
    }
}
