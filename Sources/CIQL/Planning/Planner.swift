import CIQLValues
import CIQLSyntax
import ConfigurationSchema
import GraphStorage

/// A planned query: the operator tree, its output columns and whether it writes.
struct QueryPlan {
    var root: PlanOperator
    var columns: [String]
    var columnSlots: [Int]
    var width: Int
    var writes: Bool
    /// What each WITH/RETURN did to the row layout (see `SlotLayout`).
    var stages: [SlotLayout.Stage] = []
}

/// Turns a parsed query into an operator tree: resolves variables to slots, checks names against the
/// schema, picks index seeks and scan starts, and places filters as early as their variables allow.
final class Planner {
    let schema: Schema
    /// Which slot each variable lives in, and which slots are free at the current point of planning.
    let layout = SlotLayout()
    /// Slots no stage may give back: the output columns every part of a UNION writes.
    private(set) var pinnedSlots = Set<Int>()
    /// What the store knows, for choosing plans: indexed property keys and node counts.
    let statistics: PlanningStatistics
    let allAttributeNames: Set<String>
    let relationAttributeNames: Set<String> = []
    var storedPropertyKeys: Set<String> { statistics.propertyKeys }
    let procedures: [String: ProcedureDefinition]
    private(set) var writes = false
    /// Aggregations, told the row width once planning is done (an empty input has no row to copy).
    var aggregates: [AggregateOperator] = []
    /// Literals (by source offset) compiled as reads of a hidden parameter instead of a constant, so a cached
    /// plan can run with other values (see `PlanCache`); empty for an uncached plan.
    var literalParameters: [Int: String] = [:]
    /// The offsets in `literalParameters` that the plan reads.
    private(set) var usedLiteralParameters: Set<Int> = []
    /// What follows the next pattern planned (see `PatternContext`); `planPattern` takes it and resets it.
    var nextPatternContext = PatternContext()
    /// For a statement with AS OF: the class and relation type names the store has ever held, which it may name
    /// though the present schema dropped them (the past it reads may have CIs of them).
    var pastNames: PastNames?

    init(schema: Schema, statistics: PlanningStatistics, procedures: [String: ProcedureDefinition]) {
        self.schema = schema
        self.statistics = statistics
        self.procedures = procedures
        var names = Set<String>()
        for c in schema.classes { for a in schema.attributes(of: c.name) { names.insert(a.name) } }
        allAttributeNames = names
    }

    func plan(_ query: Query) throws -> QueryPlan {
        var plan = try planUnion(query)
        plan.width = layout.width
        plan.stages = layout.stages
        for aggregate in aggregates { aggregate.rowWidth = layout.width }
        return plan
    }

    /// A literal as a constant, or as a read of its hidden parameter when the plan is made for the cache.
    func literal(_ value: Value, _ at: SourceLocation) -> CompiledExpression {
        guard let name = literalParameters[at.offset] else { return .constant(value) }
        usedLiteralParameters.insert(at.offset)
        return .parameter(name, at)
    }

    private func planUnion(_ query: Query) throws -> QueryPlan {
        guard query.parts.count > 1 else {
            let (root, columns, columnSlots) = try planSingle(query.parts[0])
            return QueryPlan(root: root, columns: columns, columnSlots: columnSlots, width: layout.width, writes: writes)
        }
        // UNION: every part must return the same columns, into the same slots: the first part's output slots, which
        // the other parts keep free for their RETURN (each part starts from the empty argument row).
        var roots: [PlanOperator] = []
        var columns: [String] = []
        var shared: [Int] = []
        for (i, part) in query.parts.enumerated() {
            if i > 0 {
                layout.release(layout.inUse)
                layout.reserve(shared)
                pinnedSlots = Set(shared)
            }
            var (root, partColumns, partSlots) = try planSingle(part, unionSlots: i > 0 ? shared : nil)
            if i == 0 {
                (columns, shared) = (partColumns, partSlots)
            } else {
                guard partColumns == columns else {
                    throw CIQLError(
                        .semantic, .syntax(.differentColumnsInUnion), "all parts of a UNION must return the same columns: "
                            + "\(columns.joined(separator: ", ")) vs \(partColumns.joined(separator: ", "))",
                        at: part.location)
                }
                // A part that could not write its RETURN into the shared slots (a standalone CALL) copies them there.
                if partSlots != shared {
                    root = ProjectOperator(
                        root, zip(shared, partSlots).map { ($0, .slot($1)) }, detail: partColumns.joined(separator: ", "))
                }
            }
            roots.append(root)
        }
        pinnedSlots = []
        var root: PlanOperator = UnionOperator(roots)
        if query.unionAll.contains(false) {
            root = DistinctOperator(root, slots: shared, detail: columns.joined(separator: ", "))
        }
        var unionScope = Scope()
        for (name, slot) in zip(columns, shared) { unionScope[name] = Variable(slot: slot, kind: .value) }
        layout.record("UNION", unionScope, cleared: [])
        return QueryPlan(root: root, columns: columns, columnSlots: shared, width: layout.width, writes: writes)
    }

