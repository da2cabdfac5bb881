import Foundation
import Testing

/// `cmdb init`, a missing database, and the command line itself.
struct InitAndCommandLineTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    @Test("an option given before the command and again after it is refused, not silently overridden")
    func optionBeforeAndAfterTheCommand() throws {
        let a = harness.sandbox.path("a"), b = harness.sandbox.path("b")
        try harness.succeed("init", db: a)
        try harness.succeed("init", db: b)
        let line = try harness.sandbox.write("one.jsonl", #"{"kind":"ci","id":"app-where","class":"Application"}"# + "\n")
        for arguments in [
            ["--db", a, "import", "--db", b, line], ["--db=" + a, "import", "--db=" + b, line],
            ["--db", a, "--timeout", "0", "import", line, "--timeout", "2"], ["--db", a, "--db", b, "import", line],
        ] {
            let result = try harness.run(arguments)
            #expect(result.exitCode == 2, "\(arguments): \(result)")
            #expect(result.err.contains("given twice"), "\(arguments): \(result)")
        }
        for db in [a, b] {
            let count = try harness.succeed("query", "MATCH (n {id: 'app-where'}) RETURN count(n) AS n", "--format", "csv", db: db)
            #expect(count.out.hasSuffix("0\n"), "\(db) was written: \(count.out)")
        }
        // Once, before or after, is fine.
        #expect(try harness.run(["--db", a, "import", line]).exitCode == 0)
        #expect(try harness.run(["import", "--db", b, line]).exitCode == 0)
    }

    @Test("init creates the directory 0700 and its files 0600")
    func initCreatesPrivateFiles() throws {
        let result = try harness.cmdb("init")
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.isEmpty, "init writes diagnostics to stderr only")

        var isDirectory: ObjCBool = false
        try #require(FileManager.default.fileExists(atPath: harness.db, isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        #expect(try permissions(harness.db) == 0o700)
        for file in ["data.mdb", "lock.mdb"] {
            let path = harness.db + "/" + file
            try #require(FileManager.default.fileExists(atPath: path), "\(file) missing")
            #expect(try permissions(path) == 0o600, "\(file) should be 0600")
        }

        let status = try harness.status()
        #expect(status.ciCount == 0)
        #expect(status.relationCount == 0)
    }

    @Test("init on an existing database fails, names the path and changes nothing")
    func initTwiceFails() throws {
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let dataBefore = try fileBytes(harness.db + "/data.mdb")
        let lockBefore = try fileBytes(harness.db + "/lock.mdb")
        let listingBefore = try FileManager.default.contentsOfDirectory(atPath: harness.db).sorted()

        let again = try harness.cmdb("init")
        #expect(again.exitCode != 0, "\(again)")
        #expect(again.err.contains(harness.db), "the message should name the database path: \(again.err)")

        let againEmpty = try harness.cmdb("init", "--schema", "none")
        #expect(againEmpty.exitCode != 0, "\(againEmpty)")

        #expect(try fileBytes(harness.db + "/data.mdb") == dataBefore, "data.mdb was changed by a failed init")
        #expect(try fileBytes(harness.db + "/lock.mdb") == lockBefore, "lock.mdb was changed by a failed init")
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.db).sorted() == listingBefore)
        #expect(try harness.export() == exportBefore)
        #expect(try harness.status().ciCount == 424)
    }

    @Test("a command on a missing database exits 3 and suggests cmdb init")
    func missingDatabase() throws {
        let result = try harness.run(["--db", "/nonexistent/x", "status"])
        #expect(result.exitCode == 3, "\(result)")
        #expect(result.err.contains("cmdb init"), "should suggest 'cmdb init': \(result.err)")
        #expect(result.err.contains("/nonexistent/x"), "should name the path: \(result.err)")
        #expect(result.stdout.isEmpty)

        // Reading commands must not create anything where no database is.
        let missing = harness.sandbox.path("missing")
        for command in [["status"], ["export"], ["schema", "show"], ["import", Paths.sample]] {
            let r = try harness.run(["--db", missing] + command)
            #expect(r.exitCode == 3, "\(r)")
            #expect(r.err.contains("cmdb init"), "\(r)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing), "a failed command created \(missing)")
    }

    @Test("the database defaults to $CMDB_DB, else ./cmdb-data")
    func databaseLocationDefaults() throws {
        let fromEnvironment = harness.sandbox.path("from-env")
        #expect(try harness.run(["init"], environment: ["CMDB_DB": fromEnvironment]).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: fromEnvironment + "/data.mdb"))

        // The harness runs cmdb in the sandbox, so ./cmdb-data is inside it.
        #expect(try harness.run(["init"]).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: harness.sandbox.path("cmdb-data") + "/data.mdb"))

        // --db wins over $CMDB_DB.
        let explicit = harness.sandbox.path("explicit")
        #expect(try harness.run(["--db", explicit, "init"], environment: ["CMDB_DB": fromEnvironment]).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: explicit + "/data.mdb"))
    }

    @Test("--help exits 0 and prints usage to stdout")
    func help() throws {
        let result = try harness.run(["--help"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.out.contains("USAGE:"), "usage should be on stdout: \(result.out)")
        for command in ["init", "import", "export", "status", "schema"] {
            #expect(result.out.contains(command), "help should list '\(command)'")
        }
        #expect(result.stderr.isEmpty, "help should not write to stderr: \(result.err)")

        let sub = try harness.run(["import", "--help"])
        #expect(sub.exitCode == 0, "\(sub)")
        #expect(sub.out.contains("--dry-run"))
    }

    @Test("an unknown option exits 2 with a message on stderr")
    func unknownOption() throws {
        for arguments in [["--bogus"], ["status", "--bogus"], ["--db", harness.db, "export", "--frobnicate"]] {
            let result = try harness.run(arguments)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.err.contains("--bogus") || result.err.contains("--frobnicate"), "\(result)")
            #expect(result.stdout.isEmpty, "usage errors go to stderr: \(result.out)")
        }
        let unknownCommand = try harness.run(["frobnicate"])
        #expect(unknownCommand.exitCode == 2, "\(unknownCommand)")

        let badFormat = try harness.run(["--db", harness.db, "export", "--format", "xml"])
        #expect(badFormat.exitCode == 2, "\(badFormat)")
    }
}
