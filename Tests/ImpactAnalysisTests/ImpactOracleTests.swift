import ConfigurationSchema
import GraphStorage
@testable import ImpactAnalysis
import Testing
import TestSupport

/// `analyze` against a straightforward oracle on generated graphs: levels from a naive fixpoint over the whole
/// graph (every CI recomputed from all its dependencies until nothing changes), then the explaining paths by a
/// plain breadth-first search. The graphs have cycles, self-loops, several types between the same CIs, groups
/// and quorums in both directions, withdrawn and disposed CIs (also as targets) and undeclared types, so any
/// change to how the analysis reads or orders its work must still give exactly the same items, in the same
/// order, with the same levels, distances and paths.
struct ImpactOracleTests {
    /// Every combination of direction and redundancy, a type without impact, and (UNDECLARED) a type the schema
    /// does not know, which carries impact forward without redundancy.
    static let schemaYAML = """
        version: 1
        statuses: [live, planned, withdrawn, disposed]
        classes:
          Thing: {}
          Pool:
            attributes:
              quorum: {type: int, min: 1, default: 2}
        relations:
          PLAIN: {from: [Thing, Pool], to: [Thing, Pool]}
          GROUP: {from: [Thing, Pool], to: [Thing, Pool], redundancy: group}
          QUORUM: {from: [Thing, Pool], to: [Thing, Pool], redundancy: quorum}
          R_PLAIN: {from: [Thing, Pool], to: [Thing, Pool], impact: reverse}
          R_GROUP: {from: [Thing, Pool], to: [Thing, Pool], impact: reverse, redundancy: group}
          R_QUORUM: {from: [Thing, Pool], to: [Thing, Pool], impact: reverse, redundancy: quorum}
          NOTHING: {from: [Thing, Pool], to: [Thing, Pool], impact: none}
        """
    static let types = ["PLAIN", "GROUP", "QUORUM", "R_PLAIN", "R_GROUP", "R_QUORUM", "NOTHING", "UNDECLARED"]

    @Test("analyze gives the oracle's items, levels, distances and paths on generated graphs", arguments: 0..<12)
    func matchesOracle(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 17)
        let schema = try Schema.parse(yaml: Self.schemaYAML)
        let g = try ImpactTestGraph(schema: schema)
        let graph = GeneratedGraph(&rng, nodes: 6 + rng.below(60), density: 1 + rng.below(4))
        try g.load(graph.cis, graph.relationLines)
        try g.store.read { tx in
            let nids = try graph.ids.map { try #require(try tx.nodeID(forExternalID: $0)) }
            var typeIDs: [String: UInt16] = [:]
            for name in Self.types { typeIDs[name] = tx.relationTypeID(name) }
            let analyzer = ImpactAnalyzer(schema: schema)
            // The status index answers "withdrawn or disposed?" as the records do (older databases opened
            // read-only have no index and read the records).
            try tx.withPropertyReader(tx.propertyKey("status")) { (records) in
                try tx.withStatusIndex { (index) in
                    let indexed = StatusCheck(index: try #require(index), records: records)
                    let recorded = StatusCheck(index: nil, records: records)
                    // Asked about more CIs than are inactive, it reads the inactive ones whole.
                    var loaded = StatusCheck(index: try #require(index), records: records)
                    try loaded.prepare(for: nids.count + 1)
                    for (i, nid) in nids.enumerated() {
                        let expected = ["withdrawn", "disposed"].contains(graph.statuses[i])
                        #expect(try indexed.isInactive(nid) == expected, "seed \(seed) node \(i)")
                        #expect(try recorded.isInactive(nid) == expected, "seed \(seed) node \(i)")
                        #expect(try loaded.isInactive(nid) == expected, "seed \(seed) node \(i)")
                    }
                }
            }
            for round in 0..<8 {
                var targets = (0..<(1 + rng.below(3))).map { _ in rng.below(graph.ids.count) }
                if round == 0 { targets.append(targets[0]) }  // a duplicate target
                let depth: Int? = round % 3 == 2 ? 1 + rng.below(3) : nil
                let expected = Oracle(graph: graph, schema: schema, nids: nids, typeIDs: typeIDs)
                    .analyze(targets: targets, depth: depth)
                let result = try analyzer.analyze(targets: targets.map { nids[$0] }, depth: depth, in: tx)
                let context = "seed \(seed) round \(round) targets \(targets.map { graph.ids[$0] }) depth \(depth as Any)"
                #expect(result.targets == expected.targets, "\(context)")
                #expect(result.inactiveTargets == expected.inactiveTargets, "\(context)")
                let got = result.items.map { Oracle.Item(nid: $0.nid, level: $0.level, distance: $0.distance, predecessor: $0.predecessor) }
                #expect(got == expected.items, "\(context)")
                for index in result.items.indices {
                    let path = result.path(toItemAt: index)
                    #expect(path.count == result.items[index].distance + 1, "\(context)")
                }
                if depth == nil {
                    let levels = try analyzer.levels(targets: targets.map { nids[$0] }, in: tx)
                    #expect(levels.count == result.items.count, "\(context)")
                    #expect(Dictionary(levels.map { ($0.nid, $0.level) }, uniquingKeysWith: { a, _ in a })
                        == Dictionary(uniqueKeysWithValues: result.items.map { ($0.nid, $0.level) }), "levels(): \(context)")
                }
            }
        }
    }

    @Test("analyze matches the oracle on a graph of a few thousand CIs, deep and wide")
    func matchesOracleOnALargerGraph() throws {
        var rng = SplitMix64(seed: 4_242)
        let schema = try Schema.parse(yaml: Self.schemaYAML)
        let g = try ImpactTestGraph(schema: schema)
        let graph = GeneratedGraph(&rng, nodes: 3_000, density: 2)
        try g.load(graph.cis, graph.relationLines)
        try g.store.read { tx in
            let nids = try graph.ids.map { try #require(try tx.nodeID(forExternalID: $0)) }
            var typeIDs: [String: UInt16] = [:]
            for name in Self.types { typeIDs[name] = tx.relationTypeID(name) }
            let oracle = Oracle(graph: graph, schema: schema, nids: nids, typeIDs: typeIDs)
            for targets in [[0], [1, 2, 3], Array(0..<40)] {
                let expected = oracle.analyze(targets: targets, depth: nil)
                let result = try ImpactAnalyzer(schema: schema).analyze(targets: targets.map { nids[$0] }, in: tx)
                let got = result.items.map { Oracle.Item(nid: $0.nid, level: $0.level, distance: $0.distance, predecessor: $0.predecessor) }
                #expect(got.count == expected.items.count)
                #expect(got == expected.items, "targets \(targets)")
                let levels = try ImpactAnalyzer(schema: schema).levels(targets: targets.map { nids[$0] }, in: tx)
                #expect(levels.count == result.items.count)
                #expect(Dictionary(levels.map { ($0.nid, $0.level) }, uniquingKeysWith: { a, _ in a })
                    == Dictionary(uniqueKeysWithValues: result.items.map { ($0.nid, $0.level) }), "levels(): targets \(targets)")
            }
        }
    }
}


/// A random CMDB: CIs of two classes with random statuses and some quorum attributes, relations of every type,
/// self-loops and cycles included, no duplicate (from, type, to).
struct GeneratedGraph {
    var ids: [String] = []
    var labels: [String] = []
    var statuses: [String] = []
    var quorums: [Int?] = []
    var relations: [(from: Int, type: String, to: Int)] = []

