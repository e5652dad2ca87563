import Foundation
import Testing

/// DuetApp is organised by feature, and the reducer calls no drawing code: every `Update*.swift`
/// reads geometry through its feature's layout (`LabelLayout`, `PairLayout`, `QualityLayout`,
/// `OverlayLayout`), which the view draws into, never through a screen's view type.
@Suite struct FeatureLayoutRuleTests {
    static let app = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/DuetApp")

    static func swiftFiles() -> [URL] {
        let e = FileManager.default.enumerator(at: app, includingPropertiesForKeys: nil)
        return (e?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    @Test func reducerCallsNoDrawingCode() throws {
        let updates = Self.swiftFiles().filter { $0.lastPathComponent.hasPrefix("Update") }
        #expect(updates.count >= 8)
        let views = ["LabelScreen", "PairScreen", "QualityScreen", "TriageScreen", "AdjudicateScreen", "Dashboard.", "Overlays.", "Render.", "Canvas"]
        for url in updates {
            let text = try String(contentsOf: url, encoding: .utf8)
            for v in views { #expect(!text.contains(v), "\(url.lastPathComponent) uses \(v)") }
        }
    }

    @Test func everyFileLivesInAFeatureFolder() {
        let files = Self.swiftFiles()
        #expect(!files.isEmpty)
        for url in files {
            #expect(url.deletingLastPathComponent().standardizedFileURL != Self.app.standardizedFileURL, "\(url.lastPathComponent) is not in a feature folder")
        }
    }
}
