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
    ) { arguments, context -> ProcedureRows in
        let tx = context.transaction
        let targets = try nodeIDs(arguments[0], "impact", tx)
        let depth = try depthOption(arguments.count > 1 ? arguments[1] : .null, "impact")
        let analyzer = ImpactAnalyzer(schema: context.schema)
        if !context.ordered, depth == nil, context.yielded.isSubset(of: ["ci", "level"]) {
            // Counted or filtered only: the impacted CIs and their levels, without the walk for distances and paths.
            let levels = try analyzer.levels(targets: targets, in: tx, interrupt: context.checkInterrupted)
            return ProcedureRows(count: levels.count) { (row, output) in
                return output == 0 ? .node(levels[row].nid) : output == 1 ? .string(levels[row].level.rawValue) : .null
            }
        }
        let result = try analyzer.analyze(targets: targets, depth: depth, in: tx, interrupt: context.checkInterrupted)
        // A path costs a record read per CI on it: only when the statement yields it.
        let paths = context.yielded.contains("path")
        return ProcedureRows(count: result.items.count) { (row, output) in
            let item = result.items[row]
            switch output {
            case 0: return .node(item.nid)
            case 1: return .string(item.level.rawValue)
            case 2: return .int(Int64(item.distance))
            default: return paths ? try pathValue(result.path(toItemAt: row), tx) : .null
            }
        }
    }

    static let dependencies = ProcedureDefinition(
        name: "dependencies", parameters: ["roots", "options"], optionalParameters: 1,
        outputs: ["ci", "distance", "path"]
    ) { arguments, context -> ProcedureRows in
        let tx = context.transaction
        let roots = try nodeIDs(arguments[0], "dependencies", tx)
        let depth = try depthOption(arguments.count > 1 ? arguments[1] : .null, "dependencies")
        let result = try ImpactAnalyzer(schema: context.schema).dependencies(
            of: roots, depth: depth, in: tx, interrupt: context.checkInterrupted)
        let paths = context.yielded.contains("path")
        return ProcedureRows(count: result.items.count) { (row, output) in
            let item = result.items[row]
            switch output {
            case 0: return .node(item.nid)
            case 1: return .int(Int64(item.distance))
            default: return paths ? try pathValue(result.path(toItemAt: row), tx) : .null
            }
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
                throw CIQLError(.runtime, .argument(.numberOutOfRange), "\(procedure)(): depth must be a positive integer, not \(ValueText.literal(other, maxLength: 40))")
            }
        default: throw CIQLError(.runtime, .type(.invalidArgumentType), "\(procedure)(): options must be a map like {depth: 6}")
        }
    }
}
