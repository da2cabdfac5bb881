import CIQLSyntax
/// Rules for projections that aggregate: what may stand next to an aggregate, and ORDER BY items that
/// aggregate themselves.
extension Planner {
    /// Outside its aggregates, an aggregating item may only use grouping keys that are variables or
    /// properties of variables (`n`, `n.age`), constants and parameters: `RETURN n.age + count(*)` without
    /// `n.age` as a key has no single value per group.
    func checkAggregationKeys(_ items: [ProjectionItem]) throws {
        var keyVariables = Set<String>()
        var keyProperties = Set<String>()
        for item in items where !item.expression.containsAggregate {
            switch item.expression.kind {
            case .variable(let v): keyVariables.insert(v)
            case .property(let base, _):
                if case .variable = base.kind { keyProperties.insert(describe(item.expression)) }
            default: break
            }
        }
        func check(_ e: Expression) throws {
            switch e.kind {
            case .countStar, .null, .bool, .int, .float, .string, .parameter: return
            case .variable(let v):
                guard keyVariables.contains(v) else {
                    throw CIQLError(.semantic, .syntax(.ambiguousAggregationExpression), "'\(v)' is used next to an aggregate but is not a grouping key; project it on its own too", at: e.location)
                }
            case .property(let base, _):
                if keyProperties.contains(describe(e)) { return }
                try check(base)
            case .function(let name, _, let args):
                if AggregateFunction.named(name.text) != nil { return }
                for a in args { try check(a) }
            case .binary(_, let a, let b), .subscript(let a, let b):
                try check(a)
                try check(b)
            case .unary(_, let a), .isNull(let a, _): try check(a)
            case .list(let l): for x in l { try check(x) }
            case .map(let m): for x in m { try check(x.value) }
            default: return
            }
        }
        for item in items where item.expression.containsAggregate { try check(item.expression) }
    }

    /// An ORDER BY item that aggregates may use the projected variables, properties and aggregates, but not a
    /// projected compound expression (`RETURN a.x + b.x, count(*) ORDER BY a.x + b.x + count(*)` is ambiguous).
    func checkOrderByAggregation(_ items: [ProjectionItem], _ orderBy: [SortItem]) throws {
        let compound = Set(items.compactMap { item -> String? in
            switch item.expression.kind {
            case .variable, .property: return nil
            default: return item.expression.containsAggregate ? nil : describe(item.expression)
            }
        })
        guard !compound.isEmpty else { return }
        for sort in orderBy where sort.expression.containsAggregate {
            var found: Expression?
            _ = replacing(sort.expression) { e in
                if found == nil, compound.contains(describe(e)) { found = e }
                return nil
            }
            if let found {
                throw CIQLError(
                    .semantic, .syntax(.ambiguousAggregationExpression),
                    "'\(describe(found))' is a projected expression inside an ORDER BY item that aggregates; "
                        + "give it a name with AS and sort by the name", at: found.location)
            }
        }
    }

    /// The first aggregate call (or `count(*)`) in `e`, outermost first.
    func firstAggregate(in e: Expression) -> Expression? {
        var found: Expression?
        _ = replacing(e) { x in
            if found == nil, x.containsAggregate {
                switch x.kind {
                case .countStar: found = x
                case .function(let name, _, _) where AggregateFunction.named(name.text) != nil: found = x
                default: break
                }
            }
            return nil
        }
        return found
    }

    /// `e` with each subexpression that a projected item computes replaced by that item's column (`a.g` → `g` of
    /// `RETURN a.g AS g`), but for the projected names themselves: how ORDER BY and WHERE read merged rows.
    func readingColumns(_ e: Expression, of items: [ProjectionItem], _ projected: Scope) -> Expression {
        let printed = items.map { describe($0.expression) }
        return replacing(e) { x in
            if case .variable(let v) = x.kind, projected[v] != nil { return x }
            return printed.firstIndex(of: describe(x)).map { Expression(.variable(items[$0].columnName), at: x.location) }
        }
    }

    /// Where `e` first reads the variable `name` (outside comprehensions), if it does.
    func location(ofVariable name: String, in e: Expression) -> SourceLocation? {
        var found: SourceLocation?
        _ = replacing(e) { x in
            if found == nil, case .variable(let v) = x.kind, v == name { found = x.location }
            return nil
        }
        return found
    }

    /// `e` with every subexpression `replacement` gives a substitute for replaced, e.g. an ORDER BY item's
    /// aggregates by the projected columns that compute them (`age + count(x)` → `age + cnt`).
    func replacing(_ e: Expression, _ replacement: (Expression) -> Expression?) -> Expression {
        if let substitute = replacement(e) { return substitute }
        func r(_ x: Expression) -> Expression { replacing(x, replacement) }
        var out = e
        switch e.kind {
        case .property(let b, let key): out.kind = .property(r(b), key: key)
        case .binary(let op, let a, let b): out.kind = .binary(op, r(a), r(b))
        case .unary(let op, let a): out.kind = .unary(op, r(a))
        case .isNull(let a, let negated): out.kind = .isNull(r(a), negated: negated)
        case .function(let name, let distinct, let args): out.kind = .function(name: name, distinct: distinct, arguments: args.map(r))
        case .list(let l): out.kind = .list(l.map(r))
        case .subscript(let a, let b): out.kind = .subscript(r(a), index: r(b))
        case .slice(let a, let from, let to): out.kind = .slice(r(a), from: from.map(r), to: to.map(r))
        case .hasLabels(let a, let labels): out.kind = .hasLabels(r(a), labels: labels)
        case .map(let entries): out.kind = .map(entries.map { (key: $0.key, value: r($0.value)) })
        case .caseWhen(let subject, let branches, let otherwise):
            out.kind = .caseWhen(
                subject: subject.map(r), branches: branches.map { (when: r($0.when), then: r($0.then)) },
                otherwise: otherwise.map(r))
        default: break
        }
        return out
    }

    /// Drops DISTINCT from `count(DISTINCT x)` without grouping keys when the input hands out every value of `x`
    /// once already: the ends of a breadth-first expansion from at most one start row (`MATCH (t {id: $x})<-[*]-(x)
    /// RETURN count(DISTINCT x)`, a closure), so half a million ends are not put in a second set. Returns the
    /// positions of the aggregates it changed.
    static func dropRedundantDistinct(_ specs: inout [AggregateSpec], over input: PlanOperator) -> [Int] {
        var dropped: [Int] = []
        for i in specs.indices where specs[i].distinct && specs[i].function == .count {
            guard case .slot(let slot)? = specs[i].argument, handsOutOnce(slot, input) else { continue }
            specs[i].distinct = false
            dropped.append(i)
        }
        return dropped
    }

    /// Whether `op` never hands out the same value in `slot` twice in one run.
    private static func handsOutOnce(_ slot: Int, _ op: PlanOperator) -> Bool {
        switch op {
        case let filter as FilterOperator: return handsOutOnce(slot, filter.input)
        case let expand as BreadthFirstExpandOperator: return expand.toSlot == slot && atMostOneRow(expand.input)
        case let seek as NodeSeekOperator: return seek.slot == slot && atMostOneRow(op)
        default: return false
        }
    }

    /// Whether `op` hands out at most one row per run: the argument row, a seek by id on it, or a filter of either.
    private static func atMostOneRow(_ op: PlanOperator) -> Bool {
        switch op {
        case is ArgumentOperator: return true
        case let filter as FilterOperator: return atMostOneRow(filter.input)
        case let seek as NodeSeekOperator:
            if case .id = seek.key { return atMostOneRow(seek.input) }
            return false
        default: return false
        }
    }
}
