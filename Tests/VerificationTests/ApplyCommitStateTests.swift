import ConfigurationSchema
import GraphStorage
import Testing
import Verification

/// `--apply` holds the schema's rules that depend on more than one write (unique values, relation ends) for the state
/// its transaction commits, as import and CIQL do: a duplicate that commits is refused at the snapshot line that made
/// it, naming both CIs and the attribute, and nothing is written; corrections that are only valid together apply.
struct ApplyCommitStateTests {
    static let schema = """
        version: 1
        statuses: [live, retired]
        classes:
          Server:
            identify: [[serial], [hostname]]
            attributes:
              serial: {type: string, indexed: true, discoverable: true}
              hostname: {type: string, unique: true, discoverable: true}
              os: {type: string, discoverable: true}
          VirtualServer: {parent: Server}
          Switch:
            identify: [[serial]]
            attributes:
              serial: {type: string, indexed: true, discoverable: true}
              hostname: {type: string, discoverable: true}
          Cluster:
            identify: [[code]]
            attributes:
              code: {type: string, indexed: true, discoverable: true}
        relations:
          MEMBER_OF: {from: [Server], to: [Cluster]}

        """

    /// Servers s1 (serial S1, hostname h1), s2 (S2, h2) and a switch sw1 (SW1, hostname h1: not a Server, so not in
    /// the scope of Server's unique hostname).
    private func makeDatabase() throws -> TestDatabase {
        let db = try TestDatabase(schema: Schema.parse(yaml: Self.schema))
        try db.load([
            ci("s1", "Server", ["serial": "S1", "hostname": "h1"]),
            ci("s2", "Server", ["serial": "S2", "hostname": "h2"]),
            ci("sw1", "Switch", ["serial": "SW1", "hostname": "h1"]),
        ])
        return db
    }

    private func hostnames(_ db: TestDatabase) throws -> [String: String] {
        try db.store.read { tx in
            var result: [String: String] = [:]
            try tx.forEachNode { node in
                if case .string(let h)? = node.properties["hostname"] { result[node.externalID] = h }
                return true
            }
            return result
        }
    }

    private func refusal(_ db: TestDatabase, _ classes: [String], _ lines: [String]) throws -> VerificationInputError? {
        let before = try hostnames(db)
        let transactions = try db.store.read { tx in try tx.changes().count }
        do {
            _ = try db.verifyAndApply(header(classes), lines)
        } catch let error as VerificationInputError {
            #expect(try hostnames(db) == before, "nothing written")
            #expect(try db.store.read { tx in try tx.changes().count } == transactions, "no transaction committed")
            return error
        }
        return nil
    }

