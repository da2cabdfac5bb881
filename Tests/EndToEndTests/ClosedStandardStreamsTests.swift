import Foundation
import Testing

/// cmdb started with standard input, output or error closed (cron and daemon wrappers do `exec >&- 2>&-`): the
/// files it opens must not become fds 0–2, or its output lands in them. LMDB's `data.mdb` became fd 2 and the
/// summary line was written over its first page, so a read-only query left the database unopenable.
@Suite(.serialized)
struct ClosedStandardStreamsTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    private func firstPage() throws -> Data {
        let handle = try #require(FileHandle(forReadingAtPath: harness.db + "/data.mdb"))
        defer { try? handle.close() }
        return try handle.read(upToCount: 16_384) ?? Data()
    }

    /// Runs `cmdb --db DB ARGS REDIRECTIONS` through the shell and returns its exit code.
    private func runClosing(_ redirections: String, _ arguments: String) throws -> Int32 {
        let command = "'\(Paths.binary)' --db '\(harness.db)' \(arguments) \(redirections)"
        return try harness.tool("/bin/sh", ["-c", command]).exitCode
    }

    @Test(
        "a query or an import with closed standard streams writes nothing into the database files",
        arguments: [">&- 2>&-", "<&- 2>&-", "<&- >&-", "<&- >&- 2>&-", ">&-", "2>&-"])
    func closedStreams(redirections: String) throws {
        try harness.makeDatabase(withSample: true)
        let before = try firstPage()
        let lockSize = try FileManager.default.attributesOfItem(atPath: harness.db + "/lock.mdb")[.size] as? Int
        let exported = try harness.export()

        let query = try runClosing(redirections, "query \"MATCH (n) RETURN n.id LIMIT 3\" --format csv")
        // A read commits nothing, so LMDB's meta pages stay as they were.
        #expect(try firstPage() == before, "the meta pages of data.mdb changed")
        let file = try harness.sandbox.write("one.jsonl", #"{"kind":"ci","id":"closed-1","class":"VirtualServer","name":"c1"}"#)
        let load = try runClosing(redirections, "import '\(file)' --change CHG-CLOSED")

        let after = try FileManager.default.attributesOfItem(atPath: harness.db + "/lock.mdb")[.size] as? Int
        #expect(after == lockSize, "output was appended to lock.mdb")
        try harness.status()
        // Output that cannot be written is an error (exit 3), never written somewhere else; the import itself
        // still commits or not as a whole.
        #expect([0, 3].contains(query), "query exit \(query)")
        #expect([0, 3].contains(load), "import exit \(load)")
        let now = try harness.export()
        let expectedLines = exported.split(separator: UInt8(ascii: "\n")).count + 1
        #expect(now.split(separator: UInt8(ascii: "\n")).count == expectedLines || now == exported)
    }

    @Test("a closed standard output is reported as a write error (exit 3), not taken as success")
    func closedOutputIsAnError() throws {
        try harness.makeDatabase(withSample: true)
        #expect(try runClosing(">&-", "query \"MATCH (n) RETURN n.id LIMIT 3\"") == 3)
        #expect(try runClosing(">&-", "export") == 3)
    }
}
