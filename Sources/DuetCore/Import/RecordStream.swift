/// Reads one file's records: picks the container, detects the schema from
/// the first record (unless told), and maps each row to an item.
public struct RecordStream {
    var reader: any RowReader
    var pending: SourceRow?
    public let file: String
    public let container: Container
    public let format: InputFormat
    /// True when `format` was detected rather than given.
    public let detected: Bool
    let options: ImportOptions

    /// - Parameters:
    ///   - fileName: used for the container guess (extension) and error messages.
    ///   - firstBytes: the first bytes of the (decompressed) content, to tell a
    ///     JSON array from JSONL.
    public init<Source: ByteSource>(source: Source, file: String, fileName: String, firstBytes: ArraySlice<UInt8>,
                                    format requested: InputFormat, options: ImportOptions) throws(ImportError) {
        self.file = file
        self.options = options
        let container = RecordStream.container(fileName: fileName, firstBytes: firstBytes, requested: requested)
        self.container = container
        switch container {
        case .jsonl: reader = JSONLRowReader(source, file: file)
        case .jsonArray: reader = JSONArrayRowReader(source, file: file)
        case .csv: reader = DelimitedRowReader(source, file: file, tabs: false)
        case .tsv: reader = DelimitedRowReader(source, file: file, tabs: true)
        }
        pending = try reader.next()
        guard let first = pending else {
            // The file has bytes (an empty file is refused before): say what they are.
            let why = switch (reader.columns, container) {
            case (let columns?, _):
                "the file has a header (\(columns.prefix(12).map(Names.shown).joined(separator: ", "))) and no rows"
            case (nil, .jsonArray): "the JSON array is empty"
            case (nil, _) where firstBytes.isEmpty: "the file is empty"
            default: "the file holds only blank lines"
            }
            throw ImportError(file: file, line: 0, message: "no records: \(why)")
        }
        if requested != .auto {
            format = requested
            detected = false
        } else {
            let keys = Set(first.value.object?.keys.map { $0 } ?? [])
            guard let f = FormatDetection.detect(keys: keys, sample: first.value, container: container, options: options) else {
                // A --text-field the row does not have: say that, not "cannot tell the format".
                if let field = options.textField, let object = first.value.object, object[field] == nil {
                    throw ImportError(file: file, line: first.line, message: FieldReader(object).missing(field).message)
                }
                let shown = keys.sorted().prefix(12).map(Names.shown).joined(separator: ", ")
                throw ImportError(file: file, line: first.line,
                                  message: "cannot tell the format from the keys {\(shown)}; pass --format (\(InputFormat.names)) or --text-field")
            }
            format = f
            detected = true
        }
    }

    /// The container: implied by the format, else by extension, else by content.
    public static func container(fileName: String, firstBytes: ArraySlice<UInt8>, requested: InputFormat) -> Container {
        if let c = requested.impliedContainer, c == .csv || c == .tsv { return c }
        var name = fileName.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") && requested.impliedContainer == nil { return .csv }
        if name.hasSuffix(".tsv") && requested.impliedContainer == nil { return .tsv }
        let firstSignificant = firstBytes.drop(while: { [0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }).first
        return firstSignificant == UInt8(ascii: "[") ? .jsonArray : .jsonl
    }

    /// The next record, or nil at the end of the file.
    public mutating func next() throws(ImportError) -> ImportedRecord? {
        let row: SourceRow
        if let p = pending {
            row = p
            pending = nil
        } else {
            guard let r = try reader.next() else { return nil }
            row = r
        }
        do {
            return try RecordMapper.map(row.value, format: format, options: options, line: row.line)
        } catch {
            throw ImportError(file: file, line: row.line, message: error.message)
        }
    }
}
