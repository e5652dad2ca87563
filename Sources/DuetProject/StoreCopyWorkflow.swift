import DuetCore
import DuetPostgres
import DuetStore
import DuetStoreAPI
import Foundation

/// `duet store copy --to URL|FILE`: the project's store into an empty PostgreSQL database or a new
/// SQLite file, proved equal (`StoreCopy`).
public enum StoreCopyWorkflow {
    public struct Report: Sendable {
        public var tables: [StoreCopy.TableFigures]
        public var logChecksum: String
        public var tasksCompared: Int
        /// Where the copy went, in words (never a password).
        public var target: String
        /// How to use it.
        public var next: String
    }

    public static func run(project: Project, to target: String, passwordEnv: String?,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           onRows: (String, Int) -> Void = { _, _ in }) async throws -> Report {
        let source = project.store
        let tasks = project.config.tasks
        if target.lowercased().hasPrefix("postgres://") || target.lowercased().hasPrefix("postgresql://") {
            let config = try PostgresConfig(url: target, passwordEnv: passwordEnv)
            let store = try await PostgresStore.open(config, intent: .createOrAttach, environment: environment)
            do {
                let report = try await StoreCopy.copy(from: source, to: store, tasks: tasks, onRows: onRows)
                await store.close()
                return Report(tables: report.tables, logChecksum: report.logChecksum, tasksCompared: report.tasksCompared,
                              target: config.description,
                              next: "to use it, put [store] url = \"\(config.url)\"" + (passwordEnv.map { " and password_env = \"\($0)\"" } ?? "")
                                + " in duet.toml")
            } catch {
                await store.close()
                throw error
            }
        }
        guard passwordEnv == nil else { throw DuetError("--password-env goes with a postgres:// target") }
        let url = URL(fileURLWithPath: target).standardizedFileURL
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw DuetError("\(url.path) exists already; a copy goes into a new file")
        }
        do {
            let store = try SQLiteStore.open(path: url.path)
            let report = try await StoreCopy.copy(from: source, to: store, tasks: tasks, onRows: onRows)
            return Report(tables: report.tables, logChecksum: report.logChecksum, tasksCompared: report.tasksCompared, target: url.path,
                          next: "to use it, put it in a project folder as \(Project.storeFileName) beside a duet.toml without [store]")
        } catch {
            // A failed copy leaves no file that looks like a store.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
            throw error
        }
    }
}
