import CIQLValues
import CIQLSyntax
import GraphStorage

/// When a MATCH may find each far-end node once instead of once per path: the clauses after it must give the
/// same answer whether a row comes once or many times (DISTINCT, aggregates over DISTINCT values, min/max,
/// EXISTS), and must not read what would be lost (the relations, the path, the middle nodes).
struct PatternContext {
    /// The rows of this pattern are de-duplicated (or only tested for existence) by what follows.
    var ignoresDuplicates = false
    /// The variables read after the pattern (nil: cannot tell, so every variable counts as read).
    var readAfter: Set<String>?
    /// Frontier collapsing drains and re-orders its input: not inside OPTIONAL MATCH, nor before a LIMIT that
    /// could stop early.
    var mayCollapse = false
}

extension Planner {
    /// The context of a MATCH followed by `later` (the rest of its single query).
    /// `ignoresDuplicates` says whether they ignore duplicates (see `ignoringDuplicates`).
    static func patternContext(before later: ArraySlice<Clause>, ignoresDuplicates: Bool, optional: Bool) -> PatternContext {
        guard ignoresDuplicates else { return PatternContext() }
        let limited = later.contains { clause in
            switch clause.kind {
            case .with(let p, _), .return(let p): return p.skip != nil || p.limit != nil
            default: return false
            }
        }
        return PatternContext(
            ignoresDuplicates: true, readAfter: variablesRead(by: later), mayCollapse: !optional && !limited)
    }

    /// For each `i` (and `clauses.count`), whether the clauses from `i` on give the same result for a multiset of
    /// rows as for its set of distinct rows: one pass from the end, so that planning stays linear in the number
    /// of clauses.
    static func ignoringDuplicates(_ clauses: [Clause]) -> [Bool] {
        var result = [Bool](repeating: false, count: clauses.count + 1)
        for i in clauses.indices.reversed() {
            switch clauses[i].kind {
            case .match, .unwind:
                result[i] = result[i + 1]
            case .with(let projection, _):
                if projectionIgnoresDuplicates(projection) {
                    result[i] = true
                } else {
                    let aggregates = projection.items.contains { $0.expression.containsAggregate }
                    result[i] = aggregates || projection.skip != nil || projection.limit != nil ? false : result[i + 1]
                }
            case .return(let projection):
                result[i] = projectionIgnoresDuplicates(projection)
            case .call, .create, .merge, .set, .remove, .delete:
                result[i] = false
            }
        }
        return result
    }

    /// DISTINCT without aggregates, or aggregates that each ignore repeats (DISTINCT ones, min, max).
    static func projectionIgnoresDuplicates(_ projection: Projection) -> Bool {
        let expressions = projection.items.map(\.expression) + projection.orderBy.map(\.expression)
        // `RETURN DISTINCT rand()` gives a value per row: fewer rows, fewer values.
        if expressions.contains(where: \.callsRand) { return false }
        guard expressions.contains(where: \.containsAggregate) else { return projection.distinct }
        return expressions.allSatisfy(aggregatesIgnoreDuplicates)
    }

    /// Whether every aggregate call in `e` gives the same value over a multiset as over its set.
    static func aggregatesIgnoreDuplicates(_ e: Expression) -> Bool {
        switch e.kind {
        case .countStar: return false
        case .function(let name, let distinct, let args):
            if let aggregate = AggregateFunction.named(name.text) {
                return distinct || aggregate == .min || aggregate == .max
            }
            return args.allSatisfy(aggregatesIgnoreDuplicates)
        case .property(let b, _): return aggregatesIgnoreDuplicates(b)
        case .list(let items): return items.allSatisfy(aggregatesIgnoreDuplicates)
        case .map(let items): return items.allSatisfy { aggregatesIgnoreDuplicates($0.value) }
        case .subscript(let a, let b), .binary(_, let a, let b):
            return aggregatesIgnoreDuplicates(a) && aggregatesIgnoreDuplicates(b)
        case .unary(_, let a), .isNull(let a, _), .hasLabels(let a, _): return aggregatesIgnoreDuplicates(a)
        default:
            // Anything else holding an aggregate is not worked out: it counts as sensitive.
            return !e.containsAggregate
        }
    }

    /// Every variable name `clauses` read (a superset), or nil when that cannot be told (`*`, subqueries, writes).
    static func variablesRead(by clauses: ArraySlice<Clause>) -> Set<String>? {
        var names = Set<String>()
        for clause in clauses {
            switch clause.kind {
            case .match(_, let pattern, let filter):
                for part in pattern { part.element.referencedVariables(into: &names) }
                filter?.referencedVariables(into: &names)
            case .unwind(let list, _):
                list.referencedVariables(into: &names)
            case .with(let projection, let filter):
                guard !projection.includesAll else { return nil }
                for item in projection.items { item.expression.referencedVariables(into: &names) }
                for sort in projection.orderBy { sort.expression.referencedVariables(into: &names) }
                projection.skip?.referencedVariables(into: &names)
                projection.limit?.referencedVariables(into: &names)
                filter?.referencedVariables(into: &names)
            case .return(let projection):
                guard !projection.includesAll else { return nil }
                for item in projection.items { item.expression.referencedVariables(into: &names) }
                for sort in projection.orderBy { sort.expression.referencedVariables(into: &names) }
                projection.skip?.referencedVariables(into: &names)
                projection.limit?.referencedVariables(into: &names)
            case .call, .create, .merge, .set, .remove, .delete:
                return nil
            }
        }
        return names.contains(" subquery") ? nil : names
    }
}

