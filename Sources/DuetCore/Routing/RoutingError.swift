/// A routing request that cannot be met (a panel without votes), in words for the command line.
public struct RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
