import DuetCore
import Testing

@Suite struct TaskChangesTests {
    static let full = TaskSpec(name: "stance", kind: .rate, labels: ["a", "b"], dataset: "tweets", guidelines: "Be fair.\nTwo lines.",
                               scale: 0...10, showSource: true, seed: 7, overlap: 3)

    @Test func aStoredTaskReadsBackWhole() throws {
        let text = Self.full.storedJSON.canonicalJSON
        let back = TaskSpec(storedJSON: try JSONValue.parse(text))
        #expect(back == Self.full)
        #expect(TaskSpec(storedJSON: TaskSpec(name: "n", kind: .compare).storedJSON) == TaskSpec(name: "n", kind: .compare))
        #expect(TaskSpec(storedJSON: .object(["name": "x"])) == nil)
    }

    @Test func changesListAddedChangedAndStoreOnlyTasks() {
        var edited = Self.full
        edited.guidelines = "Be kind."
        edited.overlap = 2
        let other = TaskSpec(name: "topic", kind: .classify, labels: ["x"])
        let old = TaskSpec(name: "old", kind: .classify, labels: ["y"])
        let changes = TaskChanges(stored: [Self.full, old], proposed: [edited, other])
        #expect(changes.added == [other])
        #expect(changes.changed.map(\.fields) == [["guidelines", "overlap"]])
        #expect(changes.storeOnly == [old])
        #expect(!changes.isEmpty)
        #expect(changes.lines == ["+ task topic (classify)", "~ task stance: guidelines, overlap changed", "  task old is in the store only (kept)"])
        #expect(TaskChanges(stored: [Self.full], proposed: [Self.full]).isEmpty)
    }
}

extension TaskChangesTests {
    /// A task's honeypot rate is stored whole and reviewed like any field; a task without one stores as before.
    @Test func theHoneypotRateIsStoredAndReviewed() throws {
        let plain = TaskSpec(name: "s", kind: .classify, labels: ["a", "b"])
        var checked = plain
        checked.honeypotRate = 0.1
        #expect(plain.storedJSON["honeypot_rate"] == nil)
        #expect(TaskSpec(storedJSON: checked.storedJSON) == checked)
        #expect(TaskChanges(stored: [plain], proposed: [checked]).changed.first?.fields == ["honeypot_rate"])
    }
}
