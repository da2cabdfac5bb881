import CIQLValues
import CIQLResults
import GraphStorage

extension ResultGraph {
    /// Resolves the nodes and relations of result rows through the statement's graph, while its transaction is open.
    convenience init(_ source: any GraphSource) {
        self.init(
            node: { try source.node($0) },
            relation: { try source.relation(from: $0.from, type: $0.type, to: $0.to) })
    }
}
