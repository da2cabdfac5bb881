import CIQLSyntax
import ConfigurationSchema

/// A planned `WITH` or `RETURN`, with what ending its stage needs to know (see `Planner.endStage`).
struct PlannedProjection {
    var op: PlanOperator
    /// The projected variables.
    var scope: Scope
    var columns: [String]
    /// Each item's slot.
    var slots: [Int]
    /// The operator that computes the items (nil when the rows are made afresh or only grouped).
    var project: PlanOperator?
    var aggregate: AggregateOperator?
    /// The rows are made afresh (counts from the store): they hold nothing but the items.
    var makesRows = false
    /// The slots in use before the projection, and when `project` was made.
    var inUseBefore: Set<Int>
    var inUseAtProject: Set<Int> = []
    /// The slots of variables from before the projection that ORDER BY reads.
    var sortReads: Set<Int> = []
    /// ORDER BY, which can clear what only its keys read in the rows it holds, and the slots in use when it was made.
    var sort: SortOperator?
    var inUseAtSort: Set<Int> = []
    /// The slots of variables from before the projection that the items computed after grouping read
    /// (`[a] + collect(n)` reads the key `a` from the group's row).
    var groupReads: Set<Int> = []
}

/// Planning `WITH` and `RETURN`: projection, implicit grouping, DISTINCT, ORDER BY, SKIP and LIMIT.
extension Planner {
    /// Plans the projection; `targets` are the slots the items must be written to (a later part of a UNION).
    func planProjection(
        _ projection: Projection, _ input: PlanOperator, _ scope: Scope, isReturn: Bool, into targets: [Int]? = nil
    ) throws -> PlannedProjection {
        let clause = isReturn ? "RETURN" : "WITH"
        var items = projection.items
        if projection.includesAll {
            let visible = scope.visibleNames
            if isReturn, visible.isEmpty, items.isEmpty {
                throw CIQLError(.semantic, .syntax(.noVariablesInScope), "\(clause) * has no variables to return here", at: projection.items.first?.expression.location)
            }
            let star = visible.map { name in
                ProjectionItem(expression: Expression(.variable(name), at: .start), alias: nil, text: name)
            }
            items = star + items
        }
        if items.contains(where: \.expression.containsAggregate) { try checkOrderByAggregation(items, projection.orderBy) }
        var seen = Set<String>()
        for item in items {
            if !isReturn, item.alias == nil, !isVariable(item.expression) {
                throw CIQLError(.semantic, .syntax(.noExpressionAlias), "the expression '\(item.text)' in WITH needs a name: add AS name", at: item.expression.location)
            }
            guard seen.insert(item.columnName).inserted else {
                throw CIQLError(.semantic, .syntax(.columnNameConflict), "column '\(item.columnName)' appears twice; rename one with AS", at: item.expression.location)
            }
        }
        let aggregating = items.contains { $0.expression.containsAggregate }
        if aggregating { try checkAggregationKeys(items) }
        var op = input
        var newScope = Scope()
        var itemSlots: [Int] = []
        var keyVariables = Set<String>()
        var planned = PlannedProjection(op: input, scope: Scope(), columns: [], slots: [], inUseBefore: layout.inUse)
        // Written into the given slots only when there is one per item (else the UNION reports the columns).
        let targets = targets?.count == items.count ? targets : nil
        func itemSlot(_ i: Int) -> Int { targets?[i] ?? layout.allocate() }
        if aggregating, !projection.distinct, targets == nil, let counted = try countStorePlan(items, input, scope) {
            op = counted.op
            planned.makesRows = true
            itemSlots = counted.slots
            for (item, slot) in zip(items, itemSlots) { newScope[item.columnName] = Variable(slot: slot, kind: .value) }
        } else if aggregating {
            var keys: [(slot: Int, expression: CompiledExpression)] = []
            let collector = AggregateCollector()
            var post: [(slot: Int, expression: CompiledExpression)] = []
            for (i, item) in items.enumerated() {
                let slot = itemSlot(i)
                itemSlots.append(slot)
                if item.expression.containsAggregate {
                    post.append((slot, try compile(item.expression, scope, aggregates: collector)))
                    planned.groupReads.formUnion(Self.slotsRead(by: item.expression, in: scope))
                } else {
                    keys.append((slot, try compile(item.expression, scope)))
                    let names = item.expression.referencedVariables
                    // A subquery's outer variables are not worked out: it may read any of them.
                    keyVariables.formUnion(names.contains(Self.subqueryMarker) ? Set(scope.variables.keys) : names)
                }
                newScope[item.columnName] = carried(item, scope, slot)
            }
            let detail = items.map(\.text).joined(separator: ", ")
            let undistinct = keys.isEmpty && !Self.dropRedundantDistinct(&collector.specs, over: op).isEmpty
            let aggregate = AggregateOperator(
                op, keys: keys, aggregates: collector.specs, detail: detail + (undistinct ? " (ends already distinct)" : ""))
            aggregates.append(aggregate)
            op = aggregate
            planned.aggregate = aggregate
            if !post.isEmpty {
                op = ProjectOperator(op, post, detail: detail)
                planned.project = op
            }
        } else {
            var projections: [(slot: Int, expression: CompiledExpression)] = []
            var renamed = Set<Int>()
            for (i, item) in items.enumerated() {
                // A variable projected as it is keeps its slot (`WITH a AS b, b AS a` swaps names, not values).
                if targets == nil, case .variable(let v) = item.expression.kind, let old = scope[v],
                    renamed.insert(old.slot).inserted
                {
                    itemSlots.append(old.slot)
                    newScope[item.columnName] = carried(item, scope, old.slot)
                    continue
                }
                let slot = itemSlot(i)
                itemSlots.append(slot)
                projections.append((slot, try compile(item.expression, scope)))
                newScope[item.columnName] = carried(item, scope, slot)
            }
            op = ProjectOperator(op, projections, detail: items.map(\.text).joined(separator: ", "))
            planned.project = op
        }
        planned.inUseAtProject = layout.inUse
        if projection.distinct {
            op = DistinctOperator(op, slots: itemSlots, detail: items.map(\.text).joined(separator: ", "))
        }
        if !projection.orderBy.isEmpty {
            // ORDER BY sees the projected names and, unless rows were merged, the variables before them. Merged rows
            // (grouped or DISTINCT) have no single value of a variable the projection dropped: there it sees only the
            // columns, and an expression an item computes (`a.g` of `RETURN a.g AS g`) stands for that item's column.
            let merged = aggregating || projection.distinct
            var sortScope = merged ? Scope() : scope
            planned.sortReads = Set(sortScope.variables.values.map(\.slot))
            for name in newScope.names { sortScope[name] = newScope[name] }
            let printed = items.map { describe($0.expression) }
            func isColumn(_ e: Expression) -> Bool {
                if case .variable(let v) = e.kind { return newScope[v] != nil }
                return false
            }
            var keys: [(expression: CompiledExpression, descending: Bool)] = []
            for sort in projection.orderBy {
                if !isColumn(sort.expression), let i = printed.firstIndex(of: describe(sort.expression)) {
                    keys.append((.slot(itemSlots[i]), sort.descending))
                } else if merged {
                    let rewritten = readingColumns(sort.expression, of: items, newScope)
                    // An aggregate that is not projected has nothing to aggregate over after the projection.
                    if aggregating, let unprojected = firstAggregate(in: rewritten) {
                        throw CIQLError(
                            .semantic, .syntax(.undefinedVariable),
                            "'\(describe(unprojected))' in ORDER BY is not projected; project it (… AS name) to sort by it",
                            at: unprojected.location)
                    }
                    let unbound = rewritten.referencedVariables.filter { $0 != Self.subqueryMarker && sortScope[$0] == nil }
                    if let name = unbound.min() {
                        throw CIQLError(
                            .semantic, .syntax(.undefinedVariable),
                            "'\(name)' in ORDER BY is not projected by this \(clause)\(aggregating ? "" : " DISTINCT"): after "
                                + (aggregating ? "grouping" : "DISTINCT") + " ORDER BY sees only the projected columns; "
                                + "project what it sorts by (… AS name)",
                            at: location(ofVariable: name, in: rewritten) ?? sort.expression.location)
                    }
                    keys.append((try compile(rewritten, sortScope), sort.descending))
                } else {
                    keys.append((try compile(sort.expression, sortScope), sort.descending))
                }
            }
            let cap = try projection.limit.map { try compile($0, Scope()) }
            let skipped = try cap == nil ? nil : projection.skip.map { try compile($0, Scope()) }
            let sort = SortOperator(op, keys: keys, skip: skipped, limit: cap, detail: projection.orderBy.map { describe($0.expression) + ($0.descending ? " DESC" : "") }.joined(separator: ", "))
            op = sort
            planned.sort = sort
            planned.inUseAtSort = layout.inUse
        }
        if projection.skip != nil || projection.limit != nil {
            let skip = try projection.skip.map { try compileCount($0, "SKIP") }
            let limit = try projection.limit.map { try compileCount($0, "LIMIT") }
            let detail = [projection.skip.map { "SKIP " + describe($0) }, projection.limit.map { "LIMIT " + describe($0) }]
                .compactMap { $0 }.joined(separator: " ")
            op = SliceOperator(op, skip: skip, limit: limit, detail: detail)
        }
        planned.op = op
        planned.scope = newScope
        planned.columns = items.map(\.columnName)
        planned.slots = itemSlots
        return planned
    }

