import Foundation
import Testing

/// Runs the whole openCypher TCK against CIQL, read in place from `../shared/tck`, and writes `tck-results.md`:
/// per folder and feature file the scenarios passed, failed and not applicable. The comparison is strict: a
/// scenario that expects an error passes only when the error has the expected type, detail and phase.
///
/// `TCK_FILTER=match-where` runs only the feature files whose path contains the text (no report, no threshold);
/// `.build/tck-details.txt` lists every failure with its query; `TCK_TRACE=1` names each scenario on stderr
/// before it runs (to find one that crashes the engine).
struct TCKTests {
    /// The strict pass rate of applicable scenarios outside `TCKReport.pendingFolders` this engine has reached; a
    /// lower rate is a regression.
    static let minimumPassRate = 0.998

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let tckRoot = repositoryRoot.appendingPathComponent("../shared/tck").standardizedFileURL.path

    /// Whether the TCK is beside the repository; a checkout without `../shared` reports the test as skipped
    /// with the reason (set CMDB_REQUIRE_TCK=1 to make its absence a failure instead).
    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: tckRoot + "/features")
            || ProcessInfo.processInfo.environment["CMDB_REQUIRE_TCK"] == "1"
    }

    @Test(
        "the openCypher TCK's clause and expression scenarios pass, except what a CMDB deliberately lacks",
        .enabled(if: TCKTests.isAvailable, "the openCypher TCK is not at ../shared/tck beside the repository"))
    func openCypherTCK() throws {
        let featuresRoot = Self.tckRoot + "/features"
        guard FileManager.default.fileExists(atPath: featuresRoot) else {
            Issue.record("the openCypher TCK is not at \(Self.tckRoot) (expected features/ and graphs/ there)")
            return
        }
        let filter = ProcessInfo.processInfo.environment["TCK_FILTER"]
        let started = Date()
        let runner = try TCKRunner(tckRoot: Self.tckRoot)
        var report = TCKReport()
        for file in try Self.featureFiles(featuresRoot) where filter.map({ file.contains($0) }) ?? true {
            let text = try String(contentsOfFile: featuresRoot + "/" + file, encoding: .utf8)
            let feature = try Gherkin.parse(text, file: file)
            // Some TCK files hold no scenario yet; one that has Scenario lines must not read as empty (as CRLF files did).
            let declares = text.unicodeScalars.split(separator: "\n").contains {
                String(String.UnicodeScalarView($0)).trimmingWhitespace().hasPrefix("Scenario")
            }
            #expect(!declares || !feature.scenarios.isEmpty, "\(file) has scenarios but reads as having none")
            for scenario in feature.scenarios {
                if ProcessInfo.processInfo.environment["TCK_TRACE"] != nil {
                    FileHandle.standardError.write(Data("TCK: \(file) \(scenario.name)\n".utf8))
                }
                report.add(file: file, scenario: scenario, runner.run(scenario))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print(report.summary + String(format: " in %.1f s", seconds))
        print(report.groupTable)
        let details = Self.repositoryRoot.appendingPathComponent(".build/tck-details.txt").path
        try? report.details.write(toFile: details, atomically: true, encoding: .utf8)
        guard filter == nil else { return }
        #expect(report.total.scenarios > 1000, "the TCK should hold well over a thousand scenarios here")
        try report.markdown.write(
            toFile: Self.repositoryRoot.appendingPathComponent("tck-results.md").path, atomically: true, encoding: .utf8)
        #expect(
            report.counted.passRate >= Self.minimumPassRate,
            "TCK pass rate \(report.counted.passRate) fell below \(Self.minimumPassRate): \(report.summary)")
    }

    /// Every feature file under `features/` (`clauses/…`, `expressions/…`, `useCases/…`), sorted.
    static func featureFiles(_ root: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw TCKValueError(description: "cannot list \(root)")
        }
        var files: [String] = []
        for case let path as String in walker where path.hasSuffix(".feature") { files.append(path) }
        guard !files.isEmpty else { throw TCKValueError(description: "no .feature files under \(root)") }
        return files.sorted()
    }
}
