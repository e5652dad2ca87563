import Foundation

/// CSV export: one record per item with its last decision (`ExportRenderer.csvHeader`).
extension ExportRenderer {
    /// A CSV record (`csvHeader`'s columns) of the item and its last decision.
    static func writeCSV(_ row: ExportRow, into out: inout [UInt8]) {
        let item = row.item.item
        let d = row.decisions.last?.entry
        func text(_ v: JSONValue?) -> String {
            guard let v else { return "" }
            if let s = v.scalarText { return s }
            if let a = v.array { return a.compactMap(\.scalarText).joined(separator: "|") }
            return v.isNull ? "" : v.canonicalJSON
        }
        writeCSVCells([
            item.uid, item.dataset, item.fields.text ?? "", text(item.gold), text(d?.value), d?.annotator ?? "",
            d?.annotatorKind.rawValue ?? "", d?.confidence.map { String($0) } ?? "", d?.entropy.map { String($0) } ?? "",
            d?.status.rawValue ?? "", (d?.flagged).map { $0 ? "1" : "0" } ?? "", d?.note ?? "",
            d?.seconds.map { String(format: "%.3f", $0) } ?? "",
        ], into: &out)
        out.append(0x2C)
        if let createdAt = d?.createdAt { writeTimestamp(createdAt, into: &out) }
    }

    public static func csvLine(_ cells: [String]) -> String {
        var out: [UInt8] = []
        writeCSVCells(cells, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Cells joined by commas; a cell holding a comma, quote, CR or LF is
    /// quoted (quotes doubled). Decided on bytes: as Characters, "\r\n" (one
    /// grapheme) equals neither "\r" nor "\n", and a quote followed by a
    /// combining mark is not a quote, so such cells went out unquoted and
    /// broke the file.
    static func writeCSVCells(_ cells: [String], into out: inout [UInt8]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(0x2C) }
            var cell = cell  // withUTF8 needs a var; a native string is not copied
            cell.withUTF8 { utf8 in
                guard utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
                    out.append(contentsOf: utf8)
                    return
                }
                out.append(0x22)
                for b in utf8 {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            }
        }
    }
}
