import GraphStorage
import Testing
import Verification

struct ReconciliationTests {
    /// Three servers and a switch: srv-a (serial + hostname), srv-b (hostname only), hv-1 (a hypervisor).
    private func makeDatabase() throws -> TestDatabase {
        let db = try TestDatabase()
        try db.load([
            ci("srv-a", "PhysicalServer", ["serial": "SN-A", "hostname": "alpha", "os": "Debian 12", "location": "AMS1"]),
            ci("srv-b", "VirtualServer", ["hostname": "bravo", "os": "Ubuntu 22.04", "cpu": 2, "location": "AMS1"]),
            ci("srv-c", "VirtualServer", ["hostname": "charlie", "location": "FRA1"]),
            ci("srv-d", "VirtualServer", status: "withdrawn", ["hostname": "delta", "location": "AMS1"]),
            ci("hv-1", "Hypervisor", ["serial": "SN-HV1", "hostname": "esx1", "location": "AMS1"]),
            ci("hv-2", "Hypervisor", ["serial": "SN-HV2", "hostname": "esx2", "location": "AMS1"]),
            rel("HOSTED_ON", "srv-b", "hv-1"),
        ])
        return db
    }

    @Test("the first identifier set the item has decides: serial before hostname")
    func firstCompleteSetDecides() throws {
        let db = try makeDatabase()
        // Serial SN-A identifies srv-a although the hostname names srv-b.
        let r = try db.verify(header(["Server"]), [item("PhysicalServer", ["serial": "SN-A", "hostname": "bravo"])])
        let ids = try db.store.read { tx in try r.matched.map { try tx.externalID(of: $0) ?? "" } }
        #expect(ids == ["srv-a"])
        #expect(r.drift.map(\.attribute) == ["hostname"])
        // An unknown serial decides too: the item is unregistered even though its hostname is known.
        let r2 = try db.verify(header(["Server"]), [item("PhysicalServer", ["serial": "SN-NEW", "hostname": "alpha"])])
        #expect(r2.matched.isEmpty)
        #expect(r2.unregistered.count == 1)
    }

    @Test("without the first set's attributes the next set identifies")
    func secondSetWhenFirstIsAbsent() throws {
        let db = try makeDatabase()
        let r = try db.verify(header(["VirtualServer"]), [item("VirtualServer", ["hostname": "bravo", "cpu": 2])])
        #expect(r.matched.count == 1)
        #expect(r.drift.isEmpty)
        #expect(r.unregistered.isEmpty)
    }

    @Test("scope: only live CIs in scope count as missing; scope values fill the item and show drift")
    func scope() throws {
        let db = try makeDatabase()
        let r = try db.verify(header(["VirtualServer", "Hypervisor"], scope: ["location": "AMS1"]),
            [item("Hypervisor", ["serial": "SN-HV1"]), item("VirtualServer", ["hostname": "charlie"])])
        // srv-c is recorded in FRA1 but was seen here: matched, with its location as drift, not registered twice.
        #expect(r.unregistered.isEmpty)
        #expect(r.drift.map { "\($0.id) \($0.attribute)" } == ["srv-c location"])
        // srv-b and hv-2 are in scope and live; srv-d is withdrawn; srv-a is not in the classes.
        #expect(r.missing == ["hv-2", "srv-b"])
    }

    @Test("an item that several CIs match is ambiguous and its candidates are not missing")
    func ambiguity() throws {
        let db = try makeDatabase()
        try db.load([ci("srv-b2", "VirtualServer", ["hostname": "bravo", "location": "AMS1"])])
        let r = try db.verify(header(["VirtualServer"]), [item("VirtualServer", ["hostname": "bravo"])])
        #expect(r.ambiguous.count == 1)
        #expect(r.ambiguous.first?.candidates == ["srv-b", "srv-b2"])
        #expect(r.matched.isEmpty)
        #expect(r.missing == ["srv-c"])
        #expect(r.severities.sorted() == [.medium, .high])
    }

    @Test("drift is reported on discoverable attributes only, with both values")
    func drift() throws {
        let db = try makeDatabase()
        let r = try db.verify(header(["VirtualServer"]),
            [item("VirtualServer", ["hostname": "bravo", "os": "Ubuntu 24.04", "cpu": 2, "owner": "someone-else"])])
        #expect(r.drift.count == 1)
        let d = try #require(r.drift.first)
        #expect(d.id == "srv-b" && d.attribute == "os")
        #expect(d.recorded == .string("Ubuntu 22.04") && d.discovered == .string("Ubuntu 24.04"))
    }

    @Test("relations: discovered but not recorded, recorded but not discovered")
    func relationDrift() throws {
        let db = try makeDatabase()
        let r = try db.verify(header(["VirtualServer", "Hypervisor"]), [
            item("VirtualServer", ["hostname": "bravo"]), item("Hypervisor", ["serial": "SN-HV1"]),
            item("Hypervisor", ["serial": "SN-HV2"]),
            json(["kind": "rel", "type": "HOSTED_ON", "from": ["hostname": "bravo"], "to": ["serial": "SN-HV2"]]),
        ])
        #expect(r.missingRelations == [RecordedRelation(type: "HOSTED_ON", from: "srv-b", to: "hv-1")])
        #expect(r.unregisteredRelations.count == 1)
        #expect(r.unregisteredRelations.first?.from == .ci("srv-b"))
        #expect(r.unregisteredRelations.first?.to == .ci("hv-2"))
    }