    /// Counting a scan by class and status needs no scan: the store keeps those counts (schema databases only,
    /// where a status is always a string).
    private func countStorePlan(_ items: [ProjectionItem], _ input: PlanOperator, _ scope: Scope) throws
        -> (op: PlanOperator, slots: [Int])?
    {
        guard !schema.isOpen, let scan = input as? NodeScanOperator, scan.input is ArgumentOperator else { return nil }
        func scanned(_ e: Expression) -> Bool {
            if case .variable(let v) = e.kind, scope[v]?.slot == scan.slot { return true }
            return false
        }
        var keys: [(slot: Int, key: CountStoreOperator.Key)] = []
        var counts: [Int] = []
        var slotsOut: [Int] = []
        for item in items {
            let slot = layout.allocate()
            slotsOut.append(slot)
            switch item.expression.kind {
            case .countStar: counts.append(slot)
            case .function(let name, false, let args) where name.text.lowercased() == "count" && args.count == 1 && scanned(args[0]):
                counts.append(slot)
            case .function(let name, false, let args) where name.text.lowercased() == "class" && args.count == 1 && scanned(args[0]):
                keys.append((slot, .label))
            case .property(let base, "class") where scanned(base): keys.append((slot, .label))
            case .property(let base, "status") where scanned(base): keys.append((slot, .status))
            default:
                layout.release(slotsOut)
                return nil
            }
        }
        let detail = items.map(\.text).joined(separator: ", ")
        return (CountStoreOperator(keys: keys, countSlots: counts, labels: scan.labels.map(Set.init), detail: detail), slotsOut)
    }

