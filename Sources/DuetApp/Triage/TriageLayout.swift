import DuetCore
import TermUI

/// Where the triage table and the preview of the selected row go: the preview beside the table at
/// 100 columns or more, below it on a shorter-but-tall-enough screen, none when there is no room.
/// Which rows show in the table's box, and which row a cell is on: the view draws by it and a click
/// selects by it.
struct TriageLayout {
    var table: Rect
    /// The selected row's full text (nil: no room for it).
    var preview: Rect?

    /// From this width on, the preview sits beside the table.
    static let besideWidth = 100
    /// Below that width, the body needs this many rows to hold the preview under the table.
    static let belowHeight = 16

    init(body: Rect) {
        if body.width >= TriageLayout.besideWidth {
            let (table, preview) = body.splitLeft(body.width - max(36, body.width / 3))
            self.table = table
            self.preview = preview
        } else if body.height >= TriageLayout.belowHeight {
            let (table, preview) = body.splitBottom(body.height * 2 / 5)
            self.table = table
            self.preview = preview
        } else {
            table = body
            preview = nil
        }
    }

    /// The first row shown and how many fit under the column titles of the box's inside `inner`
    /// (the question, while it waits, takes the table's last line).
    static func window(_ inner: Rect, _ t: TriageState) -> (first: Int, visible: Int) {
        let visible = max(1, inner.height - 1 - (t.question == nil ? 0 : 1))
        return (max(0, t.selected - visible + 1), visible)
    }

    /// The row drawn at the cell (x, y) of the table in `body`.
    static func row(atX x: Int, y: Int, body: Rect, _ t: TriageState) -> Int? {
        let inner = TriageLayout(body: body).table.inset(1)
        guard inner.contains(x: x, y: y) else { return nil }
        let (first, visible) = window(inner, t)
        let i = first + y - inner.y - 1
        guard y > inner.y, y - inner.y - 1 < visible, t.rows.indices.contains(i) else { return nil }
        return i
    }
}