    @Test("--apply registers items and relations and corrects drift as versioned writes under the change")
    func apply() throws {
        let db = try makeDatabase()
        let r = try db.verifyAndApply(header(["VirtualServer", "Hypervisor"]), [
            item("VirtualServer", ["hostname": "bravo", "os": "Ubuntu 24.04"]),
            item("VirtualServer", ["hostname": "Echo_01", "os": "Alpine"]),
            json(["kind": "rel", "type": "HOSTED_ON", "from": ["hostname": "Echo_01"], "to": ["serial": "SN-HV2"]]),
        ])
        #expect(r.isApplied)
        #expect(r.registeredIDs.values.sorted() == ["echo-01"])
        #expect(r.unregisteredRelations.allSatisfy { $0.isApplied })
        try db.store.read { tx in
            let b = try #require(try tx.node(externalID: "srv-b"))
            #expect(b.properties["os"] == .string("Ubuntu 24.04"))
            #expect(try tx.history(of: b.nid).count == 2)
            let e = try #require(try tx.node(externalID: "echo-01"))
            #expect(e.properties["status"] == .string("live"))
            let hv2 = try #require(try tx.nodeID(forExternalID: "hv-2"))
            #expect(try tx.relation(from: e.nid, type: "HOSTED_ON", to: hv2) != nil)
            #expect(try tx.changes(limit: 1).first?.info.changeReference == "CHG-APPLY")
        }
    }

    @Test("--apply of a relation from a CI to itself is refused as SchemaError.SelfRelation, as import refuses it")
    func applySelfRelation() throws {
        let loop = json(["kind": "rel", "type": "DEPENDS_ON", "from": ["hostname": "bravo"], "to": ["hostname": "bravo"]])
        let db = try makeDatabase()
        do {
            _ = try db.verifyAndApply(header(["VirtualServer"]), [item("VirtualServer", ["hostname": "bravo"]), loop])
            Issue.record("a self-relation was applied under the built-in schema")
        } catch let error as VerificationInputError {
            #expect(error.schemaReason == .selfRelation && error.line == 3, "\(error)")
            #expect(error.description.contains("a CI cannot depend on itself"), "\(error)")
        }
        // There is no schemaless case to allow: a snapshot's classes need identification rules, which a schemaless
        // graph has none of, so verify refuses the header before any relation is read.
        let open = try TestDatabase(schema: .open)
        #expect(throws: VerificationInputError.self) {
            _ = try open.verifyAndApply(header(["VirtualServer"]), [item("VirtualServer", ["hostname": "bravo"]), loop])
        }
    }

    @Test("stamps record last_verified_at without a new version of the CI")
    func stampsWriteNoHistory() throws {
        let db = try makeDatabase()
        let r = try db.verify(header(["VirtualServer"]), [item("VirtualServer", ["hostname": "bravo"])])
        try db.store.write(ChangeInfo(actor: "t", changeReference: nil, origin: "verify")) { tx in
            try tx.stampVerified(r.matched, at: 1_000)
            try tx.stampVerified(r.matched, at: 500)  // an older stamp does not replace a newer one
        }
        try db.store.read { tx in
            let nid = try #require(r.matched.first)
            #expect(try tx.verificationStamp(of: nid) == 1_000)
            #expect(try tx.history(of: nid).count == 1)
            let last = try #require(try tx.changes(limit: 1).first)
            #expect(last.isEmpty && last.info.origin == "verify")
        }
    }

    @Test("bad snapshot lines name file:line and the problem", arguments: [
        (#"{"kind":"source","name":"x","classes":["VirtualServr"]}"#, "", "snap.jsonl:1: unknown class 'VirtualServr' in \"classes\" (did you mean 'VirtualServer'?)"),
        (#"{"kind":"source","name":"x","classes":["Application"]}"#, "", "snap.jsonl:1: class 'Application' has no identification rules"),
        (#"{"kind":"source","name":"x","classes":["Server"]}"#, #"{"kind":"ci","id":"vm-1","class":"VirtualServer"}"#, "snap.jsonl:2: a snapshot CI line has no \"id\""),
        (#"{"kind":"source","name":"x","classes":["Server"]}"#, #"{"kind":"ci","class":"VirtualServer","attrs":{"os":"x"}}"#, "snap.jsonl:2: the VirtualServer has none of its identifying attribute sets"),
        (#"{"kind":"source","name":"x","classes":["Server"]}"#, #"{"kind":"ci","class":"Switch","attrs":{"hostname":"x"}}"#, "snap.jsonl:2: class 'Switch' is not among the header's classes"),
        (#"{"kind":"source","name":"x","classes":["Server"]}"#, #"{"kind":"ci","class":"VirtualServer","attrs":{"hostname":"x","cpu":"four"}}"#, "snap.jsonl:2: attribute 'cpu' of class 'VirtualServer' must be an int, not string"),
        (#"{"kind":"source","name":"x","classes":["Server"]}"#, #"{"kind":"rel","type":"HOSTED_ONN","from":{"hostname":"a"},"to":{"hostname":"b"}}"#, "snap.jsonl:2: unknown relation type 'HOSTED_ONN' (did you mean 'HOSTED_ON'?)"),
        (#"{"kind":"source","name":"x","classes":["Server"]}"#, #"{"kind":"ci","class":"VirtualServer","attrs":{"hostname":"x"}"#, "snap.jsonl:2:"),
    ])
    func badLines(header: String, line: String, expected: String) throws {
        let db = try makeDatabase()
        do {
            _ = try db.verify(header, line.isEmpty ? [] : [line])
            Issue.record("no error for \(line)")
        } catch let error as VerificationInputError {
            #expect(error.description.hasPrefix(expected), "\(error)")
        }
    }
}
