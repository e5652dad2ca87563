/// Distinct values numbered in order of first appearance: a column of codes
/// instead of a column of repeated strings (vote tables, stored routes).
public struct Interner<Value: Hashable & Sendable>: Sendable {
    private var codes: [Value: Int32] = [:]
    public private(set) var values: [Value] = []

    public init() {}

    /// The value's code, numbering it if it is new.
    public mutating func code(_ value: Value) -> Int32 {
        if let c = codes[value] { return c }
        let c = Int32(values.count)
        codes[value] = c
        values.append(value)
        return c
    }

    /// The value's code if it has one.
    public func existing(_ value: Value) -> Int32? { codes[value] }

    public subscript(code: Int32) -> Value { values[Int(code)] }
}