/// Where planning a pattern may collapse its rows to a de-duplicated frontier: after a single-relation step,
/// when another step or a predicate on the node follows and the only variable still read (later clauses, pending predicates, the steps
/// left, a relation-uniqueness check not yet made) is the node just reached. Makes the uniqueness check as soon
/// as every relation it compares is bound, so it no longer holds those relations alive.
struct FrontierCollapse {
    let context: PatternContext
    let parts: [PatternPart]
    let nodeNames: [[String]]
    let relationNames: [[String]]
    /// Relations compared by the pattern's uniqueness check (empty: none).
    let checkedRelations: Set<String>
    let makeUniquenessCheck: (PlanOperator) -> PlanOperator
    private(set) var uniquenessApplied = false
    private var part = 0
    private var start = 0
    private var done = Set<Int>()

    init(
        context: PatternContext, parts: [PatternPart], nodeNames: [[String]], relationNames: [[String]],
        checkedRelations: Set<String>, makeUniquenessCheck: @escaping (PlanOperator) -> PlanOperator
    ) {
        self.context = context
        self.parts = parts
        self.nodeNames = nodeNames
        self.relationNames = relationNames
        self.checkedRelations = checkedRelations
        self.makeUniquenessCheck = makeUniquenessCheck
    }

    mutating func begin(part: Int, start: Int) {
        self.part = part
        self.start = start
    }

    mutating func end(part: Int) { done.insert(part) }

    /// After step `j` of the current part has bound `frontier`: the plan, with a frontier when it may collapse.
    mutating func after(
        step j: Int, to frontier: String, _ input: PlanOperator, _ scope: Scope, _ bound: Set<String>,
        _ conjuncts: [Planner.Conjunct]
    ) -> PlanOperator {
        var op = input
        if !uniquenessApplied, !checkedRelations.isEmpty, checkedRelations.isSubset(of: bound) {
            op = makeUniquenessCheck(op)
            uniquenessApplied = true
        }
        let steps = parts[part].element.steps
        let forward = j >= start
        let stepsLeft = forward ? (steps.count - 1 - j) + start : j
        // After the last step a frontier pays only when predicates on the node follow (reads in id order, once).
        let predicatesWait = conjuncts.contains { !$0.used && $0.variables == [frontier] }
        guard context.mayCollapse, var needed = context.readAfter, stepsLeft > 0 || predicatesWait,
            parts[part].pathVariable == nil, steps[j].relationship.length == nil
        else { return op }
        for c in conjuncts where !c.used { needed.formUnion(c.variables) }
        if !uniquenessApplied { needed.formUnion(checkedRelations) }
        let names = nodeNames[part]
        needed.formUnion(forward ? Array(names[(j + 1)...]) + Array(names[...start]) : Array(names[...j]))
        for (p, other) in parts.enumerated() where p != part && !done.contains(p) {
            needed.formUnion(nodeNames[p])
            needed.formUnion(relationNames[p])
            if let v = other.pathVariable { needed.insert(v.text) }
        }
        guard needed.intersection(bound) == [frontier], let slot = scope[frontier]?.slot else { return op }
        let shown = frontier.hasPrefix(" ") ? "" : frontier
        if let expand = op as? ExpandOperator, !expand.into, expand.toSlot == slot {
            // The step itself goes level by level: no row per path (a frontier of its sources is redundant).
            var source = expand.input
            if let earlier = source as? FrontierOperator, earlier.slot == expand.fromSlot { source = earlier.input }
            return FrontierExpandOperator(
                source, from: expand.fromSlot, to: slot, spec: expand.spec,
                detail: expand.detail + " distinct ends, by node id")
        }
        return FrontierOperator(op, slot: slot, detail: "(\(shown)) distinct, by node id")
    }
}

/// A de-duplicated, id-sorted frontier: drains its input, keeps one row per distinct node in `slot` (the
/// planner checked that nothing after it reads another column of these rows), and passes them on in node id
/// order, so the next expansion reads adjacency in key order and once per node instead of once per path.
final class FrontierOperator: PlanOperator {
    let slot: Int
    /// The first row read: the other columns of every row passed on (nothing reads them).
    private var template: Row?
    private var nodes: [NodeID] = []
    private var index = 0
    private var drained = false

    init(_ input: PlanOperator, slot: Int, detail: String) {
        self.slot = slot
        super.init("Frontier", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        template = nil
        nodes = []
        index = 0
        drained = false
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        if !drained {
            drained = true
            var seen = NodeIDSet()
            while let row = try input.next(ctx) {
                guard case .node(let nid) = row[slot], seen.insert(nid) else { continue }
                if template == nil { template = row }
                nodes.append(nid)
            }
            nodes.sort()
        }
        guard index < nodes.count, var row = template else { return nil }
        row[slot] = .node(nodes[index])
        index += 1
        return row
    }
}
