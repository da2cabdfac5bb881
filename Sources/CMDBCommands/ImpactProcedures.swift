import CIQL
import CIQLValues
import CIQLSyntax
import ConfigurationSchema
import GraphStorage
import ImpactAnalysis

/// The CMDB verbs CIQL's CALL reaches: impact analysis and the dependency structure of a service.
///
///     CALL impact(['hv-001'], {depth: 6}) YIELD ci, level, distance, path
///     CALL dependencies(['svc-payroll']) YIELD ci, distance, path
///
/// `ci` is the CI (a node), `path` the ids from a target to it; both compose with WHERE, RETURN and
/// aggregation. They read the statement's own snapshot.
enum ProcedureCatalog {
    static var all: [ProcedureDefinition] { [impact, dependencies] }

    static let impact = ProcedureDefinition(
        name: "impact", parameters: ["targets", "options"], optionalParameters: 1,
        outputs: ["ci", "level", "distance", "path"]
    ) { arguments, context in
        let tx = context.transaction
        let targets = try nodeIDs(arguments[0], "impact", tx)
        let depth = try depthOption(arguments.count > 1 ? arguments[1] : .null, "impact")
        let result = try ImpactAnalyzer(schema: context.schema).analyze(
            targets: targets, depth: depth, in: tx, interrupt: context.checkInterrupted)
        // A path costs a record read per CI on it: only when the statement yields it. Rows stop at the last
        // output the statement yields (the call binds the ones past a row's end as null): a datacenter's impact
        // is hundreds of thousands of rows, and `YIELD ci` needs one value of each.
        let paths = context.yielded.contains("path")
        let width = rowWidth(["ci", "level", "distance", "path"], context)
        return try result.items.indices.map { i in
            if i & 1023 == 1023 { try context.checkInterrupted() }
            let item = result.items[i]
            switch width {
            case 1: return [.node(item.nid)]
            case 2: return [.node(item.nid), .string(item.level.rawValue)]
            case 3: return [.node(item.nid), .string(item.level.rawValue), .int(Int64(item.distance))]
            default:
                return [.node(item.nid), .string(item.level.rawValue), .int(Int64(item.distance)),
                        paths ? try pathValue(result.path(toItemAt: i), tx) : .null]
            }
        }
    }

    /// How many leading outputs a row needs to hold every output the statement yields (at least 1).
    private static func rowWidth(_ outputs: [String], _ context: ProcedureContext) -> Int {
        (outputs.lastIndex { context.yielded.contains($0) } ?? 0) + 1
    }

    static let dependencies = ProcedureDefinition(
        name: "dependencies", parameters: ["roots", "options"], optionalParameters: 1,
        outputs: ["ci", "distance", "path"]
    ) { arguments, context in
        let tx = context.transaction
        let roots = try nodeIDs(arguments[0], "dependencies", tx)
        let depth = try depthOption(arguments.count > 1 ? arguments[1] : .null, "dependencies")
        let result = try ImpactAnalyzer(schema: context.schema).dependencies(
            of: roots, depth: depth, in: tx, interrupt: context.checkInterrupted)
        let paths = context.yielded.contains("path")
        return try result.items.indices.map { i in
            if i & 1023 == 1023 { try context.checkInterrupted() }
            let item = result.items[i]
            return [.node(item.nid), .int(Int64(item.distance)),
                    paths ? try pathValue(result.path(toItemAt: i), tx) : .null]
        }
    }

    /// A path of node ids as the list of their CI ids.
    private static func pathValue(_ nodes: [NodeID], _ tx: GraphTransaction) throws -> Value {
        .list(try nodes.map { .string(try tx.externalID(of: $0) ?? "?") })
    }

    /// CI ids (a string, a list of strings, or nodes) as node ids; an unknown id is an error naming it.
    private static func nodeIDs(_ v: Value, _ procedure: String, _ tx: GraphTransaction) throws -> [NodeID] {
        let items: [Value]
        switch v {
        case .list(let l): items = l
        case .null: items = []
        default: items = [v]
        }
        return try items.map { item in
            switch item {
            case .node(let nid): return nid
            case .string(let id):
                guard let nid = try tx.nodeID(forExternalID: id), try tx.label(of: nid) != nil else {
                    throw CIQLError(.runtime, .graph(.unknownCI), "\(procedure)(): unknown CI '\(id)'")
                }
                return nid
            default:
                throw CIQLError(.runtime, .type(.invalidArgumentType), "\(procedure)() takes CI ids (strings) or CIs, not \(item.typeName.lowercased())")
            }
        }
    }

    private static func depthOption(_ v: Value, _ procedure: String) throws -> Int? {
        switch v {
        case .null: return nil
        case .map(let m):
            for key in m.keys where key != "depth" {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "\(procedure)(): unknown option '\(key)' (options: depth)")
            }
            switch m["depth"] ?? .null {
            case .null: return nil
            case .int(let d) where d >= 1: return Int(d)
            case let other:
                throw CIQLError(.runtime, .argument(.numberOutOfRange), "\(procedure)(): depth must be a positive integer, not \(other.typeName.lowercased())")
            }
        default: throw CIQLError(.runtime, .type(.invalidArgumentType), "\(procedure)(): options must be a map like {depth: 6}")
        }
    }
}
