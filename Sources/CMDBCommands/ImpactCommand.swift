import ArgumentParser
import CIQL
import CIQLResults
import CIQLSyntax
import CMDB
import GraphStorage
import ImpactAnalysis
import JSONLines
import Verification

/// `cmdb impact CI… [--depth N] [--window START/END] [--format …]`
struct ImpactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact",
        abstract: "What breaks if these CIs go down: impacted CIs, business services, owners, risk, collisions.",
        discussion: """
            Impact travels along relation types as the schema declares (forward, reverse, none), with redundancy
            groups and cluster quorum deciding between down and degraded; withdrawn and disposed CIs neither
            receive nor pass it on. Every impacted CI comes with its distance and one shortest path from a target
            that explains its level.

            --window START/END (ISO-8601, e.g. 2026-11-22T02:00/2026-11-22T04:00; local time in the planning
            time zone, see 'cmdb change timezone', unless it ends in Z or an offset) checks the change against
            every affected business service's maintenance_window and against other planned changes
            ('cmdb change plan') whose windows overlap and whose impact meets this one. --change REF names the
            change being assessed (as 'cmdb change plan REF' planned it), which is no collision with itself;
            without --window, its planned window is the one checked.

            Formats: tree (default), table, json, dot (Graphviz), mermaid, markdown (a CAB report).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tree, table, json, dot, mermaid, markdown
    }

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var limitOptions: LimitOptions

    @Argument(help: ArgumentHelp("The CIs going down, by id.", valueName: "ci"))
    var cis: [String] = []

    @Option(help: ArgumentHelp(
        "List only CIs at most this many steps from a target (levels and roll-ups still use the whole impact).",
        valueName: "n"))
    var depth: Int?

    @Option(help: ArgumentHelp(
        "The change window, START/END (default: the planned window of the --change being assessed).", valueName: "start/end"))
    var window: String?

    @Option(help: ArgumentHelp(
        "The change being assessed, by its reference: a planned change of that reference is not a collision.",
        valueName: "ref"))
    var change: String?

    @Option(help: ArgumentHelp("tree, table, json, dot, mermaid or markdown.", valueName: "format"))
    var format: Format = .tree

    @Option(name: .customLong("where"), help: ArgumentHelp(
        "Also take as targets the CIs a CIQL query returns in its first column, e.g. "
            + "\"MATCH (h:Hypervisor)-[:LOCATED_IN]->(:Rack {id: 'rack-a1'}) RETURN h\".", valueName: "ciql"))
    var query: String?

    func validate() throws {
        if cis.isEmpty && query == nil { throw ValidationError("name at least one CI: cmdb impact CI… (or --where 'CIQL')") }
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more, not \(depth)") }
        _ = try changeReference(change)
    }

    func run() throws {
        let db = try ConfigurationDatabase.open(at: database.path, readOnly: true)
        let limits = limitOptions.limits()
        // The same time limit as a statement: --timeout, default 5 minutes, 0 for none.
        let deadline = JobDeadline(seconds: limits.timeout)
        var cis = self.cis
        if let query { cis += try Self.targets(of: query, in: db, limits: limits) }
        let report = try db.store.read { tx in
            let targets = try planningInput { try CIReference.resolve(cis, place: "argument", in: tx) }
            let zone = try ChangePlanning.timeZone(in: tx)
            let changeWindow = try window.map { (text) in try planningInput { try ChangeWindow.parse(text, timeZone: zone) } }
            return try ImpactReport.make(
                targets: targets, depth: depth, window: changeWindow, excluding: try changeReference(change),
                analyzer: ImpactAnalyzer(schema: db.schema), in: tx, interrupt: deadline.map { (d) in { try d.check() } })
        }
        let sink = Console.standardOutput
        // Ids, classes and owners are stored values: their control characters are shown as escapes, never obeyed.
        let write: (String) throws -> Void = { (text) in try sink.write(TerminalText.escaped(text)) }
        switch format {
        case .tree: try report.renderTree(write)
        case .table: try report.renderTable(write)
        case .json: try report.writeJSON { (bytes) in try sink.write(bytes) }
        case .dot: try report.renderDOT(write)
        case .mermaid: try report.renderMermaid(write)
        case .markdown: try report.renderMarkdown(title: nil, write)
        }
        try sink.flush()
    }
}

extension ImpactCommand {
    /// The CI ids in the first column of a query's rows (nodes or id strings).
    static func targets(of query: String, in db: ConfigurationDatabase, limits: StatementLimits) throws -> [String] {
        let ids: [String]
        do {
            ids = try QueryEngine(database: db, procedures: ProcedureCatalog.all).query(query, limits: limits)
                .firstColumnIDs()
        } catch let error as CIQLError {
            throw CommandFailure(
                message: error.rendered(source: query, file: "--where"), exitCode: 2, code: error.code, isRendered: true)
        }
        guard !ids.isEmpty else { throw CommandFailure.badInput("--where: the query found no CIs") }
        return ids
    }
}

/// Runs `body`, turning a `PlanningError` (bad input) into exit 2 with its message.
func planningInput<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as PlanningError {
        throw CommandFailure.badInput(error.message)
    }
}