    private func isVariable(_ e: Expression) -> Bool {
        if case .variable = e.kind { return true }
        return false
    }

    /// The variable a projected item becomes: a bare variable keeps its kind and classes.
    /// What `Expression.referencedVariables` names for an `EXISTS { query }`, whose outer variables are not worked out.
    static let subqueryMarker = " subquery"

    /// The slots of `scope` that evaluating `e` may read: every one when it holds a subquery.
    static func slotsRead(by e: Expression, in scope: Scope) -> Set<Int> {
        let names = e.referencedVariables
        if names.contains(subqueryMarker) { return Set(scope.variables.values.map(\.slot)) }
        return Set(names.compactMap { scope[$0]?.slot })
    }

    private func carried(_ item: ProjectionItem, _ scope: Scope, _ slot: Int) -> Variable {
        if case .variable(let v) = item.expression.kind, let old = scope[v] {
            return Variable(slot: slot, kind: old.kind, labels: old.labels)
        }
        return Variable(slot: slot, kind: .value, staticType: isLiteral(item.expression) ? staticType(item.expression, scope) : nil)
    }

    /// A constant written in the query (its type cannot change with the data).
    private func isLiteral(_ e: Expression) -> Bool {
        switch e.kind {
        case .bool, .int, .float, .string, .list, .map: true
        default: false
        }
    }

    /// SKIP and LIMIT take constants or parameters, never row values.
    private func compileCount(_ e: Expression, _ what: String) throws -> CompiledExpression {
        if !e.referencedVariables.isEmpty {
            throw CIQLError(.semantic, .syntax(.nonConstantExpression), "\(what) must be a constant or a parameter, not depend on rows", at: e.location)
        }
        if case .int(let i) = e.kind, i < 0 {
            throw CIQLError(.semantic, .syntax(.negativeIntegerArgument), "\(what) must not be negative", at: e.location)
        }
        if case .float = e.kind {
            throw CIQLError(.semantic, .syntax(.invalidArgumentType), "\(what) must be an integer", at: e.location)
        }
        return try compile(e, Scope())
    }
}
