// Test support, not shipped: one person labeling a shared project's task in a process of its own, through the
// store's roles as the label screen's worker calls them (Runtime.perform): the next item with the task's
// progress and the item's routing, a decision, every `--undo-every`-th decision undone at once, the leases
// given back on quitting. It stops when it is given nothing after `--until` exists (the test creates that
// file when the router has finished), so that it keeps asking while routes still change the queue.
//
//   duet-labeler --url postgres://u@h:p/db --password-env NAME --task T --as NAME --until FILE [--undo-every N]
//
// What it did goes to standard output, one line each, for the test to compare with the store:
//   served ITEM · decided ITEM LOG-ID · undone ITEM · busy (a transient failure, tried again) · end SERVED
// Any other failure: a line on standard error and exit status 1.
import DuetCore
import DuetPostgres
import DuetStoreAPI
import Foundation

struct Arguments {
    var url = ""
    var passwordEnv: String?
    var task = ""
    var annotator = ""
    var until = ""
    var undoEvery = 0

    init(_ args: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw LabelerError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--url": url = try value()
            case "--password-env": passwordEnv = try value()
            case "--task": task = try value()
            case "--as": annotator = try value()
            case "--until": until = try value()
            case "--undo-every": undoEvery = Int(try value()) ?? 0
            default: throw LabelerError("unknown argument \(args[i])")
            }
            i += 1
        }
        guard !url.isEmpty, !task.isEmpty, !annotator.isEmpty, !until.isEmpty else {
            throw LabelerError("usage: duet-labeler --url URL [--password-env NAME] --task T --as NAME --until FILE [--undo-every N]")
        }
    }
}

struct LabelerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One line on standard output, written at once (the test reads them after the process ended).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `body`, tried again while the store says it is busy (a lock wait past the write wait, a deadlock): what a
/// person does when the screen says "Store busy — nothing saved", pressing the key again.
func persisting<R>(_ body: () async throws -> R) async throws -> R {
    for _ in 0..<2_000 {
        do {
            return try await body()
        } catch where StoreFailure(error).isTransient {
            say("busy")
            try await Task.sleep(for: .milliseconds(50))
        }
    }
    throw LabelerError("the store stayed busy for 2,000 attempts")
}

func label(_ args: Arguments) async throws {
    let config = try PostgresConfig(url: args.url, passwordEnv: args.passwordEnv)
    let store = try await PostgresStore.open(config, intent: .attach, maximumConnections: 2)
    do {
        // As the app's worker does first (Runtime.writeWait).
        try await store.setWriteWait(seconds: 2)
        guard let task = try await store.storedTasks().first(where: { $0.name == args.task }) else {
            throw LabelerError("no task \(args.task) in the store")
        }
        let label = task.labels.first ?? "yes"
        var served = 0
        var decided = 0
        while true {
            let finishing = FileManager.default.fileExists(atPath: args.until)
            guard let item = try await persisting({ try await store.nextItem(for: task, annotator: args.annotator) }) else {
                if finishing { break }
                // Nothing open for now: the router may send more to people.
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            served += 1
            say("served \(item.rowID)")
            // What the label screen reads with the item: the progress line and the machine's suggestion.
            _ = try await persisting { try await store.taskProgress(task) }
            _ = try await persisting { try await store.routing(task: task, itemRowID: item.rowID) }
            let decision = NewAnnotation(itemRowID: item.rowID, task: task.name, annotatorKind: .human, annotator: args.annotator,
                                         value: .string(label), status: .submitted, createdAt: Date(), seconds: 1)
            let id = try await persisting { try await store.record(decision) }
            say("decided \(item.rowID) \(id)")
            decided += 1
            if args.undoEvery > 0, decided % args.undoEvery == 0 {
                if let undone = try await persisting({ try await store.undoLast(task: task.name, annotator: args.annotator, at: Date()) }) {
                    say("undone \(undone)")
                }
            }
        }
        // Quitting gives back what this person had open.
        try await persisting { try await store.releaseLeases(task: nil, annotator: args.annotator) }
        say("end \(served)")
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}

do {
    try await label(try Arguments(CommandLine.arguments))
} catch {
    FileHandle.standardError.write(Data("duet-labeler: \(error)\n".utf8))
    exit(1)
}
