import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files, locks and reader slots: what the storage layer and the report writer do when other processes (or
/// an attacker sharing the directory) get in the way.
@Suite(.serialized)
struct StorageSafetyTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// Starts `python3 -c script ARGS` in the background; it prints "ready" once it holds what it takes.
    /// Its standard input is a pipe: closing the returned handle ends a helper that waits for it.
    private func startPython(_ script: String, _ arguments: [String]) throws -> (ChildProcess, FileHandle) {
        let out = Pipe()
        let input = Pipe()
        let process = try ChildProcess(
            "/usr/bin/env", ["python3", "-c", script] + arguments, stdin: .pipe(input.fileHandleForReading),
            stdout: .pipe(out.fileHandleForWriting), stderr: .inherit)
        let line = String(decoding: out.fileHandleForReading.readData(ofLength: 6), as: UTF8.self)
        try #require(line.hasPrefix("ready"), "the helper did not start: '\(line)'")
        return (process, input.fileHandleForWriting)
    }

    /// Holds the record lock every cmdb writer takes (one byte at 2^40 in data.mdb) for `seconds`.
    private static let holdWriterLock = """
        import fcntl, sys, time
        f = open(sys.argv[1], 'r+b')
        fcntl.lockf(f, fcntl.LOCK_EX, 1, 1 << 40)
        print('ready', flush=True)
        time.sleep(float(sys.argv[2]))
        """

    /// Keeps LMDB's lock file "in use" (a shared lock on its first byte, as an open environment holds), so
    /// the reader table is not reset by the next process to open it, then waits for stdin to close.
    private static let holdEnvironmentOpen = """
        import fcntl, sys
        f = open(sys.argv[1], 'r+b')
        fcntl.lockf(f, fcntl.LOCK_SH, 1, 0)
        print('ready', flush=True)
        sys.stdin.read()
        """

    /// The pids in the reader table of `db`, as `mdb_stat -r` lists them (it clears nothing with one -r).
    private func readerPIDs(_ db: String) throws -> [Int32] {
        // mdb_stat exits 1 after printing the reader table alone.
        let result = try harness.tool("/usr/bin/mdb_stat", ["-r", db])
        try #require(result.out.contains("Reader Table Status"), "\(result)")
        return result.out.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count == 3 ? Int32(fields[0]) : nil
        }
    }

    /// Starts `cmdb export` into a pipe nobody reads: it blocks inside its read transaction.
    private func startBlockedReader(_ db: String) throws -> (ChildProcess, Pipe) {
        let unread = Pipe()
        let process = try ChildProcess(
            Paths.binary, ["--db", db, "export"], stdout: .pipe(unread.fileHandleForWriting), stderr: .inherit)
        usleep(1_500_000)
        try #require(process.isRunning, "export finished without blocking")
        return (process, unread)
    }

    @Test("a writer behind another process's write says whose lock it waits for, then goes ahead")
    func writerWaitsVisibly() throws {
        try harness.makeDatabase(withSample: true)
        let (holder, _) = try startPython(Self.holdWriterLock, [harness.db + "/data.mdb", "2.5"])
        defer { holder.terminate() }
        let result = try harness.cmdb("query", "MATCH (n {id:'srv-dc01'}) SET n.status = 'maintenance'")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.err.contains("waiting for the write lock held by pid \(holder.pid)"), "\(result)")
        #expect(result.duration > .seconds(2), "did not wait: \(result.duration)")
        #expect(result.err.contains("1 property set in transaction"), "\(result)")
    }

    @Test("stale reader slots of killed readers are cleared when a database is opened and by the shell")
    func staleReadersCleared() throws {
        try harness.makeDatabase(withSample: true)
        let (keeper, keeperInput) = try startPython(Self.holdEnvironmentOpen, [harness.db + "/lock.mdb"])
        defer {
            try? keeperInput.close()
            if keeper.wait(seconds: 60) == nil { keeper.send(SIGKILL) }
        }

        // The pipes stay open (unread) until the readers are killed: they block in their read transactions.
        var (reader, unread) = try startBlockedReader(harness.db)
        reader.send(SIGKILL)
        reader.waitUntilExit()
        #expect(try readerPIDs(harness.db).contains(reader.pid), "no stale slot to clear")
        try harness.succeed("status")
        #expect(try readerPIDs(harness.db).isEmpty, "opening left the stale reader slot")

        // A shell open all along clears slots of readers that die while it runs.
        let input = Pipe()
        let shell = try ChildProcess(
            Paths.binary, ["--db", harness.db, "shell"], stdin: .pipe(input.fileHandleForReading), stderr: .inherit)
        defer { shell.terminate() }
        usleep(500_000)
        (reader, unread) = try startBlockedReader(harness.db)
        reader.send(SIGKILL)
        reader.waitUntilExit()
        withExtendedLifetime(unread) {}
        #expect(try readerPIDs(harness.db).contains(reader.pid))
        input.fileHandleForWriting.write(Data("MATCH (n) RETURN count(n);\n".utf8))
        usleep(1_000_000)
        #expect(!(try readerPIDs(harness.db)).contains(reader.pid), "the shell left the stale slot")
        try input.fileHandleForWriting.close()
        #expect(shell.wait(seconds: 60) != nil, "the shell did not end at the end of its input")
    }

    @Test("report temporaries are never opened through planted symlinks; reports are 0600 unless --report-mode")
    func reportTemporariesIgnorePlantedSymlinks() throws {
        try harness.makeDatabase(withSample: true)
        let victim = try harness.sandbox.write("victim.txt", "precious\n")
        let report = harness.sandbox.path("audit.json")
        // The next few hundred pids' old temporary names, all pointing at the victim.
        let last = Int((try? String(contentsOfFile: "/proc/sys/kernel/ns_last_pid", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        for pid in (last + 1)...(last + 400) { symlink(victim, report + ".tmp-\(pid)") }
        try harness.succeed("audit", "--report", report)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n", "the victim was overwritten")
        #expect(try permissions(report) == 0o600)
        #expect(try fileBytes(report).starts(with: Data("{".utf8)))

        // A symlink at the report's own name is replaced, not followed.
        unlink(report)
        symlink(victim, report)
        try harness.succeed("audit", "--report", report, "--report-mode", "644")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try permissions(report) == 0o644)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.sandbox.url.path)
            .filter { $0.hasPrefix(".audit.json.tmp-") }
        #expect(leftovers.isEmpty, "temporaries left: \(leftovers)")
        let bad = try harness.cmdb("audit", "--report", report, "--report-mode", "rw")
        #expect(bad.exitCode == 2 && bad.err.contains("--report-mode"), "\(bad)")
    }

    @Test("an audit whose report cannot be written stores no run")
    func failedAuditStoresNoRun() throws {
        try harness.makeDatabase(withSample: true)
        let result = try harness.cmdb("audit", "--report", harness.sandbox.path("missing-dir/audit.json"))
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.err.contains("missing-dir/audit.json"), "\(result)")
        let history = try harness.succeed("audit", "history")
        #expect(history.out.contains("no audit runs yet"), "\(history)")
    }

    @Test("read-only commands never write: an empty data.mdb is refused, a database's files are untouched")
    func readOnlyCommandsNeverWrite() throws {
        let empty = harness.sandbox.path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: empty + "/data.mdb", contents: nil)
        for command in [["status"], ["export"], ["audit", "history"], ["schema", "show"]] {
            let result = try harness.run(["--db", empty] + command)
            #expect(result.exitCode == 3, "\(result)")
            #expect(result.err.contains("not a cmdb database"), "\(result)")
            #expect(try fileBytes(empty + "/data.mdb").isEmpty, "cmdb \(command) wrote into data.mdb")
        }

        try harness.makeDatabase(withSample: true)
        let before = try fileBytes(harness.db + "/data.mdb")
        try harness.succeed("status")
        _ = try harness.export()
        try harness.succeed("impact", "srv-dc01")
        try harness.succeed("audit", "history")
        #expect(try fileBytes(harness.db + "/data.mdb") == before)
    }

    /// A copy cut short (a backup that ran out of room, a partial transfer): LMDB maps the file and would read
    /// pages past its end, which kills the process with SIGBUS.
    @Test("a truncated data.mdb is refused with Storage.Corrupted, exit 3, by every command, and left as it is")
    func truncatedDataFileIsRefused() throws {
        try harness.makeDatabase(withSample: true)
        let whole = try fileBytes(harness.db + "/data.mdb")
        let cut = harness.sandbox.path("cut")
        try FileManager.default.createDirectory(atPath: cut, withIntermediateDirectories: false)
        for keep in [whole.count / 2, whole.count - 4096, 3 * 4096] {
            FileManager.default.createFile(atPath: cut + "/data.mdb", contents: Data(whole.prefix(keep)))
            for command in [["status"], ["export"], ["query", "MATCH (n) RETURN count(n) AS n"], ["import", "-"],
                ["audit", "history"], ["schema", "show"]]
            {
                let result = try harness.run(["--db", cut] + command, stdin: Data())
                #expect(result.exitCode == 3, "\(keep) bytes, \(command): \(result)")
                #expect(result.err.contains("Storage.Corrupted") && result.err.contains("truncated"), "\(command): \(result)")
                #expect(try fileBytes(cut + "/data.mdb") == whole.prefix(keep), "cmdb \(command) changed the cut file")
            }
        }
    }

    @Test("messages name the command, the path and the rule that was broken")
    func clearMessages() throws {
        let unknown = try harness.cmdb("frobnicate", db: harness.sandbox.path("p"))
        #expect(unknown.exitCode == 2)
        #expect(unknown.err.contains("unknown command 'frobnicate'") && !unknown.err.contains("--db"), "\(unknown)")
        try harness.makeDatabase(withSample: true)
        let depth = try harness.cmdb("impact", "srv-dc01", "--depth", "-5")
        #expect(depth.exitCode == 2)
        #expect(depth.err.contains("--depth must be 0 or more"), "\(depth)")
        let changes = try harness.cmdb("status", "--changes", "-1")
        #expect(changes.exitCode == 2 && changes.err.contains("--changes must be 0 or more"), "\(changes)")
    }
}

