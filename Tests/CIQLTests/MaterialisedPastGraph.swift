import CIQLSyntax
import CIQLValues
import GraphStorage
@testable import CIQL

/// The graph as it was after one transaction, read once into memory from the kept history: how `AS OF` was
/// answered before the lazy `PastGraphSource`, kept here as its oracle.
final class MaterialisedPastGraph: GraphSource {
    private var nodes: [NodeID: StoredNode] = [:]
    private var ids: [String: NodeID] = [:]
    private var byLabel: [String: [NodeID]] = [:]
    private var allNodes: [NodeID] = []
    private var outgoing: [NodeID: [(String, NodeID)]] = [:]
    private var incoming: [NodeID: [(String, NodeID)]] = [:]
    private var relations: [RelationshipRef: StoredRelation] = [:]

    init(_ tx: GraphTransaction, asOf txn: TransactionNumber) throws {
        try tx.forEachNode(asOf: txn) { node in
            nodes[node.nid] = node
            ids[node.externalID] = node.nid
            allNodes.append(node.nid)
            if let label = node.label { byLabel[label, default: []].append(node.nid) }
            return true
        }
        try tx.forEachRelation(asOf: txn) { rel in
            outgoing[rel.from, default: []].append((rel.type, rel.to))
            incoming[rel.to, default: []].append((rel.type, rel.from))
            relations[RelationshipRef(from: rel.from, type: rel.type, to: rel.to)] = rel
            return true
        }
    }

    func node(_ nid: NodeID) throws -> StoredNode? { nodes[nid] }

    func property(_ key: String, of nid: NodeID) throws -> PropertyValue? { nodes[nid]?.properties[key] }

    func label(of nid: NodeID) throws -> String?? { nodes[nid].map { $0.label } }

    func externalID(of nid: NodeID) throws -> String? { nodes[nid]?.externalID }

    func nodeID(externalID: String) throws -> NodeID? { ids[externalID] }

    func forEachNodeID(labels: [String]?, _ body: (NodeID) throws -> Bool) throws {
        guard let labels else {
            for nid in allNodes where try !body(nid) { return }
            return
        }
        for label in labels {
            for nid in byLabel[label] ?? [] where try !body(nid) { return }
        }
    }

    func nodeIDs(property key: String, equalTo value: PropertyValue) throws -> [NodeID]? { nil }

    func forEachRelation(
        of nid: NodeID, direction: Direction, types: Set<String>?, _ body: (String, NodeID) throws -> Bool
    ) throws {
        let list = (direction == .outgoing ? outgoing[nid] : incoming[nid]) ?? []
        for (type, other) in list {
            if let types, !types.contains(type) { continue }
            if try !body(type, other) { return }
        }
    }

    func relation(from: NodeID, type: String, to: NodeID) throws -> StoredRelation? {
        relations[RelationshipRef(from: from, type: type, to: to)]
    }

    func nodeCount(label: String?) throws -> Int {
        guard let label else { return allNodes.count }
        return byLabel[label]?.count ?? 0
    }

    func countsByLabelAndStatus() throws -> [(label: String?, status: String, count: Int)] {
        var counts: [String?: [String: Int]] = [:]
        for node in nodes.values {
            var status = ""
            if case .string(let s)? = node.properties["status"] { status = s }
            counts[node.label, default: [:]][status, default: 0] += 1
        }
        return counts.flatMap { label, byStatus in byStatus.map { (label, $0.key, $0.value) } }
    }
}
