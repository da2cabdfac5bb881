import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The end-to-end tests run the real `cmdb` binary in a child process, each test in its own temporary directory.
//
// The binary is $CMDB_BIN, else `<package root>/.build/debug/cmdb`. Output goes to files (never pipes), so a
// chatty child can never dead-lock against the test waiting for it.

/// Where things are: the binary under test and the package's fixtures.
enum Paths {
    /// The package root, derived from this file's place: `<root>/Tests/EndToEndTests/CommandHarness.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        if let given = ProcessInfo.processInfo.environment["CMDB_BIN"], !given.isEmpty { return given }
        return packageRoot.appendingPathComponent(".build/debug/cmdb").path
    }

    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("fixtures").appendingPathComponent(name).path
    }

    /// The sample CMDB: 424 CIs, 872 relations.
    static var sample: String { fixture("schoolbestuur.jsonl") }
    /// The later changes to the sample: 18 CI lines, 4 relations.
    static var sampleChanges: String { fixture("schoolbestuur-changes.jsonl") }
}

/// What one run of the binary did.
struct CommandResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    /// The exit status, or 128 + signal number when a signal ended the process.
    var exitCode: Int32
    /// The signal that ended the process, if one did.
    var signal: Int32?
    var stdout: Data
    var stderr: Data
    var duration: Duration

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }

    var description: String {
        let shownErr = err.count > 2_000 ? String(err.prefix(2_000)) + "…" : err
        let shownOut = out.count > 500 ? String(out.prefix(500)) + "…" : out
        return "cmdb \(arguments.joined(separator: " ")) → exit \(exitCode)\n--- stderr:\n\(shownErr)--- stdout:\n\(shownOut)"
    }
}

/// A temporary directory owned by one test; removed when the last reference goes away.
final class Sandbox: @unchecked Sendable {
    let url: URL
    private let counter = Counter()

    init() throws {
        let base = FileManager.default.temporaryDirectory
        let dir = base.appendingPathComponent("cmdb-e2e-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("tmp", isDirectory: true), withIntermediateDirectories: true)
        url = dir
    }

    /// The TMPDIR children get, so that what a killed process leaves behind goes with the sandbox.
    var temporaryDirectory: String { path("tmp") }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to a file in the sandbox and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    @discardableResult
    func write(_ name: String, data: Data) throws -> String {
        let p = path(name)
        try data.write(to: URL(fileURLWithPath: p))
        return p
    }

    /// A fresh file name in the sandbox, for captured output.
    func uniqueName(_ stem: String) -> String { path(".\(stem)-\(counter.next())") }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// A `cmdb` process started in the background.
final class RunningCommand: @unchecked Sendable {
    let process: ChildProcess
    let arguments: [String]
    private let stdoutPath: String
    private let stderrPath: String
    private let started = ContinuousClock.now

    fileprivate init(process: ChildProcess, arguments: [String], stdoutPath: String, stderrPath: String) {
        self.process = process
        self.arguments = arguments
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    var pid: Int32 { process.pid }

    /// What the process wrote to stderr so far (it may still be running).
    var stderrSoFar: String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self)
    }

    /// True while the process has not exited.
    var isRunning: Bool { process.isRunning }

    func send(_ signal: Int32) {
        process.send(signal)
    }

    /// Waits for the process to end; past `timeout` seconds it is killed and the test fails.
    func wait(timeout: Double = 300) -> CommandResult {
        let termination: ChildProcess.Termination
        if let ended = process.wait(seconds: timeout) {
            termination = ended
        } else {
            Issue.record("cmdb \(arguments.joined(separator: " ")) did not finish within \(timeout) s; killed")
            process.send(SIGKILL)
            termination = process.waitUntilExit()
        }
        let duration = ContinuousClock.now - started
        let (code, signal): (Int32, Int32?) =
            switch termination {
            case .exit(let status): (status, nil)
            case .signal(let number): (128 + number, number)
            }
        let out = (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data()
        let err = (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data()
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
        return CommandResult(
            arguments: arguments, exitCode: code, signal: signal, stdout: out, stderr: err, duration: duration)
    }
}

/// Runs the binary for one test, in that test's sandbox.
struct Harness {
    let sandbox: Sandbox

    init() throws {
        sandbox = try Sandbox()
        let binary = Paths.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary),
            "no cmdb binary at \(binary): build it first (swift build), or set CMDB_BIN")
    }

    /// The test's default database directory (not created until `init`).
    var db: String { sandbox.path("db") }

    /// Starts `cmdb ARGS` in the background. Standard input is `stdin` (or a file at `stdinFile`), else
    /// /dev/null; the environment is the test's, without CMDB_DB and CMDB_ACTOR, with TMPDIR in the sandbox,
    /// plus `environment`.
    func start(
        _ arguments: [String], stdin: Data? = nil, stdinFile: String? = nil, stdinHandle: FileHandle? = nil,
        environment: [String: String] = [:], executable: String = Paths.binary
    ) throws -> RunningCommand {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CMDB_DB")
        env.removeValue(forKey: "CMDB_ACTOR")
        env["TMPDIR"] = sandbox.temporaryDirectory
        for (k, v) in environment { env[k] = v }

        let outPath = sandbox.uniqueName("stdout")
        let errPath = sandbox.uniqueName("stderr")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }

        var inHandle: FileHandle?
        if let stdin {
            let inPath = sandbox.uniqueName("stdin")
            try stdin.write(to: URL(fileURLWithPath: inPath))
            inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else if let stdinFile {
            inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinFile))
        }
        defer { try? inHandle?.close() }
        // A handle of the caller's (a pipe it writes to) stays open: the caller closes it.
        let input = stdinHandle ?? inHandle

