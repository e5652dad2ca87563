import DuetProject
import DuetStore

extension Project {
    /// The project's store as it is opened (SQLite): tests read and write it synchronously, the way
    /// the workflows do through its roles.
    var sqlite: SQLiteStore { store as! SQLiteStore }
}
