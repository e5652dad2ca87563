/// When two source ids are the same id: the one rule every import uses.
///
/// - A string is the id as written, compared byte for byte: `"01"`, `"1"`,
///   `" 1"` and `"1.0"` are four ids; no trimming, no case folding, no
///   Unicode normalisation.
/// - A JSON number must be a whole number below 2^53 in magnitude (beyond
///   that a double cannot hold every integer, so two ids could merge); it is
///   the id of its decimal digits: `1`, `1.0`, `1e0` and `"1"` are one id,
///   `-0` is `"0"`. A fractional or larger number is an error: write such
///   ids as strings.
/// - Anything else (true/false, null, arrays, objects) is not an id.
///
/// CSV and TSV cells are strings, so a CSV `1` is the JSONL `1` and `"1"`.
public enum ItemID {
    /// 2^53: every integer of smaller magnitude is exact as a double.
    public static let largestExactInteger = 9_007_199_254_740_992.0

    public static func canonical(_ value: JSONValue, field: String) throws(FieldError) -> String {
        switch value {
        case .string(let s):
            return s
        case .number(let n):
            guard n.isFinite, n.rounded() == n else {
                throw FieldError("field '\(field)': the id \(n) is not a whole number; write such ids as strings")
            }
            guard abs(n) < largestExactInteger else {
                throw FieldError("field '\(field)': the id \(JSONValue.format(n)) is too large to be exact as a number (2^53 or more); write it as a string")
            }
            return String(Int64(n))
        default:
            throw .type(field, expected: "a string or a whole number", got: value)
        }
    }
}
