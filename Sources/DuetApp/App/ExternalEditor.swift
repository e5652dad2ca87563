import Foundation

/// $VISUAL / $EDITOR (default vi) on a temporary file.
public enum ExternalEditor {
    /// Writes `text` to a private temporary file, ending with a newline as
    /// editors expect (vi marks a file without one "[noeol]"), runs the editor
    /// on it through `run` (the terminal's `runInForeground`) and reads it
    /// back. The newline added is not part of the result; nil when nothing changed.
    public static func edit(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            run: ([String]) throws -> Int32) throws -> String? {
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("duet-edit-\(UUID().uuidString).txt")
        let content = text.hasSuffix("\n") ? text : text + "\n"
        guard FileManager.default.createFile(atPath: url.path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EditorError(message: "cannot write the temporary file \(url.path)")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        // The editor may carry arguments ("code -w"); the file is passed as "$1".
        let status = try run(["/bin/sh", "-c", editor + " \"$1\"", "duet-editor", url.path])
        guard status == 0 else { throw EditorError(message: "\(editor) exited with status \(status)") }
        var edited = try String(contentsOf: url, encoding: .utf8)
        if edited.hasSuffix("\n") && !text.hasSuffix("\n") { edited.removeLast() }
        return edited == text ? nil : edited
    }

    public struct EditorError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
