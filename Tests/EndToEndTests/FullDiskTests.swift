import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small file system of its own, mounted for one test: a 20 MB tmpfs in the sandbox.
///
/// Mounting needs root (CI runs as root); elsewhere the tests that use it are skipped.
final class SmallFileSystem {
    let path: String

    static var canMount: Bool { getuid() == 0 }

    init(in sandbox: Sandbox, megabytes: Int = 20) throws {
        path = sandbox.path("fs")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let rc = mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m,mode=0700")
        try #require(rc == 0, "cannot mount a tmpfs at \(path): \(String(cString: strerror(errno)))")
    }

    deinit { umount2(path, Int32(MNT_DETACH)) }

    var fillPath: String { path + "/fill" }

    /// Writes a file until the file system is full.
    func fill() throws {
        let fd = open(fillPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0xA5, count: 64 << 10)
        var size = chunk.count
        while size > 0 {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, size) }
            if n < 0 {
                try #require(errno == ENOSPC || errno == EINTR, "filling: \(String(cString: strerror(errno)))")
                if errno == ENOSPC { size /= 2 }
            }
        }
        var st = statvfs()
        try #require(statvfs(path, &st) == 0)
        try #require(st.f_bavail == 0, "the file system still has \(st.f_bavail) blocks free")
    }

    /// Frees the space `fill` took.
    func free() { unlink(fillPath) }
}

/// What every write command does on a full disk: exit 3, "no space left on device: <db>", the database
/// unchanged and usable once space is freed.
@Suite(.serialized, .enabled(if: SmallFileSystem.canMount, "mounting a tmpfs needs root (CI runs as root)"))
struct FullDiskTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    private func expectNoSpace(_ result: CommandResult, db: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.exitCode == 3, "\(result)", sourceLocation: sourceLocation)
        #expect(result.signal == nil, "\(result)", sourceLocation: sourceLocation)
        #expect(result.err.contains("no space left on device: \(db)"), "\(result)", sourceLocation: sourceLocation)
    }

    @Test("every write command on a full disk: exit 3, a clear message, nothing changed; works once space is freed")
    func writeCommandsOnFullDisk() throws {
        let fs = try SmallFileSystem(in: harness.sandbox)
        let db = fs.path + "/db"
        try harness.makeDatabase(db, withSample: true)
        let before = try harness.export(db)
        let snapshot = Paths.fixture("snapshots/vcenter-bb.jsonl")
        let report = harness.sandbox.path("audit.json")
        try fs.fill()

        expectNoSpace(try harness.cmdb("import", Paths.sampleChanges, "--change", "CHG-FULL", db: db), db: db)
        let set = try harness.cmdb(
            "query", "MATCH (n {id:'srv-dc01'}) SET n.status = 'maintenance' RETURN n.id", db: db)
        expectNoSpace(set, db: db)
        #expect(!set.out.contains("srv-dc01") && !set.err.contains("property set"), "shown before commit: \(set)")
        expectNoSpace(try harness.cmdb("audit", "--report", report, db: db), db: db)
        #expect(!FileManager.default.fileExists(atPath: report), "the report of a failed audit was put in place")
        expectNoSpace(
            try harness.cmdb("verify", snapshot, "--apply", "--change", "CHG-VERIFY", db: db), db: db)
        expectNoSpace(try harness.cmdb("baseline", "create", "full", db: db), db: db)
        expectNoSpace(
            try harness.cmdb(
                "change", "plan", "CHG-PLAN", "--ci", "srv-dc01", "--window",
                "2026-11-22T02:00/2026-11-22T05:00", db: db), db: db)
        #expect(try harness.export(db) == before, "a failed write changed the database")
        let history = try harness.succeed("audit", "history", db: db)
        #expect(history.out.contains("no audit runs yet"), "a failed audit stored its run: \(history)")

        fs.free()
        try harness.succeed("import", Paths.sampleChanges, "--change", "CHG-AFTER", db: db)
        let after = try harness.succeed(
            "query", "MATCH (n {id:'srv-dc01'}) SET n.status = 'maintenance' RETURN n.id", db: db)
        #expect(after.out.contains("srv-dc01") && after.err.contains("1 property set in transaction"), "\(after)")
        try harness.succeed("audit", "--report", report, db: db)
        #expect(FileManager.default.fileExists(atPath: report))
        try harness.succeed("baseline", "create", "after", db: db)
        #expect(try harness.export(db) != before)
    }

    @Test("a disk that fills up during a big import: no space left (not an I/O error), nothing written")
    func diskFillsDuringImport() throws {
        let fs = try SmallFileSystem(in: harness.sandbox, megabytes: 4)
        let db = fs.path + "/db"
        try harness.makeDatabase(db)
        let generated = try harness.run(["generate", "--cis", "20000", "--seed", "7"])
        try #require(generated.exitCode == 0, "\(generated.err)")
        let file = try harness.sandbox.write("big.jsonl", data: generated.stdout)
        // LMDB writes the pages in large runs: the run that hits the end of the disk comes up short (EIO from
        // LMDB), not with ENOSPC; the message still has to say the disk is full.
        expectNoSpace(try harness.cmdb("import", file, "--change", "CHG-BIG", db: db), db: db)
        #expect(try harness.status(db).ciCount == 0, "a failed import left CIs behind")
        try harness.succeed("import", Paths.sample, db: db)
        #expect(try harness.status(db).ciCount == 424)
    }

    @Test("init on a full file system: exit 3, nothing left behind, a later init works")
    func initOnFullDisk() throws {
        let fs = try SmallFileSystem(in: harness.sandbox)
        let db = fs.path + "/db"
        try fs.fill()
        let result = try harness.cmdb("init", db: db)
        expectNoSpace(result, db: db)
        #expect(!FileManager.default.fileExists(atPath: db), "init left \(db) behind")

        // Into an existing, empty directory: the directory stays, the files go.
        try FileManager.default.createDirectory(atPath: fs.path + "/given", withIntermediateDirectories: false)
        expectNoSpace(try harness.cmdb("init", db: fs.path + "/given"), db: fs.path + "/given")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fs.path + "/given").isEmpty)

        fs.free()
        try harness.succeed("init", db: db)
        try harness.succeed("import", Paths.sample, db: db)
        #expect(try harness.status(db).ciCount == 424)
    }
}
