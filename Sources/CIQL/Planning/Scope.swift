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

/// Where each variable of a query lives in the row, and which slots are in use at the current point of planning.
///
/// A row is one `Value` per slot, `width` slots wide. The planner asks for a slot when a variable, an aggregate or a
/// comprehension's element needs one (`allocate`) and gives slots back when a `WITH` ends the variables that are
/// not projected (`release`); the operator at that point clears them in the row, so a slot that is free holds null
/// and the next stage can take it again. Rows are therefore only as wide as the most slots in use at once, and no row
/// keeps a value (a long list, a path) after its variable went out of scope.
///
/// Subqueries (`EXISTS { … }`, pattern predicates and comprehensions) run on a copy of the outer row: their slots
/// are taken from those free at that point (so they never overwrite an outer variable) and are free again for the
/// outer query once the subquery is planned (`nested`).
final class SlotLayout {
    /// What planning recorded at one `WITH` or `RETURN` (or at the start of a subquery), for EXPLAIN-free checks.
    struct Stage: Equatable, CustomStringConvertible {
        /// `WITH`, `RETURN`, `UNION` or `subquery`.
        var clause: String
        /// 0 for the query itself, 1 inside a subquery, and so on.
        var depth: Int
        /// Each visible variable after the clause, and its slot.
        var variables: [String: Int]
        /// The slots the clause sets to null in every row (their variables went out of scope).
        var cleared: [Int]

        var description: String {
            let vars = variables.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: " ")
            return "\(clause) [\(vars)] cleared \(cleared)"
        }
    }

    /// The row width: one more than the highest slot ever handed out.
    private(set) var width = 0
    /// The slots holding something still needed (a variable in scope, a value an operator of the current stage
    /// writes); the others hold null in every row at this point of the plan.
    private(set) var inUse = Set<Int>()
    /// What each WITH/RETURN did, in planning order.
    private(set) var stages: [Stage] = []
    private var depth = 0

    /// The lowest free slot, now in use.
    func allocate() -> Int {
        var slot = 0
        while inUse.contains(slot) { slot += 1 }
        inUse.insert(slot)
        width = max(width, slot + 1)
        return slot
    }

    /// Marks `slots` as in use (the output columns every part of a UNION writes).
    func reserve(_ slots: [Int]) {
        for slot in slots {
            inUse.insert(slot)
            width = max(width, slot + 1)
        }
    }

    /// Frees `slots`; the plan must clear them in the row at this point.
    func release(_ slots: some Sequence<Int>) {
        for slot in slots { inUse.remove(slot) }
    }

    /// Plans a subquery that runs on a copy of the row: what it takes is free again afterwards.
    func nested<T>(_ clause: String, _ scope: Scope, _ body: () throws -> T) rethrows -> T {
        let saved = inUse
        record(clause, scope, cleared: [])
        depth += 1
        defer {
            depth -= 1
            inUse = saved
        }
        return try body()
    }

    func record(_ clause: String, _ scope: Scope, cleared: [Int]) {
        var variables: [String: Int] = [:]
        for name in scope.visibleNames { variables[name] = scope[name]?.slot }
        stages.append(Stage(clause: clause, depth: depth, variables: variables, cleared: cleared.sorted()))
    }
}

/// The variables an expression reads, for deciding where a predicate can be applied.
extension Expression {
    /// With `patternsDeclare`, a name the pattern of a pattern comprehension or of `EXISTS { pattern }` gives a node,
    /// a relation or the path is that pattern's own and is not named (what a projection's scope must bind); without
    /// it, it is named (for placing predicates: a predicate waits until every variable of its pattern is bound).
    func referencedVariables(into set: inout Set<String>, patternsDeclare: Bool = false) {
        func visit(_ e: Expression) { e.referencedVariables(into: &set, patternsDeclare: patternsDeclare) }
        /// What a pattern with its WHERE and map reads, less what the pattern declares.
        func patternReads(_ patterns: [PatternElement], path: Name?, _ rest: [Expression]) {
            var inner = Set<String>()
            for p in patterns { p.referencedVariables(into: &inner) }
            for e in rest { e.referencedVariables(into: &inner, patternsDeclare: true) }
            for p in patterns { inner.subtract(p.declaredVariables) }
            if let path { inner.remove(path.text) }
            set.formUnion(inner)
        }
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
        case .patternComprehension(let path, let p, let w, let m):
            if patternsDeclare { return patternReads([p], path: path, [m] + (w.map { [$0] } ?? [])) }
            p.referencedVariables(into: &set)
            w?.referencedVariables(into: &set)
            m.referencedVariables(into: &set)
        case .patternPredicate(let p): p.referencedVariables(into: &set)
        case .exists(let parts, let w):
            if patternsDeclare { return patternReads(parts.map(\.element), path: nil, w.map { [$0] } ?? []) }
            for part in parts { part.element.referencedVariables(into: &set) }
            w?.referencedVariables(into: &set)
        // Which outer variables a subquery reads is not worked out: a name no scope binds keeps a predicate
        // with it until every variable of its pattern is bound.
        case .existsQuery: set.insert(Planner.subqueryMarker)
        }
    }

    var referencedVariables: Set<String> {
        var s = Set<String>()
        referencedVariables(into: &s)
        return s
    }

    /// The variables the expression reads from the scope it stands in: the names a pattern inside it declares are
    /// the pattern's own (`x` in `size([(m)-->(x) | x.id])`).
    var variablesReadFromScope: Set<String> {
        var s = Set<String>()
        referencedVariables(into: &s, patternsDeclare: true)
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
    /// The names the pattern gives its nodes and relations.
    var declaredVariables: Set<String> {
        var names = Set<String>()
        if let v = start.variable { names.insert(v.text) }
        for step in steps {
            if let v = step.relationship.variable { names.insert(v.text) }
            if let v = step.node.variable { names.insert(v.text) }
        }
        return names
    }

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
