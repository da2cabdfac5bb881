import CIQLSyntax
import ConfigurationSchema

/// Planning `WITH` and `RETURN`: projection, implicit grouping, DISTINCT, ORDER BY, SKIP and LIMIT.
extension Planner {
    func planProjection(_ projection: Projection, _ input: PlanOperator, _ scope: Scope, isReturn: Bool) throws
        -> (PlanOperator, Scope, [String], [Int])
    {
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
        if aggregating, !projection.distinct, let counted = try countStorePlan(items, input, scope) {
            op = counted.op
            itemSlots = counted.slots
            for (item, slot) in zip(items, itemSlots) { newScope[item.columnName] = Variable(slot: slot, kind: .value) }
        } else if aggregating {
            var keys: [(slot: Int, expression: CompiledExpression)] = []
            let collector = AggregateCollector()
            var post: [(slot: Int, expression: CompiledExpression)] = []
            for item in items {
                let slot = slots.next()
                itemSlots.append(slot)
                if item.expression.containsAggregate {
                    post.append((slot, try compile(item.expression, scope, aggregates: collector)))
                } else {
                    keys.append((slot, try compile(item.expression, scope)))
                    keyVariables.formUnion(item.expression.referencedVariables)
                }
                newScope[item.columnName] = carried(item, scope, slot)
            }
            let detail = items.map(\.text).joined(separator: ", ")
            let aggregate = AggregateOperator(op, keys: keys, aggregates: collector.specs, detail: detail)
            aggregates.append(aggregate)
            op = aggregate
            if !post.isEmpty { op = ProjectOperator(op, post, detail: detail) }
        } else {
            var projections: [(slot: Int, expression: CompiledExpression)] = []
            for item in items {
                let slot = slots.next()
                itemSlots.append(slot)
                projections.append((slot, try compile(item.expression, scope)))
                newScope[item.columnName] = carried(item, scope, slot)
            }
            op = ProjectOperator(op, projections, detail: items.map(\.text).joined(separator: ", "))
        }
        if projection.distinct {
            op = DistinctOperator(op, slots: itemSlots, detail: items.map(\.text).joined(separator: ", "))
        }
        if !projection.orderBy.isEmpty {
            // ORDER BY sees the projected names and, unless rows were merged, the variables before them.
            var sortScope = scope
            if aggregating || projection.distinct {
                sortScope = Scope()
                for name in keyVariables { sortScope[name] = scope[name] }
            }
            for name in newScope.names { sortScope[name] = newScope[name] }
            let printed = items.map { describe($0.expression) }
            var keys: [(expression: CompiledExpression, descending: Bool)] = []
            for sort in projection.orderBy {
                if let i = printed.firstIndex(of: describe(sort.expression)) {
                    keys.append((.slot(itemSlots[i]), sort.descending))
                } else if aggregating, sort.expression.containsAggregate {
                    // Its aggregates must be projected ones: sort by those columns.
                    let rewritten = replacing(sort.expression) { e in
                        printed.firstIndex(of: describe(e)).map { Expression(.variable(items[$0].columnName), at: e.location) }
                    }
                    // An aggregate that is not projected has nothing to aggregate over after the projection.
                    if let unprojected = firstAggregate(in: rewritten) {
                        throw CIQLError(
                            .semantic, .syntax(.undefinedVariable),
                            "'\(describe(unprojected))' in ORDER BY is not projected; project it (… AS name) to sort by it",
                            at: unprojected.location)
                    }
                    keys.append((try compile(rewritten, sortScope), sort.descending))
                } else {
                    keys.append((try compile(sort.expression, sortScope), sort.descending))
                }
            }
            var cap: CompiledExpression?
            if let limit = projection.limit {
                let l = try compile(limit, Scope())
                cap = try projection.skip.map { .binary(.add, try compile($0, Scope()), l, limit.location) } ?? l
            }
            op = SortOperator(op, keys: keys, limit: cap, detail: projection.orderBy.map { describe($0.expression) + ($0.descending ? " DESC" : "") }.joined(separator: ", "))
        }
        if projection.skip != nil || projection.limit != nil {
            let skip = try projection.skip.map { try compileCount($0, "SKIP") }
            let limit = try projection.limit.map { try compileCount($0, "LIMIT") }
            let detail = [projection.skip.map { "SKIP " + describe($0) }, projection.limit.map { "LIMIT " + describe($0) }]
                .compactMap { $0 }.joined(separator: " ")
            op = SliceOperator(op, skip: skip, limit: limit, detail: detail)
        }
        return (op, newScope, items.map(\.columnName), itemSlots)
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
            let slot = slots.next()
            slotsOut.append(slot)
            switch item.expression.kind {
            case .countStar: counts.append(slot)
            case .function(let name, false, let args) where name.text.lowercased() == "count" && args.count == 1 && scanned(args[0]):
                counts.append(slot)
            case .function(let name, false, let args) where name.text.lowercased() == "class" && args.count == 1 && scanned(args[0]):
                keys.append((slot, .label))
            case .property(let base, "class") where scanned(base): keys.append((slot, .label))
            case .property(let base, "status") where scanned(base): keys.append((slot, .status))
            default: return nil
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
