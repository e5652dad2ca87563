import DuetCore
import Foundation

/// ../shared/data beside the repository (located from this file), or nil when absent: tests skip.
enum LocalSharedData {
    static func path(_ name: String) -> String? {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let p = repo.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(name).path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }
}

/// SplitMix64 for test sampling (independent of the annotator's own generator).
typealias LocalTestRNG = SplitMix64

extension SplitMix64 {
    init(_ seed: UInt64) { self.init(seed: seed) }
}

/// Items with row ids 1…n for texts.
func localTextItems(_ texts: [String]) -> [StoredItem] {
    texts.enumerated().map { i, t in
        StoredItem(rowID: Int64(i + 1), item: Item(uid: "t\(i)", dataset: "d", kind: .text, fields: .text(t)))
    }
}

/// A pair item with two one-message responses.
func localPairItem(_ id: Int64, prompt: String, _ r0: String, _ r1: String) -> StoredItem {
    let fields = ItemFields(prompt: [.user(prompt)], responses: [[.assistant(r0)], [.assistant(r1)]])
    return StoredItem(rowID: id, item: Item(uid: "p\(id)", dataset: "d", kind: .pair, fields: fields))
}

/// The cats-vs-stocks corpus: 20 texts per class, written by hand. The last 4 of each
/// class (held out by the tests) reuse the class's words: clear cases.
enum LocalCorpus {
    static let cats = [
        "my cat sleeps on the warm windowsill all afternoon",
        "the kitten chased a ball of yarn under the sofa",
        "our cat purrs loudly when she is brushed",
        "kittens need vaccinations and plenty of naps",
        "the tabby cat caught a mouse in the garden",
        "she feeds her cats tuna every evening",
        "a cat's whiskers help it sense the room in the dark",
        "the kitten meowed at the door to be let in",
        "cats love scratching posts and cardboard boxes",
        "my cat knocked the glass off the table again",
        "the old cat naps on the couch and purrs",
        "clean the litter box so the kitten stays happy",
        "a fluffy persian cat needs daily grooming",
        "the cat hissed at the neighbour's dog",
        "our kitten loves chasing laser dots on the wall",
        "cats groom themselves with their rough tongues",
        "the tabby cat meowed and purrs when she is brushed",
        "the kitten purrs and naps on the warm sofa",
        "my cat loves chasing yarn and sleeps all afternoon",
        "feed the kitten tuna and clean the litter box",
    ]
    static let stocks = [
        "the stock market fell three percent on inflation fears",
        "investors sold shares after the earnings report",
        "the central bank raised interest rates again",
        "tech stocks rallied as bond yields dropped",
        "her portfolio holds index funds and dividend shares",
        "the company's shares jumped after strong quarterly earnings",
        "traders expect volatility before the jobs report",
        "the dow and the nasdaq closed higher today",
        "analysts downgraded the stock to sell",
        "dividend investors like utility stocks in a downturn",
        "the ipo priced its shares above the expected range",
        "bond yields and stock prices moved in opposite directions",
        "the fund manager bought more bank shares",
        "markets slumped as oil prices surged",
        "the broker recommended diversifying the portfolio",
        "quarterly earnings beat analyst estimates and the stock rose",
        "bond yields rose and tech stocks fell on inflation fears",
        "stock prices hit a record high as investors bought shares",
        "investors sold shares as the stock market fell",
        "the fund bought dividend shares for its portfolio",
    ]
}
