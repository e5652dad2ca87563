import TermUI

/// Where the triage table and the preview of the selected row go: the preview beside the table at
/// 100 columns or more, below it on a shorter-but-tall-enough screen, none when there is no room.
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
}