    init(_ rng: inout SplitMix64, nodes: Int, density: Int) {
        for i in 0..<nodes {
            ids.append("ci-\(i)")
            labels.append(rng.below(3) == 0 ? "Pool" : "Thing")
            let s = rng.below(20)
            statuses.append(s == 0 ? "withdrawn" : s == 1 ? "disposed" : s == 2 ? "planned" : "live")
        }
        var seen = Set<String>()
        for _ in 0..<(nodes * density) {
            // Mostly near neighbours (long chains, small groups), sometimes anywhere (cycles), sometimes itself.
            let from = rng.below(nodes)
            let to = rng.below(10) == 0 ? from : rng.below(4) == 0 ? rng.below(nodes) : min(nodes - 1, max(0, from + rng.below(7) - 3))
            let type = ImpactOracleTests.types[rng.below(ImpactOracleTests.types.count)]
            if seen.insert("\(from) \(type) \(to)").inserted { relations.append((from, type, to)) }
        }
        // Quorums no larger than the active members of any quorum type of the CI, so no cluster is short of its
        // quorum before the change (ImpactAnalyzerTests covers that case); nil leaves the class default (Pool: 2).
        var smallest = [Int](repeating: Int.max, count: nodes)
        for i in 0..<nodes {
            var active: [String: Int] = [:]
            for r in relations where statuses[r.type == "QUORUM" ? r.to : r.from] != "withdrawn"
                && statuses[r.type == "QUORUM" ? r.to : r.from] != "disposed"
                && ((r.type == "QUORUM" && r.from == i) || (r.type == "R_QUORUM" && r.to == i))
            {
                active[r.type, default: 0] += 1
            }
            smallest[i] = active.values.min() ?? Int.max
        }
        for i in 0..<nodes {
            let defaultQuorum = labels[i] == "Pool" ? 2 : 1
            if rng.below(3) == 0 && smallest[i] >= defaultQuorum {
                quorums.append(nil)
            } else {
                quorums.append(1 + rng.below(min(smallest[i], 4)))
            }
        }
    }

    var cis: [(String, String, String, Properties)] {
        ids.indices.map { i in
            var p = Properties()
            if let q = quorums[i] { p["quorum"] = .int(Int64(q)) }
            return (ids[i], labels[i], statuses[i], p)
        }
    }

    var relationLines: [String] { relations.map { "\(ids[$0.from]) \($0.type) \(ids[$0.to])" } }
}

/// The impact rules of PRODUCT.md written the plain way, over the whole generated graph in memory.
struct Oracle {
    struct Item: Equatable, CustomStringConvertible {
        var nid: NodeID
        var level: ImpactLevel
        var distance: Int
        var predecessor: NodeID
        var description: String { "\(nid):\(level.rawValue)@\(distance)<-\(predecessor)" }
    }

