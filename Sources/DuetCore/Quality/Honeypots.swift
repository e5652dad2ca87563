/// Honeypots: gold items (the dataset's gold labels, `Item.gold`) served blind among a person's items, at the
/// task's `honeypotRate`, so each person's accuracy on gold can be measured (`PeopleQuality`).
///
/// The labeling queue (both backends) asks `due` before each item: the person's items fall in blocks of
/// `round(1 / rate)` of their decisions, one honeypot in each block at a place drawn per person and block
/// (so a person cannot count their way to the next one). A gold item is served to a person at most once:
/// never one they have any entry on in the task's log, and, as any item, not while someone else has it open
/// (leased). Its answer is an ordinary decision of the person on
/// that item: progress counts items, so the item counts once however many people answer it (a second
/// person's honeypot answer on an item already labeled adds nothing to the task's done items).
public enum Honeypots {
    /// Whether the person's next item should be a honeypot, after `decided` decisions in the task of which
    /// `goldAnswered` are on gold items.
    public static func due(rate: Double, decided: Int, goldAnswered: Int, person: String) -> Bool {
        guard rate > 0 else { return false }
        let block = blockLength(rate)
        let n = max(0, decided)
        let slot = Int(UInt64(bitPattern: hash(person, Int64(n / block))) % UInt64(block))
        let owed = n / block + (n % block >= slot ? 1 : 0)
        return goldAnswered < owed
    }

    /// One honeypot in every this many of a person's items.
    public static func blockLength(_ rate: Double) -> Int { max(1, Int((1 / rate).rounded())) }

    /// The order a person meets the gold items in, the same on both backends: `orderKey` in SQL,
    /// `(items.id * multiplier + salt(person)) % modulus`, then the id.
    public static let multiplier: Int64 = 7919
    public static let modulus: Int64 = 1_000_003

    public static func salt(_ person: String) -> Int64 {
        Int64(UInt64(bitPattern: hash(person, -1)) % UInt64(modulus))
    }

    /// The SQL ordering expression over `column` (an item id) for `person`.
    public static func orderKey(_ column: String, person: String) -> String {
        "((\(column) * \(multiplier) + \(salt(person))) % \(modulus)), \(column)"
    }

    static func hash(_ person: String, _ part: Int64) -> Int64 {
        var h = ContentHash.Hasher64()
        h.combine(person)
        h.combine(part)
        return h.finalize()
    }
}

extension Honeypots {
    /// An item the ordinary queue serves, marked as a honeypot when it is gold in a task with honeypots:
    /// every gold item of such a task is shown blind, however it was reached.
    public static func marked(_ item: StoredItem?, task: TaskSpec) -> StoredItem? {
        guard var item, task.honeypotRate > 0, item.item.gold != nil else { return item }
        item.honeypot = true
        return item
    }
}