    /// Plans one query; `outer` holds the variables of an enclosing query (for `EXISTS { … }`); `unionSlots` are
    /// the slots its RETURN writes (a later part of a UNION).
    func planSingle(_ query: SingleQuery, scope outer: Scope = Scope(), unionSlots: [Int]? = nil) throws
        -> (PlanOperator, [String], [Int])
    {
        var op: PlanOperator = ArgumentOperator()
        var scope = outer
        var columns: [String] = []
        var columnSlots: [Int] = []
        var hasRead = false
        let ignoringDuplicates = Self.ignoringDuplicates(query.clauses)
        for (index, clause) in query.clauses.enumerated() {
            let isLast = index == query.clauses.count - 1
            switch clause.kind {
            case .match(let optional, let pattern, let filter):
                nextPatternContext = Self.patternContext(
                    before: query.clauses[(index + 1)...], ignoresDuplicates: ignoringDuplicates[index + 1], optional: optional)
                if optional {
                    var inner = scope
                    let plan = try planPattern(pattern, where: filter, onto: ArgumentOperator(), &inner)
                    let introduced = inner.names.filter { scope[$0] == nil }.compactMap { inner[$0]?.slot }
                    op = OptionalOperator(op, inner: plan, introducedSlots: introduced)
                    scope = inner
                } else {
                    op = try planPattern(pattern, where: filter, onto: op, &scope)
                }
                hasRead = true
            case .unwind(let list, let variable):
                let compiled = try compile(list, scope)
                let slot = layout.allocate()
                op = UnwindOperator(op, compiled, slot: slot, detail: variable.text)
                scope[variable.text] = Variable(slot: slot, kind: .value)
                hasRead = true
            case .with(let projection, let filter):
                // Writes finish for every row before a projection's SKIP or LIMIT can stop pulling them.
                if writes, !hasRead { op = EagerOperator(op, readsWhenOpened: true) }
                // WHERE also sees the variables before WITH: carry the ones it reads in hidden columns (rows are
                // not merged, nor cut by SKIP/LIMIT, before it). After DISTINCT or grouping it sees only the
                // columns, as ORDER BY does (a variable the projection dropped has no single value per row).
                var projection = projection
                var carriedNames: [String] = []
                let merges = projection.distinct || projection.items.contains(where: { $0.expression.containsAggregate })
                let before = scope
                if let filter, !projection.includesAll, projection.skip == nil, projection.limit == nil, !merges {
                    let projected = Set(projection.items.map(\.columnName))
                    // A subquery in the WHERE may read any variable before the WITH.
                    let read = filter.referencedVariables
                    let names = read.contains(Self.subqueryMarker) ? Set(scope.variables.keys) : read
                    carriedNames = names.filter { !projected.contains($0) && scope[$0] != nil && !$0.hasPrefix(" ") }.sorted()
                    for name in carriedNames {
                        projection.items.append(ProjectionItem(
                            expression: Expression(.variable(name), at: filter.location),
                            alias: Name(" with " + name, at: filter.location), text: " with " + name))
                    }
                }
                let projected = try planProjection(projection, op, scope, isReturn: false)
                (op, scope) = (projected.op, projected.scope)
                if var filter {
                    var filterScope = scope
                    for name in carriedNames { filterScope[name] = scope[" with " + name] }
                    // An expression the projection computes stands for its column (`WITH DISTINCT a.x AS x WHERE a.x = 1`).
                    if merges { filter = readingColumns(filter, of: projection.items.filter { !$0.expression.containsAggregate }, scope) }
                    let dropped = filter.variablesReadFromScope.filter { filterScope[$0] == nil && before[$0] != nil }
                    if merges, let name = dropped.min() {
                        throw CIQLError(
                            .semantic, .syntax(.undefinedVariable),
                            "'\(name)' in WHERE is not projected by this WITH: after "
                                + (projection.distinct ? "DISTINCT" : "grouping")
                                + " WHERE sees only the projected columns; project what it filters on (… AS name)",
                            at: location(ofVariable: name, in: filter) ?? filter.location)
                    }
                    try checkPredicate(filter, filterScope)
                    op = FilterOperator(op, try compile(filter, filterScope), detail: "WITH … WHERE")
                    for name in carriedNames { scope[" with " + name] = nil }
                }
                endStage(projected, last: op, scope)
                hasRead = true
            case .return(let projection):
                guard isLast else {
                    throw CIQLError(.syntax, .syntax(.invalidClauseComposition), "RETURN must be the last clause; use WITH to go on", at: clause.location)
                }
                if writes, !hasRead { op = EagerOperator(op, readsWhenOpened: true) }
                let projected = try planProjection(projection, op, scope, isReturn: true, into: unionSlots)
                (op, scope, columns, columnSlots) = (projected.op, projected.scope, projected.columns, projected.slots)
                layout.record("RETURN", scope, cleared: [])
            case .call(let call):
                op = try planCall(
                    call, op, &scope, standalone: query.clauses.count == 1,
                    next: isLast ? nil : query.clauses[index + 1])
                if query.clauses.count == 1 {
                    (columns, columnSlots) = (scope.visibleNames, scope.visibleNames.compactMap { scope[$0]?.slot })
                    if let yield = call.yield {
                        columns = yield.map(\.variable.text)
                        columnSlots = columns.compactMap { scope[$0]?.slot }
                    }
                }
                hasRead = true
            case .create, .merge, .set, .remove, .delete:
                // MERGE reads the graph: the writes before it finish first, for every row.
                var mergesAfterWrites = false
                if case .merge = clause.kind { mergesAfterWrites = writes }
                writes = true
                if hasRead || mergesAfterWrites { op = EagerOperator(op) }
                op = try planWrite(clause, op, &scope)
                hasRead = false
            }
        }
        if let last = query.clauses.last {
            switch last.kind {
            case .return, .create, .merge, .set, .remove, .delete: break
            case .call where query.clauses.count == 1: break
            default:
                throw CIQLError(
                    .syntax, .syntax(.invalidClauseComposition), "a query must end with RETURN or a writing clause (CREATE, MERGE, SET, REMOVE, DELETE)",
                    at: last.location)
            }
        }
        return (op, columns, columnSlots)
    }

