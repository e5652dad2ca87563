import DuetCore
import DuetStoreAPI
@testable import DuetStore
import Foundation
import TermUI
@testable import DuetApp

/// A store with items, a runtime on a memory backend, and a clock tests move.
final class Harness {
    let store: SQLiteStore
    let backend: MemoryBackend
    let runtime: Runtime
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    let editQueue: EditQueue

    static let sentiment = TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"], dataset: "t",
                                    guidelines: "Label the overall feeling.\nneutral: facts and questions.")
    static let topics = TaskSpec(name: "topics", kind: .multilabel, labels: ["food", "travel", "tech"], dataset: "t")
    static let stars = TaskSpec(name: "stars", kind: .rate, dataset: "t", scale: 1...5)
    static let review = TaskSpec(name: "review", kind: .review, dataset: "d", scale: 1...5)
    static let prefs = TaskSpec(name: "prefs", kind: .compare, dataset: "p")
    static let ranks = TaskSpec(name: "ranks", kind: .compare, dataset: "r")

    /// Pairs with CJK and long responses; responses[0] is the source's chosen.
    static let pairs: [(String, [Message], String, String)] = [
        ("p1", [.user("你好! What is 2+2?")], "2+2 is 4. 😀", "2+2 is 5."),
        ("p2", [.system("Be kind."), .user("Write a haiku about trains."), .assistant("Which season?"), .user("Winter, please.")],
         "Cold rails hum softly\nsnow settles on the platform\nthe last train whispers",
         "Trains are vehicles that run on rails. In winter they may be delayed by snow and ice on the tracks."),
        ("p3", [.user("Name a colour.")], "Blue.", "Red."),
        ("p4", [.user("Long answer please.")], (1...40).map { "Sentence \($0) of the first answer." }.joined(separator: " "),
         (1...40).map { "Sentence \($0) of the second answer." }.joined(separator: " ")),
    ]

    /// Texts with the fixtures every render test uses: CJK, emoji, a combining accent, a tab, an ESC sequence.
    static let texts = [
        "你好, the coffee was great 😀",
        "cafe\u{301} closed\tagain \u{1B}[31mred\u{1B}[0m",
        "Just a plain sentence about trains.",
        "The update broke my phone",
        "Weather is fine",
        "Sixth item text",
    ]

    init(width: Int = 80, height: Int = 24, task: TaskSpec? = Harness.sentiment, annotator: String = "ana",
         store existing: SQLiteStore? = nil, tasks: [TaskSpec] = [Harness.sentiment, Harness.topics, Harness.stars, Harness.review, Harness.prefs, Harness.ranks],
         wrap: (SQLiteStore) -> any DuetStoreBackend = { $0 }, keymap: Keymap = .defaults, quality: QualitySettings = QualitySettings()) throws {
        store = try existing ?? SQLiteStore.inMemory()
        try store.syncTasks(tasks)
        if existing == nil { try Harness.importFixtures(into: store) }
        backend = MemoryBackend(width: width, height: height)
        var state = AppState(width: width, height: height, tasks: tasks, annotator: annotator, keymap: keymap)
        state.quality = quality
        var effects: [Effect] = [.loadDashboard]
        if let task {
            state.startedOnDashboard = false  // as `duet label --task` does
            effects = App.openTask(&state, task)
        }
        let clockBox = ClockBox()
        let queue = EditQueue()
        runtime = Runtime(state: state, store: wrap(store), backend: backend, clock: { clockBox.now }, editor: { _ in queue.next() })
        editQueue = queue
        self.clockBox = clockBox
        clockBox.now = now
        runtime.start(effects)
    }

    let clockBox: ClockBox

    /// The items every test uses: texts, demonstrations, pairs and a ranking.
    static func importFixtures(into store: SQLiteStore) throws {
        _ = try store.importBatch(dryRun: false) { w in
            try w.beginFile(path: "/data/t.jsonl", format: "jsonl", dataset: "t")
            for (i, text) in Harness.texts.enumerated() {
                try w.add(ImportedRecord(item: Item(uid: "t\(i + 1)", dataset: "t", kind: .text, fields: .text(text))))
            }
            try w.beginFile(path: "/data/d.jsonl", format: "alpaca", dataset: "d")
            try w.add(ImportedRecord(item: Item(uid: "d1", dataset: "d", kind: .demonstration,
                                                fields: ItemFields(messages: [.user("Add 2 and 2"), .assistant("5")]))))
            try w.add(ImportedRecord(item: Item(uid: "d2", dataset: "d", kind: .demonstration,
                                                fields: ItemFields(messages: [.system("Be brief."), .user("Greet me"), .assistant("Hello!")]))))
            try w.beginFile(path: "/data/p.jsonl", format: "dpo", dataset: "p")
            for (uid, prompt, chosen, rejected) in Harness.pairs {
                let fields = ItemFields(prompt: prompt, responses: [[.assistant(chosen)], [.assistant(rejected)]])
                try w.add(ImportedRecord(item: Item(uid: uid, dataset: "p", kind: .pair, fields: fields),
                                         sourceAnnotations: [SourceAnnotation(value: ["choice": 0])]))
            }
            try w.beginFile(path: "/data/r.jsonl", format: "ultrafeedback", dataset: "r")
            try w.add(ImportedRecord(item: Item(uid: "r1", dataset: "r", kind: .ranking, fields: ItemFields(
                prompt: [.user("Best fruit?")], responses: [[.assistant("Apple")], [.assistant("Banana")], [.assistant("Cherry")]]))))
        }
    }

    var state: AppState { runtime.state }
    var label: LabelState? { if case .label(let l) = state.screen { return l } else { return nil } }

    /// Presses keys `seconds` apart (the clock moves before each key).
    func press(_ keys: Key..., seconds: Double = 2) {
        for k in keys {
            clockBox.now = clockBox.now.addingTimeInterval(seconds)
            runtime.send(.key(k, at: clockBox.now))
        }
    }

    func type(_ text: String) { for c in text { press(.char(c), seconds: 0.1) } }

    var screen: [String] { Render.screen(state).lines }

    /// A runtime on the adjudication screen of `task` as `annotator`, on this harness's store and backend.
    func adjudication(_ task: TaskSpec = Harness.sentiment, as annotator: String) -> Runtime {
        var state = state
        state.annotator = annotator
        state.startedOnDashboard = false
        let effects = App.openAdjudication(&state, task)
        let r = Runtime(state: state, store: store, backend: backend, clock: { Date(timeIntervalSince1970: 1_800_000_100) }, editor: { _ in nil })
        r.start(effects)
        return r
    }

    /// Human decisions in force for `task`, as (uid, value).
    func decisions(_ task: TaskSpec, annotator: String = "ana") throws -> [(String, JSONValue?, AnnotationStatus)] {
        let items = try store.items(for: task, afterRowID: 0, limit: 100)
        let logs = try store.annotations(itemRowIDs: items.map(\.rowID), task: task.name)
        return items.compactMap { item in
            guard let d = Decisions.current(logs[item.rowID] ?? []).last(where: { $0.entry.annotator == annotator && $0.entry.task == task.name })
            else { return nil }
            return (item.item.uid, d.entry.value, d.entry.status)
        }
    }
}

final class ClockBox: @unchecked Sendable {
    var now = Date(timeIntervalSince1970: 0)
}

/// What the fake editor returns, in order (nil = unchanged).
final class EditQueue: @unchecked Sendable {
    var items: [String?] = []
    func next() -> String? { items.isEmpty ? nil : items.removeFirst() }
}
