import CIQLResults
import CIQLSyntax
import CIQLValues
import CMDB
import GraphStorage
import Testing
@testable import CIQL

/// `AS OF` through the lazy `PastGraphSource` against the materialised past graph it replaced, at every
/// transaction of a history with every kind of change.
struct AsOfEquivalenceTests {
    /// One statement per transaction: creates, updates, a class change, a relation deleted and created again,
    /// deleted twice, created and deleted in one transaction, deleted and re-created in one transaction, a node
    /// deleted with its relations and created again under the same id, a relation's properties changed.
    static let history = [
        "CREATE (:A {id: 'a', v: 1, status: 'live'}), (:A {id: 'b', v: 2}), (:B {id: 'c', v: 1}), (:C {id: 'd'})",
        "MATCH (a {id: 'a'}), (b {id: 'b'}), (c {id: 'c'}) CREATE (a)-[:USES {w: 1}]->(b), (b)-[:RUNS_ON]->(c), (a)-[:RUNS_ON]->(c)",
        "MATCH (a {id: 'a'}) SET a.v = 3",
        "MATCH ({id: 'a'})-[r:USES]->({id: 'b'}) DELETE r",
        "MATCH (a {id: 'a'}), (b {id: 'b'}) CREATE (a)-[:USES {w: 2}]->(b)",
        "MATCH (b {id: 'b'}) REMOVE b:A SET b:B",
        "MATCH ({id: 'a'})-[r:USES]->({id: 'b'}) DELETE r",
        // Created and deleted again: no change of its own (the statement commits for the change to d).
        "MATCH (a {id: 'a'}), (d {id: 'd'}) CREATE (a)-[r:USES]->(d) DELETE r WITH d SET d.v = 4",
        "MATCH (a {id: 'a'})-[r:RUNS_ON]->(c {id: 'c'}) DELETE r CREATE (a)-[:RUNS_ON {w: 5}]->(c)",
        "MATCH (c {id: 'c'}), (d {id: 'd'}) CREATE (d)-[:RUNS_ON]->(c), (c)-[:USES]->(d)",
        "MATCH (d {id: 'd'}) DETACH DELETE d",
        "CREATE (:C {id: 'd', v: 7})",
        "MATCH (b {id: 'b'})-[r:RUNS_ON]->(c {id: 'c'}) SET r.w = 9",
        "MATCH (a {id: 'a'}) CREATE (:B {id: 'e', v: 1})-[:USES]->(a)",
        "MATCH (a {id: 'a'}), (d {id: 'd'}) SET a.status = 'retired' CREATE (d)-[:RUNS_ON]->(a)",
    ]

    static let statements = [
        "MATCH (n) RETURN n.id AS id, class(n) AS c, n.v AS v, n.status AS s ORDER BY id",
        "MATCH (n) RETURN n.id AS id",
        "MATCH (c {id: 'c'})<-[*]-(x) RETURN count(DISTINCT x) AS n",
        "MATCH (a {id: 'a'})-[*]->(x) RETURN count(DISTINCT x) AS n",
        "MATCH (a {id: 'a'})-[*]-(x) RETURN x.id AS x ORDER BY x",
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, r.w AS w ORDER BY a, t, b",
        "MATCH (n:A) RETURN n.id AS id ORDER BY id",
        "MATCH (n:B) RETURN n.id AS id ORDER BY id",
        "MATCH (n:C) RETURN count(*) AS n",
        "MATCH (n) RETURN class(n) AS c, n.status AS s, count(*) AS k ORDER BY c, s",
        "MATCH (n {id: 'b'})-[r]-(m) RETURN type(r) AS t, m.id AS m ORDER BY t, m",
        "MATCH (n {v: 1}) RETURN n.id AS id ORDER BY id",
        "MATCH (x)-->(c {id: 'c'}) RETURN DISTINCT x.id AS x ORDER BY x",
        "MATCH (x {id: 'd'}) RETURN x.v AS v, properties(x) AS p",
    ]

    static func rows(_ sink: CollectingSink) -> [[Value]] { sink.rows.map { $0.map { sink.idsForNodes($0) } } }