/// verify reads only regular files from a snapshot folder.
struct SnapshotFolderTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("a FIFO or a symlink to /dev/zero in the snapshot folder is skipped with a warning naming it")
    func irregularSnapshotFilesSkipped() throws {
        try harness.makeDatabase(withSample: true)
        let folder = harness.sandbox.path("snapshots")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.copyItem(
            atPath: Paths.fixture("snapshots/vcenter-bb.jsonl"), toPath: folder + "/a-vcenter.jsonl")
        #expect(mkfifo(folder + "/b-fifo.jsonl", 0o600) == 0)
        #expect(symlink("/dev/zero", folder + "/c-zero.jsonl") == 0)
        let result = try harness.run(["--db", harness.db, "verify", folder], timeout: 60)
        #expect(result.exitCode == 0 || result.exitCode == 1, "\(result)")
        #expect(result.err.contains("warning: skipping '\(folder)/b-fifo.jsonl': a FIFO, not a regular file"),
            "\(result)")
        #expect(result.err.contains("warning: skipping '\(folder)/c-zero.jsonl': a character device"), "\(result)")
        #expect(result.err.contains("verified 1 snapshot"), "\(result)")

        // Named explicitly, such a file is refused (exit 2), before anything is read.
        let named = try harness.run(["--db", harness.db, "verify", folder + "/b-fifo.jsonl"], timeout: 60)
        #expect(named.exitCode == 2 && named.err.contains("a FIFO, not a regular file"), "\(named)")
    }
}