    let graph: GeneratedGraph
    let schema: Schema
    let nids: [NodeID]
    let typeIDs: [String: UInt16]

    private func rule(_ type: String) -> (direction: ImpactDirection, redundancy: Redundancy) {
        let d = schema.relationDefinition(type)
        return (d?.impact ?? .forward, d?.redundancy ?? .none)
    }

    private func inactive(_ i: Int) -> Bool { ["withdrawn", "disposed"].contains(graph.statuses[i]) }

    private func quorum(_ i: Int) -> Int {
        if let q = graph.quorums[i] { return q }
        if case .int(let q)? = schema.attribute("quorum", of: graph.labels[i])?.defaultValue { return Int(q) }
        return 1
    }

    func analyze(targets: [Int], depth: Int?) -> (targets: [NodeID], inactiveTargets: Set<NodeID>, items: [Item]) {
        let n = graph.ids.count
        var starts: [Int] = []
        for t in targets where !starts.contains(t) { starts.append(t) }
        let isTarget = (0..<n).map { starts.contains($0) }
        // dependencies[T][type] = the CIs T depends on across that type
        var dependencies = [[String: [Int]]](repeating: [:], count: n)
        for r in graph.relations {
            switch rule(r.type).direction {
            case .forward: dependencies[r.from][r.type, default: []].append(r.to)
            case .reverse: dependencies[r.to][r.type, default: []].append(r.from)
            case .none: break
            }
        }
        // 0 none, 1 degraded, 2 down, 3 target; an inactive target passes nothing on and counts as no member.
        var level = (0..<n).map { isTarget[$0] ? 3 : 0 }
        func passing(_ m: Int) -> Int { inactive(m) ? 0 : min(level[m], 2) }
        func contribution(_ t: Int, _ type: String) -> Int {
            let members = (dependencies[t][type] ?? []).filter { !inactive($0) }
            let redundancy = rule(type).redundancy
            if redundancy == .none { return members.map(passing).max() ?? 0 }
            let impacted = members.filter { passing($0) >= 1 }.count
            let down = members.filter { passing($0) >= 2 }.count
            if impacted == 0 { return 0 }
            if redundancy == .quorum { return members.count - down < quorum(t) ? 2 : 1 }
            return down == members.count ? 2 : 1
        }
        var changed = true
        while changed {
            changed = false
            for t in 0..<n where !isTarget[t] && !inactive(t) {
                let best = dependencies[t].keys.map { contribution(t, $0) }.max() ?? 0
                if best > level[t] {
                    level[t] = best
                    changed = true
                }
            }
        }
        // Explaining paths: breadth-first from the active targets, each CI's dependents in adjacency order
        // (incoming by type id then node id across forward types, then outgoing likewise across reverse ones).
        func dependents(_ s: Int) -> [(Int, String)] {
            func order(_ a: (Int, String), _ b: (Int, String)) -> Bool {
                (typeIDs[a.1] ?? 0, nids[a.0]) < (typeIDs[b.1] ?? 0, nids[b.0])
            }
            let incoming = graph.relations.filter { $0.to == s && rule($0.type).direction == .forward }
                .map { ($0.from, $0.type) }.sorted(by: order)
            let outgoing = graph.relations.filter { $0.from == s && rule($0.type).direction == .reverse }
                .map { ($0.to, $0.type) }.sorted(by: order)
            return incoming + outgoing
        }
        // A down CI is explained by a down dependency, across a group or quorum type only when that type took it
        // down; a cluster short of its quorum before any member went down is explained by any impacted member.
        func explains(_ s: Int, _ t: Int, _ type: String) -> Bool {
            if level[t] != 2 { return true }
            if rule(type).redundancy == .none { return level[s] >= 2 }
            guard contribution(t, type) == 2 else { return false }
            let anyDown = (dependencies[t][type] ?? []).contains { passing($0) >= 2 }
            return level[s] >= 2 || !anyDown
        }
        var distance = [Int](repeating: -1, count: n)
        var queue = starts.filter { !inactive($0) }
        for s in queue { distance[s] = 0 }
        var items: [Item] = []
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            for (t, type) in dependents(s) where !isTarget[t] && !inactive(t) && distance[t] < 0 && explains(s, t, type) {
                distance[t] = distance[s] + 1
                items.append(Item(nid: nids[t], level: level[t] == 2 ? .down : .degraded, distance: distance[t],
                                  predecessor: nids[s]))
                queue.append(t)
            }
        }
        let impacted = (0..<n).filter { !isTarget[$0] && level[$0] > 0 }.count
        precondition(items.count == impacted, "the oracle left an impacted CI without a path")
        return (starts.map { nids[$0] }, Set(starts.filter { inactive($0) }.map { nids[$0] }),
                depth.map { d in items.filter { $0.distance <= d } } ?? items)
    }
}
