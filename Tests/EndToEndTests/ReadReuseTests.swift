import Foundation
import TestSupport
import Testing

/// A process keeps its read transaction between statements (reset and renewed) and its plans (by shape): each
/// statement must still see every commit made before it starts, by this process or another.
struct ReadReuseTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("query -f: a statement sees the write of the statement before it, and plans stay right")
    func writeInBetweenInOneScript() throws {
        try harness.makeDatabase(withSample: true)
        let script = try harness.sandbox.write("script.ciql", """
            MATCH (n {id: 'srv-dc01'}) RETURN n.cpu AS cpu;
            MATCH (n {id: 'srv-dc01'}) SET n.cpu = 8;
            MATCH (n {id: 'srv-dc01'}) RETURN n.cpu AS cpu;
            MATCH (n {id: 'srv-dc02'}) RETURN n.cpu AS cpu;
            MATCH (n {id: 'srv-dc02'}) SET n.cpu = 12;
            MATCH (n {id: 'srv-dc02'}) RETURN n.cpu AS cpu;
            """)
        let result = try harness.succeed("query", "-f", script, "--format", "jsonl")
        #expect(result.out == """
            {"cpu":4}
            {"cpu":8}
            {"cpu":4}
            {"cpu":12}

            """)
    }

    @Test("the shell sees what another process committed between two of its statements")
    func otherProcessCommitsBetweenStatements() throws {
        try harness.makeDatabase(withSample: true)
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = harness.sandbox.temporaryDirectory
        let input = Pipe(), output = Pipe()
        let process = try ChildProcess(
            Paths.binary, ["--db", harness.db, "shell"], environment: environment,
            stdin: .pipe(input.fileHandleForReading), stdout: .pipe(output.fileHandleForWriting))
        let lookup = Data(":format csv\nMATCH (n {id: 'srv-dc01'}) RETURN n.cpu AS cpu;\n".utf8)

        input.fileHandleForWriting.write(lookup)
        var seen = Data()
        let deadline = Date().addingTimeInterval(60)
        // Wait for the first answer (header and value), so the shell has read before the other write.
        while String(decoding: seen, as: UTF8.self).components(separatedBy: "\n").count < 3, Date() < deadline {
            seen.append(output.fileHandleForReading.availableData)
        }
        try harness.succeed("query", "MATCH (n {id: 'srv-dc01'}) SET n.cpu = 6")
        input.fileHandleForWriting.write(Data("MATCH (n {id: 'srv-dc01'}) RETURN n.cpu AS cpu;\n".utf8))
        try input.fileHandleForWriting.close()
        seen.append(output.fileHandleForReading.readDataToEndOfFile())
        #expect(process.wait(seconds: 60) == .exit(0))
        #expect(String(decoding: seen, as: UTF8.self) == "cpu\n4\ncpu\n6\n")
    }
}
