import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The files a command writes or opens besides its output: report targets that are not regular files, the
/// database's own `data.mdb` and `lock.mdb` planted as symlinks, and output that cannot be written (found by the
/// hostile tester: `--report /dev/null` replaced the device node, read-only commands overwrote a `lock.mdb`
/// symlink's target, `status > /dev/full` exited 0).
struct DatabaseFilesTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.succeed("init")
        try harness.succeed("import", Paths.sample, "--change", "CHG-SAMPLE")
    }

    func fileType(_ path: String) -> mode_t {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        return st.st_mode & S_IFMT
    }

    /// Runs `cmdb --db DB ARGS` through the shell with its standard output redirected as `redirect` says.
    func shell(_ arguments: [String], stdout redirect: String) throws -> CommandResult {
        let quoted = ([Paths.binary, "--db", harness.db] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try harness.tool("/bin/sh", ["-c", "\(quoted) \(redirect)"])
    }

    // MARK: - report targets

    @Test("--report into a FIFO writes into it and leaves the FIFO in place")
    func reportIntoFIFO() throws {
        let fifo = harness.sandbox.path("report.fifo")
        try #require(mkfifo(fifo, 0o600) == 0)
        let received = LockedData()
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            guard fd >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received.append(buffer[0..<n])
            }
            close(fd)
        }
        reader.start()
        let audit = try harness.cmdb("audit", "--report", fifo, "--format", "json")
        // The reader blocks in open until a writer comes: unblock it if the run never opened the FIFO.
        let unblock = open(fifo, O_WRONLY | O_NONBLOCK)
        if unblock >= 0 { close(unblock) }
        #expect(audit.exitCode == 0, "\(audit)")
        #expect(fileType(fifo) == S_IFIFO, "the FIFO was replaced")
        for _ in 0..<200 where !String(decoding: received.value, as: UTF8.self).contains("\"scores\"") { usleep(10_000) }
        #expect(String(decoding: received.value, as: UTF8.self).contains("\"scores\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.sandbox.path(".")).allSatisfy {
            !$0.contains(".tmp-")
        })
    }

    @Test("--report into a symlink to the standard output writes the report there; the link stays")
    func reportThroughStdoutLink() throws {
        let link = harness.sandbox.path("stdout")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/proc/self/fd/1")
        let audit = try harness.cmdb("audit", "--report", link, "--format", "json")
        #expect(audit.exitCode == 0, "\(audit)")
        #expect(audit.out.contains("\"scores\""), "\(audit)")
        #expect(fileType(link) == S_IFLNK)
        let verify = try harness.cmdb("verify", Paths.fixture("snapshots"), "--report", link)
        #expect(fileType(link) == S_IFLNK, "\(verify)")
    }

    @Test("--report into a character device writes into it and leaves the node in place")
    func reportIntoDevice() throws {
        // A copy of /dev/null's node in the sandbox (never the real one); making it needs root.
        let node = harness.sandbox.path("null")
        try #require(mknod(node, S_IFCHR | 0o666, dev_t(1 << 8 | 3)  /* makedev(1, 3) */) == 0 || getuid() != 0)
        let target = fileType(node) == S_IFCHR ? node : "/dev/null"
        let audit = try harness.cmdb("audit", "--report", target)
        #expect(audit.exitCode == 0, "\(audit)")
        #expect(fileType(target) == S_IFCHR, "the device node was replaced")
    }

    @Test("--report into a directory is refused, exit 2, naming it")
    func reportIntoDirectory() throws {
        let directory = harness.sandbox.path("reports")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let audit = try harness.cmdb("audit", "--report", directory)
        #expect(audit.exitCode == 2, "\(audit)")
        #expect(audit.err.contains(directory), "\(audit)")
        #expect(fileType(directory) == S_IFDIR)
    }

    // MARK: - data.mdb and lock.mdb

    @Test("a lock.mdb symlink is refused by reading and writing commands alike; its target is untouched")
    func lockFileSymlink() throws {
        let victim = try harness.sandbox.write("victim.txt", "precious data\n")
        try FileManager.default.removeItem(atPath: harness.db + "/lock.mdb")
        try FileManager.default.createSymbolicLink(atPath: harness.db + "/lock.mdb", withDestinationPath: victim)
        for command in [["status"], ["export"], ["history", "srv-dc01"], ["schema", "show"], ["change", "list"],
            ["baseline", "list"], ["query", "RETURN 1"]]
        {
            let result = try harness.run(["--db", harness.db] + command)
            #expect(result.exitCode == 3, "\(result)")
            #expect(result.err.contains("error[Storage."), "\(result)")
            #expect(result.err.contains("lock.mdb"), "\(result)")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious data\n")
    }

    @Test("token create does not write through links planted at the token file's temporary or lock file")
    func tokenFileSymlinks() throws {
        let victim = try harness.sandbox.write("victim-tokens.txt", "precious data\n")
        try FileManager.default.createSymbolicLink(atPath: harness.db + "/tokens.new", withDestinationPath: victim)
        let created = try harness.run(["--db", harness.db, "token", "create", "bot", "--role", "reader"])
        #expect(created.exitCode == 0, "\(created)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious data\n")
        #expect(try harness.cmdb("token", "list").out.contains("bot"))
    }

    @Test("a data.mdb symlink is refused, read-only or not, and init does not follow a dangling one")
    func dataFileSymlink() throws {
        let other = harness.sandbox.path("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: other + "/data.mdb", withDestinationPath: harness.db + "/data.mdb")
        for command in [["status"], ["query", "RETURN 1"]] {
            let result = try harness.run(["--db", other] + command)
            #expect(result.exitCode == 3, "\(result)")
            #expect(result.err.contains("data.mdb") && result.err.contains("symbolic link"), "\(result)")
        }
        #expect(fileType(other + "/lock.mdb") == 0, "a second lock file was made for the same data file")

        let dangling = harness.sandbox.path("dangling")
        try FileManager.default.createDirectory(atPath: dangling, withIntermediateDirectories: true)
        let outside = harness.sandbox.path("outside.mdb")
        try FileManager.default.createSymbolicLink(atPath: dangling + "/data.mdb", withDestinationPath: outside)
        let initialised = try harness.run(["--db", dangling, "init"])
        #expect(initialised.exitCode == 3, "\(initialised)")
        #expect(initialised.err.contains("data.mdb"), "\(initialised)")
        #expect(fileType(outside) == 0, "init created a file outside the database directory")
    }

    @Test("a database directory given through a symlink still opens")
    func directorySymlink() throws {
        let link = harness.sandbox.path("db-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: harness.db)
        try harness.succeed("status", db: link)
        try harness.succeed("query", "RETURN 1", db: link)
    }

    // MARK: - output that cannot be written

    @Test("every command whose standard output cannot be written says so and exits 3")
    func outputToFullDevice() throws {
        for command in [["status"], ["schema", "show"], ["change", "list"], ["audit", "history"], ["export"]] {
            let result = try shell(command, stdout: "> /dev/full")
            #expect(result.exitCode == 3, "\(command): \(result)")
            #expect(result.err.contains("error[Usage.OutputFailed]"), "\(command): \(result)")
        }
    }

    // MARK: - init's errors

    @Test("init under a missing parent directory names the directory")
    func initMissingParent() throws {
        let path = harness.sandbox.path("no/such/parent/db")
        let result = try harness.run(["--db", path, "init"])
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.err.contains(harness.sandbox.path("no/such/parent")), "\(result)")
        let long = harness.sandbox.path(String(repeating: "x", count: 300))
        let tooLong = try harness.run(["--db", long, "init"])
        #expect(tooLong.exitCode != 0, "\(tooLong)")
        #expect(tooLong.err.contains(String(repeating: "x", count: 300)), "\(tooLong)")
    }
}

/// Bytes appended by one thread and read by another.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ bytes: ArraySlice<UInt8>) {
        lock.lock()
        data.append(contentsOf: bytes)
        lock.unlock()
    }
    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// `init` killed at any moment leaves a database that opens or a directory `init` can be run on again (found by the
/// hostile tester: a kill between LMDB creating data.mdb and the schema's commit left neither).
struct InterruptedInitTests {
    @Test("kill -9 during init: afterwards the database opens, or init runs again and then it opens")
    func killDuringInit() throws {
        let harness = try Harness()
        for delay in stride(from: 0, through: 150, by: 6) {
            let db = harness.sandbox.path("db-\(delay)")
            let running = try harness.start(["--db", db, "init"])
            usleep(useconds_t(delay * 1000))
            running.send(SIGKILL)
            _ = running.wait()
            if try harness.cmdb("status", db: db).exitCode == 0 { continue }
            let again = try harness.cmdb("init", db: db)
            #expect(again.exitCode == 0, "after a kill at \(delay) ms: \(again)")
            let status = try harness.cmdb("status", db: db)
            #expect(status.exitCode == 0, "after a kill at \(delay) ms and a new init: \(status)")
        }
    }
}