    @Test("CIQL answers AS OF TX t through the lazy past equal the materialised past's, for every t")
    func queries() throws {
        let db = try FixtureDatabase(sample: false)
        for statement in Self.history { _ = try db.rows(statement) }
        let last = try db.database.store.read { tx in try tx.changes(limit: 1).first?.transaction ?? 0 }
        #expect(last == TransactionNumber(Self.history.count + 1), "a history statement wrote nothing")
        for txn in 0...last {
            for text in Self.statements {
                let expected = try db.database.store.read { tx in
                    Self.rows(try db.engine.query(text, source: MaterialisedPastGraph(tx, asOf: txn), in: tx))
                }
                #expect(try db.rows("\(text) AS OF TX \(txn)") == expected, "\(text) AS OF TX \(txn)")
                let withoutLog = try db.database.store.read { tx in
                    let source = try PastGraphSource(tx, asOf: txn, deltaLimit: 0)
                    defer { source.close() }
                    return Self.rows(try db.engine.query(text, source: source, in: tx))
                }
                #expect(withoutLog == expected, "\(text) AS OF TX \(txn), every read checking the history")
            }
        }
    }

    @Test("the lazy past source reads what the materialised one holds, for every t")
    func sources() throws {
        let db = try FixtureDatabase(sample: false)
        for statement in Self.history { _ = try db.rows(statement) }
        try db.database.store.read { tx in
            let upper = try tx.nodeIDUpperBound
            let last = try tx.changes(limit: 1).first?.transaction ?? 0
            for txn in 0...last {
                let oracle = try MaterialisedPastGraph(tx, asOf: txn)
                for limit in [PastState.deltaLimit, 0] {
                    let lazy = try PastGraphSource(tx, asOf: txn, deltaLimit: limit)
                    defer { lazy.close() }
                    let at = "at tx \(txn), up-front limit \(limit)"
                    for nid in 0...upper {
                        #expect(try lazy.node(nid) == oracle.node(nid), "node \(nid) \(at)")
                        #expect(try lazy.label(of: nid) == oracle.label(of: nid), "label \(nid) \(at)")
                        #expect(try lazy.externalID(of: nid) == oracle.externalID(of: nid), "id \(nid) \(at)")
                        for key in ["v", "status", "id", "nope"] {
                            #expect(try lazy.property(key, of: nid) == oracle.property(key, of: nid), "\(key) of \(nid) \(at)")
                        }
                        for direction in Direction.allCases {
                            for types in [nil, ["USES"], ["RUNS_ON", "NONE"]] as [Set<String>?] {
                                func relations(_ source: any GraphSource) throws -> [String] {
                                    var found: [String] = []
                                    try source.forEachRelation(of: nid, direction: direction, types: types) { type, other in
                                        found.append("\(type) \(other)")
                                        return true
                                    }
                                    return found.sorted()
                                }
                                #expect(try relations(lazy) == relations(oracle), "relations of \(nid) \(direction) \(at)")
                                var ends: [(NodeID, String, NodeID)] = []
                                try oracle.forEachRelation(of: nid, direction: direction, types: types) { type, o in
                                    ends.append(direction == .outgoing ? (nid, type, o) : (o, type, nid))
                                    return true
                                }
                                for (from, type, to) in ends {
                                    #expect(try lazy.relation(from: from, type: type, to: to) == oracle.relation(from: from, type: type, to: to))
                                }
                            }
                        }
                    }
                    for id in ["a", "b", "c", "d", "e", "x"] {
                        #expect(try lazy.nodeID(externalID: id) == oracle.nodeID(externalID: id), "\(id) \(at)")
                    }
                    for labels in [nil, ["A"], ["B", "C"], ["Z"]] as [[String]?] {
                        var a: [NodeID] = [], b: [NodeID] = []
                        try lazy.forEachNodeID(labels: labels) { a.append($0); return true }
                        try oracle.forEachNodeID(labels: labels) { b.append($0); return true }
                        #expect(a == b, "scan \(labels ?? []) \(at)")
                    }
                    for label in [nil, "A", "B", "C", "Z"] {
                        #expect(try lazy.nodeCount(label: label) == oracle.nodeCount(label: label), "count \(label ?? "all") \(at)")
                    }
                    let counts = { (s: any GraphSource) in try s.countsByLabelAndStatus().map { "\($0.label ?? "-") \($0.status) \($0.count)" }.sorted() }
                    #expect(try counts(lazy) == counts(oracle), "counts \(at)")
                }
            }
        }
    }
}