    @Test("registering an item whose unique hostname another CI keeps is refused at its line, naming both CIs")
    func registeredDuplicate() throws {
        let db = try makeDatabase()
        // A replaced machine: a new serial, the old machine's hostname.
        let error = try #require(try refusal(db, ["Server"], [item("Server", ["serial": "S9", "hostname": "h1"])]))
        #expect(error.schemaReason == .uniqueAttribute && error.line == 2, "\(error)")
        #expect(error.description == "snap.jsonl:2: cannot apply: registering CI 'h1': attribute 'hostname' must be "
            + "unique among Server CIs, and 's1' already has the same value", "\(error)")
    }

    @Test("a correction giving a CI the unique hostname another CI keeps is refused at its line")
    func correctedDuplicate() throws {
        let db = try makeDatabase()
        let error = try #require(try refusal(db, ["Server"], [
            item("Server", ["serial": "S1", "hostname": "h1"]),
            item("Server", ["serial": "S2", "hostname": "h1"]),
        ]))
        #expect(error.schemaReason == .uniqueAttribute && error.line == 3, "\(error)")
        #expect(error.description == "snap.jsonl:3: cannot apply: correcting CI 's2': attribute 'hostname' must be "
            + "unique among Server CIs, and 's1' already has the same value", "\(error)")
    }

    @Test("two items registering the same unique hostname: refused at the second, naming the first")
    func twoRegistrations() throws {
        let db = try makeDatabase()
        let error = try #require(try refusal(db, ["Server"], [
            item("Server", ["serial": "S8", "hostname": "h7"]),
            item("VirtualServer", ["serial": "S9", "hostname": "h7"]),
        ]))
        #expect(error.schemaReason == .uniqueAttribute && error.line == 3, "\(error)")
        #expect(error.description == "snap.jsonl:3: cannot apply: registering CI 'h7-2': attribute 'hostname' must be "
            + "unique among Server CIs, and 'h7' already has the same value", "\(error)")
    }

    @Test("two CIs swapping their unique hostnames apply: the committed state is valid")
    func swap() throws {
        let db = try makeDatabase()
        let r = try db.verifyAndApply(header(["Server"]), [
            item("Server", ["serial": "S1", "hostname": "h2"]),
            item("Server", ["serial": "S2", "hostname": "h1"]),
        ])
        #expect(r.isApplied && r.drift.count == 2)
        #expect(try hostnames(db) == ["s1": "h2", "s2": "h1", "sw1": "h1"])
    }

    @Test("a hostname given up by a correction may be taken by a registration; another class's value is no duplicate")
    func givenUpThenTaken() throws {
        let db = try makeDatabase()
        let r = try db.verifyAndApply(header(["Server"]), [
            item("Server", ["serial": "S9", "hostname": "h2"]),
            item("Server", ["serial": "S2", "hostname": "h3"]),
        ])
        #expect(r.registered.count == 1)
        #expect(try hostnames(db) == ["s1": "h1", "s2": "h3", "h2": "h2", "sw1": "h1"])
    }

    /// A one-item snapshot of source `name` in its own file.
    private func snapshotFile(_ name: String, serial: String, hostname: String, _ db: TestDatabase) throws -> String {
        let lines = [header(["Server"], name: name), item("Server", ["serial": serial, "hostname": hostname])]
        return try db.file(name + ".jsonl", lines.joined(separator: "\n"))
    }

    @Test("several snapshots in one transaction are checked on the state it commits: a swap across two applies")
    func swapAcrossSnapshots() throws {
        let db = try makeDatabase()
        let first = try snapshotFile("a", serial: "S1", hostname: "h2", db)
        let second = try snapshotFile("b", serial: "S2", hostname: "h1", db)
        func apply(_ files: [String]) throws {
            try db.store.write(ChangeInfo(actor: "tester", changeReference: "CHG", origin: "verify")) { tx in
                var checks = ApplyChecks(schema: db.schema)
                for file in files {
                    let reader = try SnapshotReader(path: file, displayName: file, schema: db.schema, tx: tx)
                    defer { reader.close() }
                    let reconciler = Reconciler(tx: tx, schema: db.schema, reader: reader)
                    _ = try reconciler.reconcile()
                    _ = try reconciler.apply(checkingAtCommit: &checks)
                }
                try checks.check(tx)
            }
        }
        try apply([first, second])
        #expect(try hostnames(db) == ["s1": "h2", "s2": "h1", "sw1": "h1"])
        // The first half of a swap back alone: s1 takes h1, which s2 keeps; refused at its file and line.
        let third = try snapshotFile("c", serial: "S1", hostname: "h1", db)
        do {
            try apply([third])
            Issue.record("a duplicate committed")
        } catch let error as VerificationInputError {
            #expect(error.file == third && error.line == 2 && error.schemaReason == .uniqueAttribute, "\(error)")
            #expect(error.message.contains("correcting CI 's1'") && error.message.contains("'s2' already has"), "\(error)")
        }
        #expect(try hostnames(db) == ["s1": "h2", "s2": "h1", "sw1": "h1"])
    }

    @Test("a relation line before the item that registers its end applies; an end of a class not allowed is refused")
    func relationEnds() throws {
        let db = try makeDatabase()
        try db.load([ci("c1", "Cluster", ["code": "c1"])])
        let member = json(["kind": "rel", "type": "MEMBER_OF", "from": ["serial": "S9"], "to": ["code": "c1"]])
        let r = try db.verifyAndApply(header(["Server", "Cluster"]), [
            member,
            item("Server", ["serial": "S9", "hostname": "h9"]),
            item("Cluster", ["code": "c1"]),
        ])
        #expect(r.unregisteredRelations.map(\.isApplied) == [true], "\(r.unregisteredRelations)")
        let wrong = json(["kind": "rel", "type": "MEMBER_OF", "from": ["serial": "SW9"], "to": ["code": "c1"]])
        let error = try #require(try refusal(db, ["Switch", "Cluster"], [
            wrong,
            item("Switch", ["serial": "SW9"]),
            item("Cluster", ["code": "c1"]),
        ]))
        #expect(error.schemaReason == .relationNotAllowed && error.line == 2, "\(error)")
    }

    @Test("an item repeated, or found again by another identifier, is one unregistered item and one registered CI")
    func repeatedItem() throws {
        let db = try makeDatabase()
        let lines = [
            item("Server", ["serial": "S9", "hostname": "h9"]),
            item("Server", ["serial": "S9", "hostname": "h9"]),
            item("VirtualServer", ["hostname": "h9"]),
            item("Server", ["serial": "S8", "hostname": "h8"]),
        ]
        let report = try db.verify(header(["Server"]), lines)
        #expect(report.unregistered.map(\.line) == [2, 5], "\(report.unregistered)")
        let applied = try db.verifyAndApply(header(["Server"]), lines)
        #expect(applied.registeredIDs == [2: "h9", 5: "h8"], "\(applied.registeredIDs)")
        #expect(try hostnames(db) == ["s1": "h1", "s2": "h2", "sw1": "h1", "h9": "h9", "h8": "h8"])
        // The next run finds each registered CI once: nothing ambiguous, nothing unregistered.
        let again = try db.verify(header(["Server"]), lines)
        #expect(again.ambiguous.isEmpty && again.unregistered.isEmpty && again.matched.count == 2, "\(again)")
    }
}
