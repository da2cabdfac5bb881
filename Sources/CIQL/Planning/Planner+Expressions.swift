import CIQLValues
import CIQLSyntax
import ConfigurationSchema

/// Compiling expressions: variables to slots, names checked against the schema, functions looked up.
extension Planner {
    /// Where aggregate calls go when compiling a `WITH`/`RETURN` item that aggregates.
    final class AggregateCollector {
        var specs: [AggregateSpec] = []
    }

    func compile(_ e: Expression, _ scope: Scope, aggregates: AggregateCollector? = nil) throws -> CompiledExpression {
        func sub(_ x: Expression) throws -> CompiledExpression { try compile(x, scope, aggregates: aggregates) }
        let at = e.location
        try checkStaticTypes(e, scope)
        switch e.kind {
        case .null: return .constant(.null)
        case .bool(let b): return .constant(.bool(b))
        case .int(let i): return literal(.int(i), at)
        case .float(let d): return literal(.float(d), at)
        case .string(let s): return literal(.string(s), at)
        case .parameter(let p): return .parameter(p, at)
        case .variable(let v):
            guard let variable = scope[v] else { throw scope.unknownVariableError(Name(v, at: at)) }
            return .slot(variable.slot)
        case .property(let base, let key):
            try checkPropertyKey(key, on: base, scope, at: at)
            return .property(try sub(base), key, at)
        case .list(let items): return .list(try items.map(sub), at)
        case .map(let items): return .map(try items.map { ($0.key, try sub($0.value)) }, at)
        case .mapProjection(let v, let items):
            guard let variable = scope[v.text] else { throw scope.unknownVariableError(v) }
            let compiled: [CompiledMapItem] = try items.map { item in
                switch item {
                case .property(let k): return .property(k.text)
                case .literal(let k, let x): return .literal(k, try sub(x))
                case .variable(let n):
                    guard let inner = scope[n.text] else { throw scope.unknownVariableError(n) }
                    return .variable(n.text, inner.slot)
                case .allProperties: return .allProperties
                }
            }
            return .mapProjection(slot: variable.slot, items: compiled, at)
        case .subscript(let b, let i): return .subscript(try sub(b), try sub(i), at)
        case .slice(let b, let f, let t): return .slice(try sub(b), try f.map(sub), try t.map(sub), at)
        case .unary(let op, let x):
            switch op {
            case .not: return .not(try sub(x), at)
            case .minus:
                // -Int64.min has no value: left to the evaluator, which reports the overflow at run time.
                if case .int(let i) = x.kind, i != .min { return .constant(.int(-i)) }
                if case .float(let d) = x.kind { return .constant(.float(-d)) }
                return .negate(try sub(x), at)
            case .plus: return try sub(x)
            }
        case .binary(let op, let a, let b):
            switch op {
            case .and: return .and(try sub(a), try sub(b), at)
            case .or: return .or(try sub(a), try sub(b), at)
            case .xor: return .xor(try sub(a), try sub(b), at)
            default: return .binary(op, try sub(a), try sub(b), at)
            }
        case .isNull(let x, let negated): return .isNull(try sub(x), negated: negated)
        case .hasLabels(let x, let labels) where staticType(x, scope) == .relationship:
            for label in labels { try checkRelationType(label) }
            return .hasLabels(try sub(x), required: labels.map { [$0.text] }, at)
        case .hasLabels(let x, let labels):
            return .hasLabels(try sub(x), required: try labels.map { Set(try classSet($0)) }, at)
        case .function(let name, let distinct, let args):
            if let aggregate = AggregateFunction.named(name.text) {
                guard let aggregates else {
                    throw CIQLError(
                        .semantic, .syntax(.invalidAggregation), "\(aggregate.displayName)() aggregates rows; use it in WITH or RETURN, not here",
                        at: at)
                }
                let expected = (aggregate == .percentilecont || aggregate == .percentiledisc) ? 2 : 1
                guard args.count == expected else {
                    throw CIQLError(.semantic, .syntax(.invalidNumberOfArguments), "\(aggregate.displayName)() takes \(expected) argument\(expected == 1 ? "" : "s"), not \(args.count)", at: at)
                }
                if args.contains(where: \.containsAggregate) {
                    throw CIQLError(.semantic, .syntax(.nestedAggregation), "an aggregate cannot contain another aggregate", at: at)
                }
                if args.contains(where: \.callsRand) {
                    throw CIQLError(.semantic, .syntax(.nonConstantExpression), "an aggregate cannot take rand(): its result would change from run to run", at: at)
                }
                let slot = layout.allocate()
                aggregates.specs.append(AggregateSpec(
                    function: aggregate, argument: try compile(args[0], scope),
                    parameter: expected == 2 ? try compile(args[1], scope) : nil, distinct: distinct, slot: slot,
                    location: at))
                return .slot(slot)
            }
            guard let function = BuiltinFunction.named(name.text) else {
                var message = "unknown function '\(name.text)'"
                if let close = closestSpelling(to: name.text, in: BuiltinFunction.allNames) {
                    message += " (did you mean '\(close)'?)"
                }
                throw CIQLError(.semantic, .syntax(.unknownFunction), message, at: name.location)
            }
            guard function.arity.contains(args.count) else {
                let a = function.arity
                let expected = a.lowerBound == a.upperBound ? "\(a.lowerBound)" : a.upperBound == .max ? "at least \(a.lowerBound)" : "\(a.lowerBound) to \(a.upperBound)"
                throw CIQLError(.semantic, .syntax(.invalidNumberOfArguments), "\(function.displayName)() takes \(expected) argument\(expected == "1" ? "" : "s"), not \(args.count)", at: at)
            }
            if distinct { throw CIQLError(.semantic, .syntax(.invalidAggregation), "DISTINCT only applies to aggregates, not \(function.displayName)()", at: at) }
            return .function(function, try args.map(sub), at)
        case .countStar:
            guard let aggregates else {
                throw CIQLError(.semantic, .syntax(.invalidAggregation), "count(*) aggregates rows; use it in WITH or RETURN, not here", at: at)
            }
            let slot = layout.allocate()
            aggregates.specs.append(AggregateSpec(
                function: .count, argument: nil, parameter: nil, distinct: false, slot: slot, location: at))
            return .slot(slot)
        case .caseWhen(let subject, let branches, let otherwise):
            return .caseWhen(
                subject: try subject.map(sub), branches: try branches.map { (try sub($0.when), try sub($0.then)) },
                otherwise: try otherwise.map(sub))
        case .listComprehension(let v, let list, let filter, let map):
            let l = try sub(list)
            var inner = scope
            let slot = layout.allocate()
            inner[v.text] = Variable(slot: slot, kind: .value, staticType: elementType(list, scope))
            return .listComprehension(
                slot: slot, list: l, where: try filter.map { try compile($0, inner) },
                map: try map.map { try compile($0, inner, aggregates: aggregates) }, at)
        case .quantifier(let q, let v, let list, let filter):
            let l = try sub(list)
            var inner = scope
            let slot = layout.allocate()
            inner[v.text] = Variable(slot: slot, kind: .value, staticType: elementType(list, scope))
            return .quantifier(q, slot: slot, list: l, where: try filter.map { try compile($0, inner) }, at)
        case .reduce(let acc, let initial, let v, let list, let map):
            let i = try sub(initial), l = try sub(list)
            var inner = scope
            let accSlot = layout.allocate(), slot = layout.allocate()
            inner[acc.text] = Variable(slot: accSlot, kind: .value)
            inner[v.text] = Variable(slot: slot, kind: .value)
            return .reduce(accumulator: accSlot, initial: i, slot: slot, list: l, map: try compile(map, inner), at)
        case .patternPredicate(let element):
            // A pattern used as a value only tests bound variables; naming a new one is an error (EXISTS may).
            let names = [element.start.variable] + element.steps.flatMap { [$0.relationship.variable, $0.node.variable] }
            if let unbound = names.compactMap({ $0 }).first(where: { scope[$0.text] == nil }) {
                throw CIQLError(.semantic, .syntax(.undefinedVariable), "a pattern expression cannot introduce the variable '\(unbound.text)'; use EXISTS { … } or MATCH", at: unbound.location)
            }
            let part = PatternPart(element: element, location: at)
            nextPatternContext = PatternContext(ignoresDuplicates: true, readAfter: [], mayCollapse: false)
            let (plan, _) = try layout.nested("pattern predicate", scope) { try planSubpattern([part], where: nil, scope) }
            return .subquery(Subquery(plan: plan, result: .exists))
        case .exists(let parts, let filter):
            nextPatternContext = PatternContext(ignoresDuplicates: true, readAfter: [], mayCollapse: false)
            let (plan, _) = try layout.nested("EXISTS", scope) { try planSubpattern(parts, where: filter, scope) }
            return .subquery(Subquery(plan: plan, result: .exists))
        case .existsQuery(let query):
            guard query.parts.count == 1, let single = query.parts.first, !QueryEngine.writes(query) else {
                throw CIQLError(.semantic, .syntax(.invalidClauseComposition), "EXISTS { … } takes one reading query (no UNION, no writes)", at: at)
            }
            return .subquery(Subquery(
                plan: try layout.nested("EXISTS", scope) { try planSingle(single, scope: scope).0 }, result: .exists))
        case .patternComprehension(let pathVariable, let element, let filter, let map):
            let part = PatternPart(pathVariable: pathVariable, element: element, location: at)
            return try layout.nested("pattern comprehension", scope) {
                let (plan, inner) = try planSubpattern([part], where: filter, scope)
                return .subquery(Subquery(plan: plan, result: .collect(try compile(map, inner), at)))
            }
        }
    }

