import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A write waiting for another process's write lock counts that wait against its time limit: past it, the
/// statement stops with `Limit.Timeout` and writes nothing, so a client that gave up and retries cannot write twice.
@Suite(.serialized)
struct WriteLockTimeoutTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// Holds the record lock every cmdb writer takes (one byte at 2^40 in data.mdb) for 8 s at most (a writer
    /// that ignores its time limit gets through late, and the test sees how late).
    private static let holdWriterLock = """
        import fcntl, sys, time
        f = open(sys.argv[1], 'r+b')
        fcntl.lockf(f, fcntl.LOCK_EX, 1, 1 << 40)
        print('ready', flush=True)
        time.sleep(8)
        """

    /// Starts the lock holder; `release` ends it.
    private func holdLock() throws -> ChildProcess {
        let out = Pipe()
        let process = try ChildProcess(
            "/usr/bin/env", ["python3", "-c", Self.holdWriterLock, harness.db + "/data.mdb"],
            stdout: .pipe(out.fileHandleForWriting), stderr: .inherit)
        let line = String(decoding: out.fileHandleForReading.readData(ofLength: 6), as: UTF8.self)
        try #require(line.hasPrefix("ready"), "the helper did not start: '\(line)'")
        return process
    }

    private func release(_ holder: ChildProcess) {
        holder.terminate()
        holder.waitUntilExit()
    }

    /// Runs `cmdb import -` with `arguments`, writing `text` to its standard input and then nothing, the pipe left
    /// open (a feed whose producer hangs); the result, killed after 20 s.
    private func importStalling(after text: Data, _ arguments: [String]) throws -> CommandResult {
        let input = Pipe()
        defer { try? input.fileHandleForWriting.close() }
        let running = try harness.start(
            ["--db", harness.db, "import", "-"] + arguments, stdinHandle: input.fileHandleForReading)
        try? input.fileHandleForReading.close()
        input.fileHandleForWriting.write(text)
        return running.wait(timeout: 20)
    }

    private func count(_ id: String) throws -> String {
        let result = try harness.succeed("query", "MATCH (n {id:'\(id)'}) RETURN count(*) AS c", "--format", "csv")
        return result.out.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test("cmdb --timeout 1 query CREATE behind another writer stops with Limit.Timeout and writes nothing")
    func queryTimesOutWaitingForTheLock() throws {
        try harness.makeDatabase(withSample: true)
        let holder = try holdLock()
        let result = try harness.cmdb("--timeout", "1", "query", "CREATE (:Application {id:'late-cli'})")
        release(holder)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("Limit.Timeout"), "\(result)")
        #expect(result.err.contains("waiting for the write lock held by pid"), "\(result)")
        #expect(result.duration < .seconds(3), "waited past its time limit: \(result.duration)")
        #expect(try count("late-cli") == "0", "the timed-out write was committed")
    }

    @Test("a baseline saved under --timeout behind another writer stops with Limit.Timeout")
    func baselineTimesOutWaitingForTheLock() throws {
        try harness.makeDatabase(withSample: true)
        let holder = try holdLock()
        let result = try harness.cmdb("--timeout", "1", "query", "CREATE BASELINE 'late'")
        release(holder)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("Limit.Timeout"), "\(result)")
        #expect(result.duration < .seconds(3), "waited past its time limit: \(result.duration)")
    }

    @Test("the shell's :timeout bounds the wait for the write lock")
    func shellTimeoutBoundsTheWait() throws {
        try harness.makeDatabase(withSample: true)
        let holder = try holdLock()
        let script = ":timeout 1\nCREATE (:Application {id:'late-shell'});\n"
        let result = try harness.cmdb("shell", stdin: Data(script.utf8))
        release(holder)
        #expect(result.err.contains("Limit.Timeout") || result.out.contains("Limit.Timeout"), "\(result)")
        #expect(result.duration < .seconds(3), "waited past its time limit: \(result.duration)")
        #expect(try count("late-shell") == "0", "the timed-out write was committed")
    }

    @Test("audit run --timeout 1 behind another writer stops with Limit.Timeout, stores no run and leaves no report")
    func auditTimesOutWaitingForTheLock() throws {
        try harness.makeDatabase(withSample: true)
        let report = harness.sandbox.path("audit.json")
        let holder = try holdLock()
        let result = try harness.cmdb("audit", "run", "--timeout", "1", "--report", report)
        release(holder)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("Limit.Timeout"), "\(result)")
        #expect(result.err.contains("waiting for the write lock held by pid"), "\(result)")
        #expect(result.duration < .seconds(3), "waited past its time limit: \(result.duration)")
        let runs = try harness.succeed("audit", "history", "--format", "json").stdout
        #expect((try JSONSerialization.jsonObject(with: runs) as? [Any])?.count == 0, "a run was stored")
        #expect(!FileManager.default.fileExists(atPath: report), "the report of an unstored run was put in place")
    }

    @Test("verify --timeout 1 behind another writer stops with Limit.Timeout, with --apply and without, and stamps nothing")
    func verifyTimesOutWaitingForTheLock() throws {
        try harness.makeDatabase(withSample: true)
        let before = try harness.status().latestTransaction
        let snapshot = Paths.fixture("snapshots/vcenter-bb.jsonl")
        for extra in [[], ["--apply", "--change", "CHG-LATE"]] {
            let holder = try holdLock()
            let result = try harness.run(["--db", harness.db, "verify", snapshot, "--timeout", "1"] + extra)
            release(holder)
            #expect(result.exitCode == 2, "\(extra): \(result)")
            #expect(result.err.contains("Limit.Timeout"), "\(extra): \(result)")
            #expect(result.duration < .seconds(3), "\(extra): waited past its time limit: \(result.duration)")
        }
        #expect(try harness.status().latestTransaction == before, "a timed-out verify wrote")
    }

    @Test("import --timeout 1 behind another writer stops with Limit.Timeout and imports nothing; so does cmdb --timeout 1 import")
    func importTimesOutWaitingForTheLock() throws {
        try harness.makeDatabase(withSample: true)
        let line = try harness.sandbox.write("late.jsonl", #"{"kind":"ci","id":"late-import","class":"Application"}"# + "\n")
        for arguments in [["import", line, "--timeout", "1"], ["--timeout", "1", "import", line]] {
            let holder = try holdLock()
            let result = try harness.run(["--db", harness.db] + arguments)
            release(holder)
            #expect(result.exitCode == 2, "\(arguments): \(result)")
            #expect(result.err.contains("Limit.Timeout"), "\(arguments): \(result)")
            #expect(result.err.contains("waiting for the write lock held by pid"), "\(arguments): \(result)")
            // The error says where the import was when its time ran out.
            #expect(result.err.contains("was stopped while waiting for the write lock;"), "\(arguments): \(result)")
            #expect(result.duration < .seconds(3), "\(arguments): waited past its time limit: \(result.duration)")
        }
        #expect(try count("late-import") == "0", "the timed-out import was committed")
        // Without the lock held the same import goes through.
        try harness.succeed("import", line, "--timeout", "1")
        #expect(try count("late-import") == "1")
    }

    @Test("import - --timeout 1 whose input stalls ends with Limit.Timeout, writes nothing and frees the write lock")
    func importOfStalledInputTimesOut() throws {
        try harness.makeDatabase(withSample: true)
        let line = Data((#"{"kind":"ci","id":"stalled","class":"Application"}"# + "\n").utf8)
        let result = try importStalling(after: line, ["--timeout", "1"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("Limit.Timeout"), "\(result)")
        // The reader hands lines over in batches: the one line sent was read and waits in one, so none is applied.
        #expect(result.err.contains("was stopped while reading '<stdin>' (read up to line 1, none applied yet);"), "\(result)")
        #expect(result.duration < .seconds(5), "waited for its input past its time limit: \(result.duration)")
        #expect(try count("stalled") == "0", "the timed-out import was committed")
    }

    @Test("import - whose input stalls after a bad line ends at once with that line's error, holding no lock")
    func importOfStalledInputWithABadLine() throws {
        try harness.makeDatabase(withSample: true)
        // More lines than one batch, so the writer sees the bad one while the reader waits for more input.
        var lines = [#"{"kind":"ci","id":"app-loop","class":"Application"}"#,
                     #"{"kind":"rel","type":"DEPENDS_ON","from":"app-loop","to":"app-loop"}"#]
        for i in 0..<2100 { lines.append(#"{"kind":"ci","id":"app-more-\#(i)","class":"Application"}"#) }
        let result = try importStalling(after: Data((lines.joined(separator: "\n") + "\n").utf8), ["--timeout", "60"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("<stdin>:2"), "\(result)")
        #expect(result.duration < .seconds(5), "waited for the stalled input after the error: \(result.duration)")
        #expect(try count("app-loop") == "0", "the failed import was committed")
    }

    @Test("import - --map of a spreadsheet whose input stalls ends with Limit.Timeout: copying standard input counts")
    func spreadsheetImportOfStalledInputTimesOut() throws {
        try harness.makeDatabase(withSample: true)
        let sheet = try String(contentsOfFile: Paths.fixture("spreadsheets/switches.csv"), encoding: .utf8)
        let result = try importStalling(
            after: Data(sheet.split(separator: "\n").prefix(2).joined(separator: "\n").utf8 + [10]),
            ["--map", Paths.fixture("spreadsheets/switches.yaml"), "--timeout", "1"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.err.contains("Limit.Timeout"), "\(result)")
        #expect(result.err.contains("was stopped while copying standard input to a temporary file;"), "\(result)")
        #expect(result.duration < .seconds(5), "waited for its input past its time limit: \(result.duration)")
    }

    @Test("serve --timeout 1: a write queued behind the server's own long import answers 503 and writes nothing")
    func serverWriteQueuedPastItsLimit() throws {
        try harness.makeDatabase()
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness, extra: ["--timeout", "1"])
        defer { _ = server.stop() }
        let client = HTTPClient(baseURL: server.baseURL, token: editor)
        // An import (no time limit of its own while it runs) that keeps the writer busy for well over a second.
        var lines = ""
        for i in 0..<200_000 { lines += #"{"kind":"ci","id":"bulk-\#(i)","class":"Application","name":"b\#(i)"}"# + "\n" }
        let body = Data(lines.utf8)
        let importDone = DispatchSemaphore(value: 0)
        let importStarted = ContinuousClock.now
        DispatchQueue.global().async {
            _ = try? client.request("POST", "/v1/import?change=BULK", body: body, timeout: 300)
            importDone.signal()
        }
        // A write may still get the writer before the import does (its body is uploaded and spooled first):
        // then it must answer within its limit. Writes are sent until one queues behind the import.
        var answers: [(id: String, status: Int, after: Duration)] = []
        for k in 0..<20 {
            usleep(300_000)
            let started = ContinuousClock.now
            let answer = try client.query("CREATE (:Application {id:'queued-\(k)'})", change: "C\(k)")
            answers.append(("queued-\(k)", answer.status, ContinuousClock.now - started))
            if answer.status != 200 {
                #expect(answer.status == 503 && answer.errorCode == "Limit.Timeout", "\(answer)")
                // Answered at its limit, not when the import ahead of it ends.
                #expect(ContinuousClock.now - started < .seconds(2.5), "answered 503 only after \(ContinuousClock.now - started)")
                break
            }
        }
        importDone.wait()
        let importTook = ContinuousClock.now - importStarted
        try #require(importTook > .seconds(1.5), "the import did not keep the writer busy past the limit (\(importTook))")
        #expect(answers.last?.status == 503, "no write queued behind the import: \(answers)")
        #expect(server.stop() == 0)
        for answer in answers {
            if answer.status == 200 {
                #expect(answer.after < .seconds(1.5), "answered 200 after its limit: \(answer)")
                #expect(try count(answer.id) == "1")
            } else {
                #expect(try count(answer.id) == "0", "the write answered after its limit was committed: \(answer)")
            }
        }
    }

    @Test("serve --timeout 1: a write behind another process's write answers 503 Limit.Timeout and writes nothing")
    func serverWritesTimeOutWaitingForTheLock() throws {
        try harness.makeDatabase(withSample: true)
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness, extra: ["--timeout", "1"])
        defer { _ = server.stop() }
        let client = HTTPClient(baseURL: server.baseURL, token: editor)
        let holder = try holdLock()
        var started = ContinuousClock.now
        let created = try client.query("CREATE (:Application {id:'late-api'})", change: "C1")
        let createdAfter = ContinuousClock.now - started
        started = ContinuousClock.now
        let line = #"{"kind":"ci","id":"late-import","class":"Application"}"# + "\n"
        let imported = try client.request("POST", "/v1/import?change=C2", body: Data(line.utf8))
        let importedAfter = ContinuousClock.now - started
        release(holder)
        #expect(created.status == 503 && created.errorCode == "Limit.Timeout", "\(created)")
        #expect(createdAfter < .seconds(3), "waited past its time limit: \(createdAfter)")
        #expect(imported.status == 503 && imported.errorCode == "Limit.Timeout", "\(imported)")
        #expect(importedAfter < .seconds(3), "waited past its time limit: \(importedAfter)")
        // Once the lock is free, writes go ahead again; the timed-out ones left nothing behind.
        #expect(try client.query("CREATE (:Application {id:'after'})", change: "C3").status == 200)
        #expect(server.stop() == 0)
        #expect(try count("late-api") == "0", "the timed-out write was committed")
        #expect(try count("late-import") == "0", "the timed-out import was committed")
        #expect(try count("after") == "1")
    }
}
