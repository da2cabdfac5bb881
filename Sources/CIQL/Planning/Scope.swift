import CIQLSyntax
import ConfigurationSchema

/// What a variable holds, as far as the planner knows.
enum VariableKind: Equatable {
    case node
    case relationship
    /// A variable-length relationship: a list of relations.
    case relationshipList
    case path
    case value
}

struct Variable {
    var slot: Int
    var kind: VariableKind
    /// The classes a node variable was matched with (for property-name checks).
    var labels: [String] = []
    /// What a value variable is known to hold (bound to a literal), for compile-time type errors.
    var staticType: StaticType?
}

/// The variables visible at a point of the query, by name.
struct Scope {
    private(set) var variables: [String: Variable] = [:]

    subscript(name: String) -> Variable? {
        get { variables[name] }
        set { variables[name] = newValue }
    }

    var names: [String] { variables.keys.sorted() }

    /// The user-visible variables (hidden ones start with a space, which no identifier can).
    var visibleNames: [String] { names.filter { !$0.hasPrefix(" ") } }

    func unknownVariableError(_ name: Name) -> CIQLError {
        var message = "unknown variable '\(name.text)'"
        if let close = closestSpelling(to: name.text, in: visibleNames) {
            message += " (did you mean '\(close)'?)"
        } else if !visibleNames.isEmpty {
            message += "; variables here: " + visibleNames.joined(separator: ", ")
        }
        return CIQLError(.semantic, .syntax(.undefinedVariable), message, at: name.location)
    }
}

/// Hands out row slots for a whole query.
final class SlotAllocator {
    private(set) var count = 0

    func next() -> Int {
        defer { count += 1 }
        return count
    }
}

/// The variables an expression reads, for deciding where a predicate can be applied.
extension Expression {
    func referencedVariables(into set: inout Set<String>) {
        func visit(_ e: Expression) { e.referencedVariables(into: &set) }
        switch kind {
        case .variable(let v): set.insert(v)
        case .null, .bool, .int, .float, .string, .parameter, .countStar: break
        case .property(let b, _): visit(b)
        case .list(let items): items.forEach(visit)
        case .map(let items): items.forEach { visit($0.value) }
        case .mapProjection(let v, let items):
            set.insert(v.text)
            for case .literal(_, let e) in items { visit(e) }
            for case .variable(let n) in items { set.insert(n.text) }
        case .subscript(let a, let b): visit(a); visit(b)
        case .slice(let a, let f, let t): visit(a); f.map(visit); t.map(visit)
        case .unary(_, let a): visit(a)
        case .binary(_, let a, let b): visit(a); visit(b)
        case .isNull(let a, _): visit(a)
        case .hasLabels(let a, _): visit(a)
        case .function(_, _, let args): args.forEach(visit)
        case .caseWhen(let s, let branches, let o):
            s.map(visit)
            for b in branches { visit(b.when); visit(b.then) }
            o.map(visit)
        case .listComprehension(let v, let l, let w, let m):
            visit(l)
            var inner = Set<String>()
            w?.referencedVariables(into: &inner)
            m?.referencedVariables(into: &inner)
            inner.remove(v.text)
            set.formUnion(inner)
        case .quantifier(_, let v, let l, let w):
            visit(l)
            var inner = Set<String>()
            w?.referencedVariables(into: &inner)
            inner.remove(v.text)
            set.formUnion(inner)
        case .reduce(let acc, let i, let v, let l, let m):
            visit(i)
            visit(l)
            var inner = Set<String>()
            m.referencedVariables(into: &inner)
            inner.remove(acc.text)
            inner.remove(v.text)
            set.formUnion(inner)
        case .patternComprehension(_, let p, let w, let m):
            p.referencedVariables(into: &set)
            w?.referencedVariables(into: &set)
            m.referencedVariables(into: &set)
        case .patternPredicate(let p): p.referencedVariables(into: &set)
        case .exists(let parts, let w):
            for part in parts { part.element.referencedVariables(into: &set) }
            w?.referencedVariables(into: &set)
        // Which outer variables a subquery reads is not worked out: a name no scope binds keeps a predicate
        // with it until every variable of its pattern is bound.
        case .existsQuery: set.insert(" subquery")
        }
    }

    var referencedVariables: Set<String> {
        var s = Set<String>()
        referencedVariables(into: &s)
        return s
    }

    /// Whether an aggregate function call appears (outside nested subqueries).
    /// True for `rand()` itself or an expression built on it directly (arguments, operators, lists).
    var callsRand: Bool {
        switch kind {
        case .function(let name, _, let args): return name.text.lowercased() == "rand" || args.contains(where: \.callsRand)
        case .binary(_, let a, let b): return a.callsRand || b.callsRand
        case .unary(_, let a), .property(let a, _): return a.callsRand
        case .list(let items): return items.contains(where: \.callsRand)
        default: return false
        }
    }

    var containsAggregate: Bool {
        switch kind {
        case .countStar: return true
        case .function(let name, _, let args):
            if AggregateFunction.named(name.text) != nil { return true }
            return args.contains(where: \.containsAggregate)
        case .property(let b, _): return b.containsAggregate
        case .list(let items): return items.contains(where: \.containsAggregate)
        case .map(let items): return items.contains(where: { $0.value.containsAggregate })
        case .subscript(let a, let b), .binary(_, let a, let b): return a.containsAggregate || b.containsAggregate
        case .slice(let a, let f, let t):
            return a.containsAggregate || (f?.containsAggregate ?? false) || (t?.containsAggregate ?? false)
        case .unary(_, let a), .isNull(let a, _), .hasLabels(let a, _): return a.containsAggregate
        case .caseWhen(let s, let branches, let o):
            return (s?.containsAggregate ?? false) || (o?.containsAggregate ?? false)
                || branches.contains { $0.when.containsAggregate || $0.then.containsAggregate }
        // `[x IN collect(p) | …]`, `all(ok IN collect(…) WHERE ok)`: the list may aggregate the rows.
        case .listComprehension(_, let l, _, _), .quantifier(_, _, let l, _): return l.containsAggregate
        case .reduce(_, let initial, _, let l, _): return initial.containsAggregate || l.containsAggregate
        default: return false
        }
    }
}

extension PatternElement {
    func referencedVariables(into set: inout Set<String>) {
        func node(_ n: NodePattern) {
            if let v = n.variable { set.insert(v.text) }
            n.properties?.referencedVariables(into: &set)
        }
        node(start)
        for step in steps {
            if let v = step.relationship.variable { set.insert(v.text) }
            step.relationship.properties?.referencedVariables(into: &set)
            node(step.node)
        }
    }
}