    /// Plans a pattern evaluated once per outer row (its leaf receives the outer row).
    private func planSubpattern(_ parts: [PatternPart], where filter: Expression?, _ scope: Scope) throws
        -> (PlanOperator, Scope)
    {
        var inner = scope
        let plan = try planPattern(parts, where: filter, onto: ArgumentOperator(), &inner)
        layout.record("pattern", inner, cleared: [])
        return (plan, inner)
    }

    /// Refuses property names that cannot be there (with the closest spelling): on a node whose classes are all
    /// closed, an attribute none of them declares; on a labelled node, a name no class declares and no CI holds.
    /// As import does, an unlabelled node takes any name (null when absent), and SET takes any attribute unless
    /// the class is closed (checked on write, when the CI's class is known).
    func checkPropertyKey(
        _ key: String, on base: Expression, _ scope: Scope, at: SourceLocation, forWrite: Bool = false
    ) throws {
        guard !schema.isOpen, case .variable(let v) = base.kind, let variable = scope[v] else { return }
        let known: Set<String>
        switch variable.kind {
        case .node:
            if ["id", "class", "name", "status"].contains(key) { return }
            if variable.labels.isEmpty { return }
            if forWrite, !variable.labels.allSatisfy(schema.isClosed) { return }
            if variable.labels.isEmpty {
                known = allAttributeNames
            } else {
                known = Set(variable.labels.flatMap { schema.attributes(of: $0).map(\.name) })
            }
        case .relationship:
            known = relationAttributeNames
            if known.isEmpty { return }
        default: return
        }
        if known.contains(key) { return }
        if variable.kind == .node, !variable.labels.isEmpty, !variable.labels.allSatisfy(schema.isClosed),
            allAttributeNames.contains(key) || storedPropertyKeys.contains(key)
        {
            return
        }
        var message = "unknown property '\(key)'"
        if !variable.labels.isEmpty { message += " for \(variable.labels.joined(separator: "/"))" }
        if let close = closestSpelling(to: key, in: known) { message += " (did you mean '\(close)'?)" }
        throw CIQLError(.semantic, .schema(.unknownAttribute), message, at: at)
    }

