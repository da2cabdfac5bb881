package import CIQLValues
import CIQLSyntax
import GraphStorage

/// Holds a writing statement's output until its transaction has committed.
///
/// A write can be rolled back and run again (the map grew), or fail at commit (a full disk): nothing of an
/// attempt may reach the user before the commit succeeded. Each attempt gets a fresh buffer; the rows keep
/// copies of the CIs and relations they refer to, taken while the transaction was open, so `replay` needs no
/// transaction.
///
/// - Complexity: memory grows with the statement's result (writing statements rarely return much).
package final class BufferingSink: ResultSink {
    private enum Event {
        case begin([String])
        case row([Value])
        case end(StatementSummary)
    }
    private var events: [Event] = []
    private var graph: ResultGraph?
    private var nodes: [NodeID: StoredNode] = [:]
    private var relations: [RelationshipRef: StoredRelation] = [:]
    /// The memory budget for the rows held until the commit.
    private let limits: StatementLimits
    private var bytes = 0

    package init(limits: StatementLimits = .none) { self.limits = limits }

    package func begin(columns: [String], graph: ResultGraph) throws {
        self.graph = graph
        events.append(.begin(columns))
    }

    package func row(_ values: [Value]) throws {
        bytes &+= values.estimatedBytes
        if let budget = limits.maximumMemory, bytes > budget {
            throw CIQLError(
                .runtime, .limit(.memory),
                "the rows of this writing statement, held until it commits, need more memory than the budget of "
                    + "\(StatementLimits.describeBytes(budget)) (return fewer rows, or change the budget with "
                    + "\(limits.memoryHint)); nothing was written")
        }
        for v in values { try remember(v) }
        events.append(.row(values))
    }

    package func end(_ summary: StatementSummary) throws {
        events.append(.end(summary))
    }

    private func remember(_ v: Value) throws {
        switch v {
        case .node(let nid): try rememberNode(nid)
        case .relationship(let r): try rememberRelation(r)
        case .path(let p):
            for n in p.nodes { try rememberNode(n) }
            for r in p.relationships { try rememberRelation(r) }
        case .list(let l): for e in l { try remember(e) }
        case .map(let m): for e in m.entries { try remember(e.value) }
        default: break
        }
    }

    private func rememberNode(_ nid: NodeID) throws {
        if nodes[nid] == nil, let node = try graph?.node(nid) { nodes[nid] = node }
    }

    private func rememberRelation(_ r: RelationshipRef) throws {
        try rememberNode(r.from)
        try rememberNode(r.to)
        if relations[r] == nil, let relation = try graph?.relation(r) { relations[r] = relation }
    }

    /// Sends everything held to `sink`, as the statement produced it.
    package func replay(into sink: any ResultSink) throws {
        let snapshot = ResultGraph(nodes: nodes, relations: relations)
        for event in events {
            switch event {
            case .begin(let columns): try sink.begin(columns: columns, graph: snapshot)
            case .row(let values): try sink.row(values)
            case .end(let summary): try sink.end(summary)
            }
        }
    }
}
