import ConfigurationSchema
import Foundation
import GraphStorage
import ImpactAnalysis

/// A small hand-made CMDB in a real LMDB store in its own temporary directory, removed afterwards.
final class ImpactTestGraph {
    let directory: String
    let store: GraphStore
    let schema: Schema

    init(schema: Schema? = nil) throws {
        directory = NSTemporaryDirectory() + "cmdb-impact-test-" + UUID().uuidString
        store = try GraphStore.create(at: directory, initialMapSize: 16 << 20)
        self.schema = try schema ?? Schema.parse(yaml: BuiltInSchema.yaml)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes CIs and relations: `cis` as (id, class, status, extra attributes), `relations` as "from TYPE to".
    func load(_ cis: [(String, String, String, Properties)], _ relations: [String]) throws {
        try store.write(ChangeInfo(actor: "tester", changeReference: "CHG-TEST", origin: "test")) { tx in
            for (id, label, status, attrs) in cis {
                var properties = attrs
                properties["status"] = .string(status)
                _ = try tx.upsertNode(externalID: id, label: label, properties: properties)
            }
            for line in relations {
                let parts = line.split(separator: " ").map(String.init)
                precondition(parts.count == 3, "a test relation is 'from TYPE to'")
                guard let from = try tx.nodeID(forExternalID: parts[0]), let to = try tx.nodeID(forExternalID: parts[2])
                else { throw TestGraphError.unknownCI(line) }
                _ = try tx.upsertRelation(from: from, type: parts[1], to: to)
            }
        }
    }

    /// Live CIs of one class.
    func live(_ ids: String..., class label: String) -> [(String, String, String, Properties)] {
        ids.map { ($0, label, "live", Properties()) }
    }

    /// What `analyze` says, keyed by CI id.
    func impact(of targets: [String], depth: Int? = nil) throws -> ImpactOutcome {
        try store.read { tx in
            let nids = try targets.map { try tx.nodeID(forExternalID: $0) ?? 0 }
            let result = try ImpactAnalyzer(schema: schema).analyze(targets: nids, depth: depth, in: tx)
            var outcome = ImpactOutcome()
            for nid in result.inactiveTargets { outcome.inactiveTargets.insert(try tx.externalID(of: nid) ?? "?") }
            for (index, item) in result.items.enumerated() {
                let id = try tx.externalID(of: item.nid) ?? "?"
                let path = try result.path(toItemAt: index).map { try tx.externalID(of: $0) ?? "?" }
                outcome.items[id] = ImpactOutcome.Item(level: item.level, distance: item.distance, path: path)
                outcome.order.append(id)
            }
            return outcome
        }
    }

    /// What `levels` says (the impacted CIs and their levels, without paths), keyed by CI id.
    func levels(of targets: [String]) throws -> [String: ImpactLevel] {
        try store.read { tx in
            let nids = try targets.map { try tx.nodeID(forExternalID: $0) ?? 0 }
            var out: [String: ImpactLevel] = [:]
            for (nid, level) in try ImpactAnalyzer(schema: schema).levels(targets: nids, in: tx) {
                out[try tx.externalID(of: nid) ?? "?"] = level
            }
            return out
        }
    }

    /// A traversal's outcome keyed by CI id: distance and path.
    func traversal(_ body: (ImpactAnalyzer, GraphTransaction) throws -> TraversalResult) throws
        -> [String: (distance: Int, path: [String])]
    {
        try store.read { tx in
            let result = try body(ImpactAnalyzer(schema: schema), tx)
            var out: [String: (distance: Int, path: [String])] = [:]
            for (index, item) in result.items.enumerated() {
                let path = try result.path(toItemAt: index).map { try tx.externalID(of: $0) ?? "?" }
                out[try tx.externalID(of: item.nid) ?? "?"] = (item.distance, path)
            }
            return out
        }
    }

    func nid(_ id: String) throws -> NodeID {
        try store.read { tx in try tx.nodeID(forExternalID: id) } ?? 0
    }
}

enum TestGraphError: Error { case unknownCI(String) }

/// An impact result in terms of CI ids.
struct ImpactOutcome {
    struct Item: Equatable {
        var level: ImpactLevel
        var distance: Int
        var path: [String]
    }
    var items: [String: Item] = [:]
    var order: [String] = []
    var inactiveTargets: Set<String> = []

    subscript(id: String) -> Item? { items[id] }
}