        let process = try ChildProcess(
            executable, arguments, environment: env, directory: sandbox.url.path,
            stdin: input.map { .descriptor($0.fileDescriptor) } ?? .null,
            stdout: .descriptor(outHandle.fileDescriptor), stderr: .descriptor(errHandle.fileDescriptor))
        return RunningCommand(process: process, arguments: arguments, stdoutPath: outPath, stderrPath: errPath)
    }

    /// Runs `cmdb ARGS` to the end.
    @discardableResult
    func run(
        _ arguments: [String], stdin: Data? = nil, stdinFile: String? = nil, environment: [String: String] = [:],
        timeout: Double = 300
    ) throws -> CommandResult {
        try start(arguments, stdin: stdin, stdinFile: stdinFile, environment: environment).wait(timeout: timeout)
    }

    /// Runs `cmdb --db DB ARGS` (DB: the test's default database unless given).
    @discardableResult
    func cmdb(
        _ arguments: String..., db: String? = nil, stdin: Data? = nil, stdinFile: String? = nil,
        environment: [String: String] = [:]
    ) throws -> CommandResult {
        try run(["--db", db ?? self.db] + arguments, stdin: stdin, stdinFile: stdinFile, environment: environment)
    }

    /// Runs a command that must succeed, and returns its result.
    @discardableResult
    func succeed(
        _ arguments: String..., db: String? = nil, stdin: Data? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CommandResult {
        let result = try run(["--db", db ?? self.db] + arguments, stdin: stdin)
        try #require(result.exitCode == 0, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    /// A database at `db` (default: the test's) with the built-in schema, optionally loaded with the sample.
    func makeDatabase(
        _ db: String? = nil, withSample: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try succeed("init", db: db, sourceLocation: sourceLocation)
        if withSample {
            try succeed("import", Paths.sample, "--change", "CHG-SAMPLE", db: db, sourceLocation: sourceLocation)
        }
    }

    /// The jsonl export of a database, which must succeed.
    func export(
        _ db: String? = nil, format: String = "jsonl", sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Data {
        try succeed("export", "--format", format, db: db, sourceLocation: sourceLocation).stdout
    }

    /// The `cmdb status` output, which must succeed.
    func status(_ db: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Status {
        let result = try succeed("status", db: db, sourceLocation: sourceLocation)
        return try #require(
            Status(result.out), "unreadable status output:\n\(result.out)", sourceLocation: sourceLocation)
    }

    /// Runs an external tool (not cmdb) to the end.
    func tool(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> CommandResult {
        try start(arguments, stdin: stdin, executable: path).wait(timeout: 120)
    }
}

/// What `cmdb status` says, parsed: the counts and the recent changes.
struct Status {
    struct Change: Equatable {
        var transaction: Int
        var actor: String
        var changeReference: String
        var what: String
    }

    var ciCount: Int
    var relationCount: Int
    /// Newest first, as listed.
    var changes: [Change]
    var text: String

    var latestTransaction: Int? { changes.map(\.transaction).max() }

    /// Parses "database D: N CIs, M relations, …" and the "recent changes" table
    /// (columns: tx, date-time, actor, change, what).
    init?(_ text: String) {
        self.text = text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first,
            let counts = first.firstMatch(of: /: (\d+) CIs, (\d+) relations/),
            let cis = Int(counts.1), let rels = Int(counts.2)
        else { return nil }
        ciCount = cis
        relationCount = rels
        changes = []
        guard let start = lines.firstIndex(of: "recent changes") else { return nil }
        // Skip the header and the dashes under it.
        for line in lines.dropFirst(start + 3) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 5, let tx = Int(fields[0]) else { return nil }
            changes.append(
                Change(transaction: tx, actor: fields[2], changeReference: fields[3],
                    what: fields.dropFirst(4).joined(separator: " ")))
        }
    }
}

/// Line counting for JSON Lines text.
enum JSONL {
    static func lines(_ data: Data) -> [Substring] {
        String(decoding: data, as: UTF8.self).split(separator: "\n")
    }

    static func count(_ data: Data, kind: String) -> Int {
        lines(data).filter { $0.contains("\"kind\":\"\(kind)\"") }.count
    }

    static func count(file: String, kind: String) throws -> Int {
        count(try Data(contentsOf: URL(fileURLWithPath: file)), kind: kind)
    }
}

/// The bytes of a file, for before/after comparisons.
func fileBytes(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
}

/// The permission bits of a file, e.g. 0o700.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    let mode = try #require(attributes[.posixPermissions] as? NSNumber, "no permissions for \(path)")
    return mode.intValue & 0o777
}
