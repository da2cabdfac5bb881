public import CIQLValues
import CIQLSyntax
public import GraphStorage

/// Receives a statement's results as they are produced, inside the statement's transaction.
public protocol ResultSink: AnyObject {
    /// The column names, before the first row; `graph` resolves nodes and relations in rows until `end`.
    func begin(columns: [String], graph: ResultGraph) throws
    func row(_ values: [Value]) throws
    func end(_ summary: StatementSummary) throws
}

/// Looks up the CIs and relations that result rows refer to, in the statement's snapshot.
public final class ResultGraph {
    private enum Backing {
        /// Reads from the statement's open transaction.
        case live(node: (NodeID) throws -> StoredNode?, relation: (RelationshipRef) throws -> StoredRelation?)
        /// What a buffered statement's rows referred to, copied while its transaction was open.
        case snapshot(nodes: [NodeID: StoredNode], relations: [RelationshipRef: StoredRelation])
    }
    private let backing: Backing

    /// Reads through the statement's open transaction.
    package init(node: @escaping (NodeID) throws -> StoredNode?, relation: @escaping (RelationshipRef) throws -> StoredRelation?) {
        backing = .live(node: node, relation: relation)
    }

    package init(nodes: [NodeID: StoredNode], relations: [RelationshipRef: StoredRelation]) {
        backing = .snapshot(nodes: nodes, relations: relations)
    }

    public func node(_ nid: NodeID) throws -> StoredNode? {
        switch backing {
        case .live(let node, _): try node(nid)
        case .snapshot(let nodes, _): nodes[nid]
        }
    }

    public func relation(_ ref: RelationshipRef) throws -> StoredRelation? {
        switch backing {
        case .live(_, let relation): try relation(ref)
        case .snapshot(_, let relations): relations[ref]
        }
    }

    /// The CI's id, or `#nid` when the node is gone (deleted by the statement itself).
    public func externalID(_ nid: NodeID) throws -> String { try node(nid)?.externalID ?? "#\(nid)" }
}

/// What a statement did, for the line after its results.
public struct StatementSummary: Sendable {
    public var rows = 0
    public var counters = UpdateCounters()
    /// The transaction that recorded the writes, if any.
    public var transaction: TransactionNumber?
    public var asOf: TransactionNumber?
    /// The statement writes (ran in a write transaction): when it changed nothing its line says so.
    public var writes = false
    /// Wall time of planning and execution, in microseconds.
    public var microseconds: Int64 = 0

    public init() {}
}

/// What a writing statement changed, as Cypher tools report it.
public struct UpdateCounters: Sendable, Equatable {
    public var nodesCreated = 0
    public var nodesDeleted = 0
    public var relationshipsCreated = 0
    public var relationshipsDeleted = 0
    /// Properties given a new value (added or changed; writing the value a property has is no change).
    public var propertiesSet = 0
    public var propertiesRemoved = 0
    public var labelsAdded = 0
    public var labelsRemoved = 0

    public init() {}

    public var isEmpty: Bool { self == UpdateCounters() }
}

/// Collects results in memory: for tests, the REPL's table and procedures that run a query.
public final class CollectingSink: ResultSink {
    public private(set) var columns: [String] = []
    public private(set) var rows: [[Value]] = []
    public private(set) var summary = StatementSummary()
    /// Node ids resolved to CI ids while the transaction was open (`rows` keep internal references).
    public private(set) var externalIDs: [NodeID: String] = [:]
    private var graph: ResultGraph?
    private let limits: StatementLimits
    private var bytes = 0

    /// `limits.maximumMemory` bounds the rows kept.
    public init(limits: StatementLimits = .none) { self.limits = limits }

    public func begin(columns: [String], graph: ResultGraph) throws {
        self.columns = columns
        self.graph = graph
    }

    public func row(_ values: [Value]) throws {
        bytes &+= values.estimatedBytes
        if let budget = limits.maximumMemory, bytes > budget {
            throw CIQLError(
                .runtime, .limit(.memory),
                "the statement's results need more memory than its budget of \(StatementLimits.describeBytes(budget)) "
                    + "and it was stopped (change the budget with \(limits.memoryHint); 0 means no budget)")
        }
        rows.append(values)
        for v in values { try remember(v) }
    }

    private func remember(_ v: Value) throws {
        switch v {
        case .node(let nid): externalIDs[nid] = try graph?.externalID(nid)
        case .relationship(let r):
            externalIDs[r.from] = try graph?.externalID(r.from)
            externalIDs[r.to] = try graph?.externalID(r.to)
        case .path(let p): for n in p.nodes { externalIDs[n] = try graph?.externalID(n) }
        case .list(let l): for e in l { try remember(e) }
        case .map(let m): for e in m.entries { try remember(e.value) }
        default: break
        }
    }

    public func end(_ summary: StatementSummary) throws {
        self.summary = summary
        graph = nil
    }

    /// The CI ids in the first column (CIs or id strings; nulls skipped): how `impact --where` and audit
    /// rules take their CIs from a query.
    public func firstColumnIDs() throws -> [String] {
        try rows.compactMap { row -> String? in
            switch row.first {
            case .node(let nid)?: return externalIDs[nid]
            case .string(let id)?: return id
            case .null?, nil: return nil
            case let other?:
                throw CIQLError(.semantic, .type(.invalidArgumentType), "the first column must hold CIs or CI ids, not \(other.typeName.lowercased())")
            }
        }
    }
}


/// The distinct CI ids of a query's first column, gathered as rows arrive (CIs or id strings; nulls skipped): what
/// an audit rule reports. Holds one entry per CI, not per row, so `MATCH (a),(b) RETURN a` stays small.
public final class FirstColumnIDSink: ResultSink {
    public private(set) var ids: [String] = []
    /// Ids already taken, by code point (UTF-8 bytes): canonically equivalent ids are two CIs.
    private var seen: Set<[UInt8]> = []
    /// Nodes already taken, so a node met again costs no lookup of its id.
    private var seenNodes: Set<NodeID> = []
    private var graph: ResultGraph?
    private let limits: StatementLimits
    private var bytes = 0

    public init(limits: StatementLimits = .none) { self.limits = limits }

    public func begin(columns: [String], graph: ResultGraph) throws { self.graph = graph }

    public func row(_ values: [Value]) throws {
        let id: String
        switch values.first {
        case .node(let nid)?:
            guard seenNodes.insert(nid).inserted, let external = try graph?.externalID(nid) else { return }
            id = external
        case .string(let s)?: id = s
        case .null?, nil: return
        case let other?:
            throw CIQLError(.semantic, .type(.invalidArgumentType), "the first column must hold CIs or CI ids, not \(other.typeName.lowercased())")
        }
        guard seen.insert(Array(id.utf8)).inserted else { return }
        ids.append(id)
        bytes &+= 2 * (40 + id.utf8.count) + 16
        if let budget = limits.maximumMemory, bytes > budget {
            throw CIQLError(
                .runtime, .limit(.memory),
                "the rule's CIs need more memory than the budget of \(StatementLimits.describeBytes(budget)) "
                    + "(change the budget with \(limits.memoryHint); 0 means no budget)")
        }
    }

    public func end(_ summary: StatementSummary) throws { graph = nil }
}
