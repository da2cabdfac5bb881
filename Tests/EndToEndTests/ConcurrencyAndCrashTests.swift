import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Several processes on one database, and a writer killed mid-import.
///
/// Serialized: these tests time processes against each other and are CPU-heavy; on a small machine they must
/// not compete with each other.
@Suite(.serialized)
struct ConcurrencyAndCrashTests {
    let harness: Harness

    init() throws { harness = try Harness() }

    /// CIs in the large generated import: long enough (many seconds in a debug build) to act during it.
    static let largeCICount = 300_000

    /// Writes `cmdb generate --cis N --seed S` to a file in the sandbox and returns its path.
    private func generate(cis: Int, seed: Int, name: String) throws -> String {
        let path = harness.sandbox.path(name)
        let generated = try harness.run(["generate", "--cis", String(cis), "--seed", String(seed)], timeout: 300)
        try #require(generated.exitCode == 0, "\(generated)")
        try generated.stdout.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Lines of `count` Database CIs with ids `prefix-00000`…, valid for the built-in schema.
    private func databaseLines(prefix: String, count: Int) -> String {
        var text = ""
        text.reserveCapacity(count * 90)
        for i in 0..<count {
            let id = "\(prefix)-\(String(format: "%06d", i))"
            text += #"{"kind":"ci","id":""# + id + #"","class":"Database","attrs":{"engine":"postgres","owner":"team-"#
                + prefix + "\"}}\n"
        }
        return text
    }

    @Test("kill -9 during a large import leaves the last committed state, and a new import succeeds")
    func killDuringImport() throws {
        let big = try generate(cis: Self.largeCICount, seed: 7, name: "big.jsonl")
        try harness.makeDatabase(withSample: true)
        let committed = try harness.export()
        let statusBefore = try harness.status()

        let importing = try harness.start(["--db", harness.db, "import", big, "--change", "CHG-KILLED"])
        usleep(1_000_000)
        try #require(importing.isRunning, "the import finished within 1 s; make largeCICount larger")
        importing.send(SIGKILL)
        let killed = importing.wait(timeout: 30)
        #expect(killed.signal == SIGKILL, "\(killed)")

        // The database opens, reads, and holds exactly what was committed before.
        let status = try harness.status()
        #expect(status.ciCount == statusBefore.ciCount)
        #expect(status.relationCount == statusBefore.relationCount)
        #expect(status.changes == statusBefore.changes, "a killed import left a change record")
        #expect(!status.text.contains("CHG-KILLED"))
        #expect(try harness.export() == committed, "the export after kill -9 differs from the one before the import")

        // Killed again later in the import (if it is still running by then): still all or nothing.
        let second = try harness.start(["--db", harness.db, "import", big, "--change", "CHG-SECOND"])
        usleep(6_000_000)
        let killedLate = second.isRunning
        if killedLate { second.send(SIGKILL) }
        let secondResult = second.wait(timeout: 600)
        if killedLate {
            #expect(secondResult.signal == SIGKILL, "\(secondResult)")
            #expect(try harness.status().changes == statusBefore.changes)
            #expect(try harness.export() == committed, "the export after a late kill -9 differs")
        } else {
            #expect(secondResult.exitCode == 0, "\(secondResult)")
        }

        // A complete import works.
        let again = try harness.run(["--db", harness.db, "import", big, "--change", "CHG-AGAIN"], timeout: 600)
        #expect(again.exitCode == 0, "\(again)")
        let after = try harness.status()
        #expect(after.ciCount == statusBefore.ciCount + Self.largeCICount, "\(after.text)")
        #expect(after.relationCount > statusBefore.relationCount + Self.largeCICount, "\(after.text)")
        let latest = try #require(after.changes.first)
        #expect(latest.changeReference == (killedLate ? "CHG-AGAIN" : "CHG-SECOND"))
        #expect(latest.transaction == (statusBefore.latestTransaction ?? 0) + 1)
        #expect(after.changes.count == statusBefore.changes.count + 1)
    }

    @Test("a reader in another process answers promptly with the old content while a large import runs")
    func readersDuringImport() throws {
        let big = try generate(cis: Self.largeCICount, seed: 8, name: "big.jsonl")
        try harness.makeDatabase(withSample: true)
        let exportBefore = try harness.export()
        let statusBefore = try harness.status()

        let importing = try harness.start(["--db", harness.db, "import", big, "--change", "CHG-BIG"])
        usleep(500_000)
        try #require(importing.isRunning, "the import finished within 0.5 s; make largeCICount larger")

        var roundsDuringImport = 0
        for _ in 0..<5 {
            guard importing.isRunning else { break }
            let status = try harness.run(["--db", harness.db, "status"], timeout: 60)
            let export = try harness.run(["--db", harness.db, "export"], timeout: 60)
            let stillRunning = importing.isRunning
            for r in [status, export] {
                #expect(r.exitCode == 0, "\(r)")
                #expect(r.duration < .seconds(5), "a reader took \(r.duration) while an import ran")
            }
            // Only a reader that ran entirely during the import must see the old content.
            guard stillRunning else { break }
            roundsDuringImport += 1
            let seen = try #require(Status(status.out), "\(status.out)")
            #expect(seen.ciCount == statusBefore.ciCount && seen.relationCount == statusBefore.relationCount)
            #expect(seen.changes == statusBefore.changes)
            #expect(export.stdout == exportBefore, "a reader saw uncommitted data")
            usleep(200_000)
        }
        #expect(roundsDuringImport >= 3, "only \(roundsDuringImport) reader rounds overlapped the import")

        let finished = importing.wait(timeout: 600)
        #expect(finished.exitCode == 0, "\(finished)")
        let after = try harness.status()
        #expect(after.ciCount == statusBefore.ciCount + Self.largeCICount)
        #expect(after.changes.first?.changeReference == "CHG-BIG")
    }

    @Test("two writers in two processes both succeed as separate transactions")
    func twoWriters() throws {
        let count = 40_000
        let a = try harness.sandbox.write("a.jsonl", databaseLines(prefix: "a", count: count))
        let b = try harness.sandbox.write("b.jsonl", databaseLines(prefix: "b", count: count))
        try harness.makeDatabase(withSample: true)
        let before = try harness.status()
        let base = try #require(before.latestTransaction)

        let first = try harness.start(["--db", harness.db, "import", a, "--change", "CHG-A", "--actor", "writer-a"])
        let second = try harness.start(["--db", harness.db, "import", b, "--change", "CHG-B", "--actor", "writer-b"])
        let resultA = first.wait(timeout: 300)
        let resultB = second.wait(timeout: 300)
        #expect(resultA.exitCode == 0, "\(resultA)")
        #expect(resultB.exitCode == 0, "\(resultB)")
        #expect(resultA.err.contains("\(count) CIs added"), "\(resultA.err)")
        #expect(resultB.err.contains("\(count) CIs added"), "\(resultB.err)")

        let export = try harness.export()
        let lines = JSONL.lines(export)
        #expect(lines.filter { $0.contains(#""id":"a-"#) }.count == count)
        #expect(lines.filter { $0.contains(#""id":"b-"#) }.count == count)
        #expect(JSONL.count(export, kind: "ci") == 424 + 2 * count)

        let status = try harness.status()
        #expect(status.ciCount == 424 + 2 * count)
        let changeA = try #require(status.changes.first { $0.changeReference == "CHG-A" }, "\(status.text)")
        let changeB = try #require(status.changes.first { $0.changeReference == "CHG-B" }, "\(status.text)")
        #expect(changeA.actor == "writer-a" && changeB.actor == "writer-b")
        #expect(changeA.transaction != changeB.transaction)
        #expect(Set([changeA.transaction, changeB.transaction]) == Set([base + 1, base + 2]))
        #expect(changeA.what.contains("+\(count)") && changeB.what.contains("+\(count)"))
    }

    @Test("two writers that touch the same CIs: each import is applied whole, one after the other")
    func twoWritersSameCIs() throws {
        let count = 30_000
        // Same ids, different owner: the later transaction wins for every CI, never a mix.
        let x = try harness.sandbox.write("x.jsonl", databaseLines(prefix: "s", count: count))
        let y = try harness.sandbox.write(
            "y.jsonl", databaseLines(prefix: "s", count: count).replacingOccurrences(of: "team-s", with: "team-y"))
        try harness.makeDatabase()

        let first = try harness.start(["--db", harness.db, "import", x, "--change", "CHG-X"])
        let second = try harness.start(["--db", harness.db, "import", y, "--change", "CHG-Y"])
        let resultX = first.wait(timeout: 300)
        let resultY = second.wait(timeout: 300)
        #expect(resultX.exitCode == 0, "\(resultX)")
        #expect(resultY.exitCode == 0, "\(resultY)")

        let status = try harness.status()
        #expect(status.ciCount == count)
        let latest = try #require(status.changes.first)
        let winner = latest.changeReference == "CHG-X" ? "team-s" : "team-y"
        let loser = winner == "team-s" ? "team-y" : "team-s"
        let export = String(decoding: try harness.export(), as: UTF8.self)
        #expect(!export.contains(loser), "the export mixes both imports; the last one (\(latest.changeReference)) should win")
        #expect(export.components(separatedBy: winner).count - 1 == count)
    }
}