    /// A class and its subclasses; an error naming the closest class when it is unknown.
    /// A class the schema no longer has but the past a statement reads (`pastNames`) may: that class alone.
    func classSet(_ name: Name) throws -> [String] {
        if schema.isOpen { return [name.text] }
        guard schema.classDefinition(name.text) != nil else {
            if let pastNames, pastNames.labels.contains(name.text) { return [name.text] }
            var message = "unknown class '\(name.text)'"
            if let close = closestSpelling(to: name.text, in: schema.classes.map(\.name) + (pastNames?.labels ?? [])) {
                message += " (did you mean '\(close)'?)"
            }
            throw CIQLError(.semantic, .schema(.unknownClass), message, at: name.location)
        }
        return schema.subclasses(of: name.text)
    }

    /// A relation type; an error naming the closest one when the schema does not know it.
    func checkRelationType(_ name: Name) throws {
        if schema.isOpen || schema.relationDefinition(name.text) != nil { return }
        if let pastNames, pastNames.relationTypes.contains(name.text) { return }
        var message = "unknown relation type '\(name.text)'"
        if let close = closestSpelling(
            to: name.text, in: schema.relations.map(\.name) + (pastNames?.relationTypes ?? []))
        {
            message += " (did you mean '\(close)'?)"
        }
        throw CIQLError(.semantic, .schema(.unknownRelationType), message, at: name.location)
    }
}