    /// Ends a `WITH`: the slots of the variables it did not project are free again, and cleared in every row as soon as
    /// nothing of the stage reads them (by the operator computing the items, else by the stage's last operator).
    private func endStage(_ projected: PlannedProjection, last: PlanOperator, _ scope: Scope) {
        let kept = Set(scope.variables.values.map(\.slot)).union(pinnedSlots)
        let dead = layout.inUse.subtracting(kept)
        layout.record("WITH", scope, cleared: projected.makesRows ? [] : Array(dead))
        layout.release(dead)
        guard !projected.makesRows else { return }
        var cleared = Set<Int>()
        if let aggregate = projected.aggregate {
            let inGroups = dead.intersection(projected.inUseBefore).subtracting(projected.sortReads)
                .subtracting(projected.groupReads)
            aggregate.clearedInGroups = inGroups.sorted()
            cleared = inGroups
        }
        if let project = projected.project {
            let early = dead.intersection(projected.inUseAtProject).subtracting(projected.slots)
                .subtracting(projected.sortReads).subtracting(cleared)
            project.clearsSlots(early)
            cleared.formUnion(early)
        }
        if let sort = projected.sort {
            // After the sort keys, only the items are read (SKIP/LIMIT, DISTINCT, WHERE's hidden columns).
            let afterKeys = dead.intersection(projected.inUseAtSort).subtracting(projected.slots).subtracting(cleared)
            sort.clearedAfterKeys = afterKeys.sorted()
            cleared.formUnion(afterKeys)
        }
        last.clearsSlots(dead.subtracting(cleared))
    }
}

/// What the planner reads from the store before planning: indexed keys, counts, property names.
/// Every label and relation type name a store has held (its name table keeps them all).
struct PastNames {
    var labels: Set<String>
    var relationTypes: Set<String>

    /// The names for a statement that reads the past, nil for one that reads the present.
    static func of(_ statement: Statement, _ tx: GraphTransaction) -> PastNames? {
        guard statement.asOf != nil else { return nil }
        return PastNames(labels: Set(tx.labelNames), relationTypes: Set(tx.relationTypeNames))
    }
}

struct PlanningStatistics {
    var indexedKeys: Set<String>
    var propertyKeys: Set<String>
    var nodeCount: (String?) -> Int

    /// What `source` (read through `tx`) knows; counts are estimates, so a failed count plans as empty.
    static func of(_ source: any GraphSource, _ tx: GraphTransaction) throws -> PlanningStatistics {
        PlanningStatistics(
            indexedKeys: Set(try tx.indexedProperties()), propertyKeys: Set(tx.propertyKeyNames),
            nodeCount: { label in (try? source.estimatedNodeCount(label: label)) ?? 0 })
    }

    /// For expressions that read no graph (AS OF points).
    static var none: PlanningStatistics { PlanningStatistics(indexedKeys: [], propertyKeys: [], nodeCount: { _ in 0 }) }
}
