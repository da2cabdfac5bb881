import Foundation
import TestSupport
import Testing

/// What `cmdb import` does with input that never ends or has enormous lines: it stops with `file:line: line
/// longer than N bytes`, exit 2, in flat memory; standard input is parsed while it is read.
struct InputBoundsTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// Runs `cmdb ARGS` under `/usr/bin/time -v`; returns the result and the peak RSS in MiB.
    private func measured(_ arguments: [String], stdinFile: String? = nil) throws -> (CommandResult, Double) {
        let report = harness.sandbox.path("time-\(UUID().uuidString).txt")
        let result = try harness.start(
            ["-v", "-o", report, Paths.binary] + arguments, stdinFile: stdinFile, executable: "/usr/bin/time"
        ).wait(timeout: 120)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("Maximum resident set size") })
        let kib = try #require(Double(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? ""))
        return (result, kib / 1024)
    }

    @Test("import /dev/zero stops at the line limit in flat memory, and changes nothing")
    func endlessFile() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "GNU time is missing (make deps)")
        try harness.makeDatabase(withSample: true)
        let before = try harness.export()
        let (result, rssMiB) = try measured(["--db", harness.db, "import", "/dev/zero"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("/dev/zero:1: line longer than 16777216 bytes"), "\(result)")
        #expect(rssMiB < 200, "peak RSS \(rssMiB) MiB")
        #expect(try harness.export() == before)
    }

    @Test("import - < /dev/zero stops at the line limit without spooling the endless input first")
    func endlessStandardInput() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "GNU time is missing (make deps)")
        try harness.makeDatabase()
        let (result, rssMiB) = try measured(["--db", harness.db, "import", "-"], stdinFile: "/dev/zero")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("<stdin>:1: line longer than 16777216 bytes"), "\(result)")
        #expect(rssMiB < 200, "peak RSS \(rssMiB) MiB")
    }

    @Test("query -f /dev/zero and query -f - < /dev/zero stop at the statement-file limit in flat memory")
    func endlessStatementFile() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "GNU time is missing (make deps)")
        try harness.makeDatabase(withSample: true)
        let before = try harness.export()
        let (fromFile, fileRSS) = try measured(["--db", harness.db, "query", "-f", "/dev/zero"])
        #expect(fromFile.exitCode == 2, "\(fromFile)")
        #expect(fromFile.err.contains("/dev/zero: larger than 64 MiB, the limit for a statement file"), "\(fromFile)")
        #expect(fileRSS < 300, "peak RSS \(fileRSS) MiB")
        let (fromInput, inputRSS) = try measured(["--db", harness.db, "query", "-f", "-"], stdinFile: "/dev/zero")
        #expect(fromInput.exitCode == 2, "\(fromInput)")
        #expect(fromInput.err.contains("<stdin>: larger than 64 MiB, the limit for a statement file"), "\(fromInput)")
        #expect(inputRSS < 300, "peak RSS \(inputRSS) MiB")
        #expect(try harness.export() == before)
        // A statement file within the limit still runs, from a file and from standard input.
        let ok = try harness.run(["--db", harness.db, "query", "-f", "-", "--format", "jsonl"], stdin: Data("RETURN 1 AS one;\n".utf8))
        #expect(ok.exitCode == 0 && ok.out.contains(#"{"one":1}"#), "\(ok)")
    }

    @Test("a spreadsheet on standard input that never has a line end stops at the line limit, spooling no more")
    func endlessSpreadsheetInput() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "GNU time is missing (make deps)")
        try harness.makeDatabase()
        let map = Paths.fixture("spreadsheets/switches.yaml")
        let (result, rssMiB) = try measured(["--db", harness.db, "import", "-", "--map", map], stdinFile: "/dev/zero")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("<stdin>:1: line longer than 16777216 bytes"), "\(result)")
        #expect(rssMiB < 200, "peak RSS \(rssMiB) MiB")
        #expect(try harness.status().ciCount == 0)
    }

    @Test("--max-line-length sets the limit; the error names the file and line")
    func configuredLimit() throws {
        try harness.makeDatabase()
        let long = #"{"kind":"ci","id":"app-1","class":"Application","name":"\#(String(repeating: "x", count: 200))","status":"live"}"#
        let file = try harness.sandbox.write("long.jsonl", """
            {"kind":"ci","id":"app-2","class":"Application","name":"short","status":"live"}

            \(long)

            """)
        let refused = try harness.cmdb("import", file, "--max-line-length", "100")
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.err.contains("\(file):3: line longer than 100 bytes"), "\(refused)")
        #expect(try harness.status().ciCount == 0)
        try harness.succeed("import", file, "--max-line-length", "300")
        #expect(try harness.status().ciCount == 2)
        let zero = try harness.cmdb("import", file, "--max-line-length", "0")
        #expect(zero.exitCode == 2, "\(zero)")
    }

    @Test("standard input is parsed while it is read: a bad first line fails before the input ends")
    func parsesWhileReading() throws {
        try harness.makeDatabase()
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = harness.sandbox.temporaryDirectory
        let input = Pipe(), errors = Pipe()
        let process = try ChildProcess(
            Paths.binary, ["--db", harness.db, "import", "-"], environment: environment,
            stdin: .pipe(input.fileHandleForReading), stderr: .pipe(errors.fileHandleForWriting))
        input.fileHandleForWriting.write(Data("{\"kind\":\"nonsense\"}\n".utf8))
        // The writing end stays open: the import must not wait for the end of its input to report line 1.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let finishedEarly = !process.isRunning
        try? input.fileHandleForWriting.close()
        let ended = process.wait(seconds: 60)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(finishedEarly, "the import waited for the end of standard input")
        #expect(ended == .exit(2))
        #expect(message.contains("<stdin>:1:"), "\(message)")
    }

    @Test("import - still retries from its copy when the map must grow")
    func retriesFromTheCopy() throws {
        try harness.makeDatabase()
        var lines = ""
        for i in 0..<3000 {
            lines += #"{"kind":"ci","id":"app-\#(i)","class":"Application","name":"application number \#(i) \#(String(repeating: "y", count: 300))","status":"live"}"# + "\n"
        }
        let result = try harness.run(
            ["--db", harness.db, "import", "-"], stdin: Data(lines.utf8), environment: ["CMDB_MAP_SIZE": "1048576"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(try harness.status().ciCount == 3000)
    }
}
