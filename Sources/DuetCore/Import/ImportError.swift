/// A bad input, located: `file:line: message`.
public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line where the bad record starts (0 when the file as a whole is wrong).
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// A problem with one field of a row; the reader adds file and line.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    public static func missing(_ field: String) -> FieldError {
        FieldError("missing field '\(field)'")
    }

    public static func type(_ field: String, expected: String, got value: JSONValue) -> FieldError {
        FieldError("field '\(field)': expected \(expected), got \(value.typeName)")
    }
}
