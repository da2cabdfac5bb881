import CIQLValues
import CIQLSyntax
import ConfigurationSchema
import GraphStorage

/// Planning patterns: where to start (id seek, attribute index, class scan), which way to expand, and
/// where each predicate of WHERE can first be applied.
extension Planner {
    /// A predicate of WHERE (or from a pattern's property map) and the variables it needs.
    struct Conjunct {
        var expression: Expression
        var variables: Set<String>
        var used = false
    }

    /// Plans a MATCH pattern on top of `input`; declares the pattern's variables in `scope`.
    func planPattern(
        _ parts: [PatternPart], where filter: Expression?, onto input: PlanOperator, _ scope: inout Scope
    ) throws -> PlanOperator {
        let context = nextPatternContext
        nextPatternContext = PatternContext()
        var bound = Set(scope.names)
        var conjuncts: [Conjunct] = []
        if let filter { splitConjuncts(filter, into: &conjuncts) }
        var relationSlots: [(slot: Int, isList: Bool, types: Set<String>?)] = []
        // Names for every node and relationship of the pattern (hidden names for anonymous ones).
        var nodeNames: [[String]] = []
        var relationNames: [[String]] = []
        for part in parts {
            var names = [try declareNode(part.element.start, &scope, &conjuncts, bound)]
            var rels: [String] = []
            for step in part.element.steps {
                let (relName, slot, isList) = try declareRelationship(step.relationship, &scope, &conjuncts, bound)
                rels.append(relName)
                let types = step.relationship.types.isEmpty ? nil : Set(step.relationship.types.map(\.text))
                relationSlots.append((slot, isList, types))
                names.append(try declareNode(step.node, &scope, &conjuncts, bound))
            }
            if let pathVariable = part.pathVariable {
                if scope[pathVariable.text] != nil {
                    throw CIQLError(.semantic, .syntax(.variableAlreadyBound), "variable '\(pathVariable.text)' is already defined", at: pathVariable.location)
                }
                scope[pathVariable.text] = Variable(slot: layout.allocate(), kind: .path)
            }
            nodeNames.append(names)
            relationNames.append(rels)
        }
        if let filter { try checkPredicate(filter, scope) }
        // Relations of one MATCH must differ; only relations whose types overlap can be the same one.
        let uniquenessChecked = Self.overlappingRelations(relationSlots)
        // An anonymous single relation nobody reads need not be bound at all.
        var unboundRelations = Set<String>()
        for (p, part) in parts.enumerated() where part.pathVariable == nil {
            for (j, step) in part.element.steps.enumerated() {
                let r = step.relationship
                if r.variable == nil, r.length == nil, r.properties == nil, let slot = scope[relationNames[p][j]]?.slot,
                    !uniquenessChecked.contains(where: { $0.slot == slot })
                {
                    unboundRelations.insert(relationNames[p][j])
                }
            }
        }
        // Relations whose lists nobody reads and whose far ends are de-duplicated later: breadth first.
        var pruned = Set<String>()
        let checkedSlots = uniquenessChecked.count > 1 ? Set(uniquenessChecked.map(\.slot)) : []
        if context.ignoresDuplicates {
            for (p, part) in parts.enumerated() where part.pathVariable == nil && part.shortest == nil {
                for (j, step) in part.element.steps.enumerated() {
                    let r = step.relationship
                    guard let length = r.length, r.variable == nil, (length.minimum ?? 1) <= 1,
                        let slot = scope[relationNames[p][j]]?.slot, !checkedSlots.contains(slot)
                    else { continue }
                    pruned.insert(relationNames[p][j])
                }
            }
        }
        let checkUniqueness = { (input: PlanOperator) -> PlanOperator in
            Self.relationUniquenessCheck(input, uniquenessChecked)
        }
        var collapse = FrontierCollapse(
            context: context, parts: parts, nodeNames: nodeNames, relationNames: relationNames,
            checkedRelations: Set(relationNames.joined().filter { scope[$0].map { checkedSlots.contains($0.slot) } ?? false }),
            makeUniquenessCheck: checkUniqueness)
        var op = input
        let ordered = parts.indices.sorted { (parts[$0].shortest == nil ? 0 : 1) < (parts[$1].shortest == nil ? 0 : 1) }
        for p in ordered {
            let part = parts[p]
            let names = nodeNames[p], rels = relationNames[p]
            if let shortest = part.shortest {
                op = try planShortestPath(part, shortest, names, rels, op, scope, &bound, &conjuncts)
            } else {
                let start = try chooseStart(names, part.element, scope, bound, conjuncts)
                if !bound.contains(names[start]) {
                    op = try planNodeStart(names[start], nodePattern(part.element, start), op, scope, bound, &conjuncts)
                    bound.insert(names[start])
                }
                op = try applyReady(&conjuncts, op, scope, bound)
                collapse.begin(part: p, start: start)
                for j in start..<part.element.steps.count {
                    op = try planExpand(part.element.steps[j].relationship, from: names[j], rel: rels[j], to: names[j + 1], reversed: false, op, scope, &bound, bindsRelation: !unboundRelations.contains(rels[j]), pruning: pruned.contains(rels[j]))
                    op = collapse.after(step: j, to: names[j + 1], op, scope, bound, conjuncts)
                    op = try applyReady(&conjuncts, op, scope, bound)
                }
                for j in stride(from: start - 1, through: 0, by: -1) {
                    op = try planExpand(part.element.steps[j].relationship, from: names[j + 1], rel: rels[j], to: names[j], reversed: true, op, scope, &bound, bindsRelation: !unboundRelations.contains(rels[j]), pruning: pruned.contains(rels[j]))
                    op = collapse.after(step: j, to: names[j], op, scope, bound, conjuncts)
                    op = try applyReady(&conjuncts, op, scope, bound)
                }
                collapse.end(part: p)
            }
            if let pathVariable = part.pathVariable, let path = scope[pathVariable.text] {
                var pieces: [PathPiece] = []
                for (i, name) in names.enumerated() {
                    if let v = scope[name] { pieces.append(.node(v.slot)) }
                    if i < rels.count, let r = scope[rels[i]] {
                        pieces.append(r.kind == .relationshipList ? .relationList(r.slot) : .relation(r.slot))
                    }
                }
                op = ProjectOperator(op, [(path.slot, .buildPath(pieces))], detail: pathVariable.text)
                bound.insert(pathVariable.text)
                op = try applyReady(&conjuncts, op, scope, bound)
            }
        }
        if uniquenessChecked.count > 1, !collapse.uniquenessApplied {
            op = checkUniqueness(op)
        }
        for i in conjuncts.indices where !conjuncts[i].used {
            op = FilterOperator(op, try compile(conjuncts[i].expression, scope), detail: describe(conjuncts[i].expression))
            conjuncts[i].used = true
        }
        return op
    }

    /// Keeps the rows in which the relations of `checked` (bound in their slots) are all different.
    static func relationUniquenessCheck(
        _ input: PlanOperator, _ checked: [(slot: Int, isList: Bool, types: Set<String>?)]
    ) -> PlanOperator {
        // Single relations only (the usual case): compared pair by pair, with nothing allocated per row.
        if !checked.contains(where: \.isList) {
            let slots = checked.map(\.slot)
            return RowCheckOperator(input, "RelationUniqueness", detail: "each relation once per match") { row in
                for (i, a) in slots.enumerated() {
                    guard case .relationship(let r) = row[a] else { continue }
                    for b in slots[(i + 1)...] {
                        if case .relationship(let other) = row[b], other == r { return false }
                    }
                }
                return true
            }
        }
        return RowCheckOperator(input, "RelationUniqueness", detail: "each relation once per match") { row in
            var seen = Set<RelationshipRef>()
            for (slot, isList, _) in checked {
                if isList {
                    guard case .list(let l) = row[slot] else { continue }
                    for case .relationship(let r) in l where !seen.insert(r).inserted { return false }
                } else if case .relationship(let r) = row[slot], !seen.insert(r).inserted {
                    return false
                }
            }
            return true
        }
    }

    /// The relations that could be the same relation as another one of the pattern (types overlap).
    static func overlappingRelations(_ relations: [(slot: Int, isList: Bool, types: Set<String>?)])
        -> [(slot: Int, isList: Bool, types: Set<String>?)]
    {
        relations.enumerated().filter { i, a in
            relations.enumerated().contains { j, b in
                guard i != j else { return false }
                guard let ta = a.types, let tb = b.types else { return true }
                return !ta.isDisjoint(with: tb)
            }
        }.map(\.element)
    }

    private func nodePattern(_ element: PatternElement, _ index: Int) -> NodePattern {
        index == 0 ? element.start : element.steps[index - 1].node
    }

    func splitConjuncts(_ e: Expression, into list: inout [Conjunct]) {
        if case .binary(.and, let a, let b) = e.kind {
            splitConjuncts(a, into: &list)
            splitConjuncts(b, into: &list)
        } else {
            list.append(Conjunct(expression: e, variables: e.referencedVariables))
        }
    }

    /// Declares a node variable (or a hidden one) and turns its classes and property map into predicates.
    private func declareNode(_ node: NodePattern, _ scope: inout Scope, _ conjuncts: inout [Conjunct], _ boundBefore: Set<String>)
        throws -> String
    {
        if node.labels.count > 1 {
            throw CIQLError(
                .semantic, .graph(.singleClass), "a CI has exactly one class; '\(node.labels.map { ":" + $0.text }.joined())' asks for \(node.labels.count)",
                at: node.labels[1].location)
        }
        let classes = try node.labels.first.map { try classSet($0) } ?? []
        let name: String
        if let v = node.variable {
            name = v.text
            if let existing = scope[name] {
                // A value that may hold a node (`WITH coalesce(b, c) AS x`, `UNWIND nodes AS n`) is matched as one.
                if existing.kind == .value, existing.staticType == nil { scope[name]?.kind = .node }
                guard scope[name]?.kind == .node else {
                    throw CIQLError(.semantic, .syntax(.variableTypeConflict), "variable '\(name)' is not a node here", at: v.location)
                }
                if !classes.isEmpty, existing.labels.isEmpty { scope[name]?.labels = classes }
            } else {
                scope[name] = Variable(slot: layout.allocate(), kind: .node, labels: classes)
            }
        } else {
            let slot = layout.allocate()
            name = " n\(slot)"
            scope[name] = Variable(slot: slot, kind: .node, labels: classes)
        }
        let variable = Expression(.variable(name), at: node.location)
        if let label = node.labels.first {
            conjuncts.append(Conjunct(
                expression: Expression(.hasLabels(variable, labels: [label]), at: label.location), variables: [name]))
        }
        try addPropertyMap(node.properties, of: variable, name: name, &conjuncts)
        return name
    }

    private func addPropertyMap(_ map: Expression?, of variable: Expression, name: String, _ conjuncts: inout [Conjunct]) throws {
        guard let map else { return }
        switch map.kind {
        case .map(let entries):
            for (key, value) in entries {
                let lhs = Expression(.property(variable, key: key), at: value.location)
                let e = Expression(.binary(.equal, lhs, value), at: value.location)
                conjuncts.append(Conjunct(expression: e, variables: e.referencedVariables))
            }
        case .parameter:
            // `(n $props)`: every entry of the map parameter must match.
            let x = Name(" entry", at: map.location)
            let keys = Expression(.function(name: Name("keys", at: map.location), distinct: false, arguments: [map]), at: map.location)
            let lhs = Expression(.subscript(variable, index: Expression(.variable(x.text), at: map.location)), at: map.location)
            let rhs = Expression(.subscript(map, index: Expression(.variable(x.text), at: map.location)), at: map.location)
            let test = Expression(.binary(.equal, lhs, rhs), at: map.location)
            let e = Expression(.quantifier(.all, variable: x, list: keys, where: test), at: map.location)
            conjuncts.append(Conjunct(expression: e, variables: [name]))
        default:
            throw CIQLError(.semantic, .syntax(.invalidArgumentType), "a pattern's properties must be a map or a parameter", at: map.location)
        }
    }

    private func declareRelationship(
        _ rel: RelationshipPattern, _ scope: inout Scope, _ conjuncts: inout [Conjunct], _ boundBefore: Set<String>
    ) throws -> (String, Int, Bool) {
        for type in rel.types { try checkRelationType(type) }
        let isList = rel.length != nil
        let kind: VariableKind = isList ? .relationshipList : .relationship
        let name: String
        let slot: Int
        if let v = rel.variable, let earlier = scope[v.text], !boundBefore.contains(v.text) {
            // The same relation twice in one pattern breaks relationship uniqueness; a node's name used for a
            // relation is a conflict of types.
            let code: CIQLError.Code = earlier.kind == kind ? .syntax(.relationshipUniquenessViolation) : .syntax(.variableTypeConflict)
            throw CIQLError(.semantic, code, "relation variable '\(v.text)' appears twice in one pattern; a pattern uses each relation once", at: v.location)
        }
        if let v = rel.variable, let bound = scope[v.text] {
            // A relation bound earlier (`MATCH ()-[r]->() … MATCH (a)-[r]->(b)`): expand into a hidden variable
            // and keep the rows where it is the same relation (or the same list of them).
            guard bound.kind == (isList ? .relationshipList : .relationship) || bound.kind == .value && (bound.staticType == nil || isList && bound.staticType == .list) else {
                throw CIQLError(.semantic, .syntax(.variableTypeConflict), "variable '\(v.text)' is already defined and is not a relation here", at: v.location)
            }
            slot = layout.allocate()
            name = " r\(slot)"
            scope[name] = Variable(slot: slot, kind: kind)
            let same = Expression(.binary(.equal, Expression(.variable(name), at: v.location), Expression(.variable(v.text), at: v.location)), at: v.location)
            conjuncts.append(Conjunct(expression: same, variables: [name, v.text]))
        } else if let v = rel.variable {
            name = v.text
            slot = layout.allocate()
            scope[name] = Variable(slot: slot, kind: kind)
        } else {
            slot = layout.allocate()
            name = " r\(slot)"
            scope[name] = Variable(slot: slot, kind: kind)
        }
        if !isList {
            try addPropertyMap(rel.properties, of: Expression(.variable(name), at: rel.location), name: name, &conjuncts)
        }
        return (name, slot, isList)
    }

    /// The node of a part to start from: a bound one, else the one with the most selective access.
    private func chooseStart(_ names: [String], _ element: PatternElement, _ scope: Scope, _ bound: Set<String>, _ conjuncts: [Conjunct])
        throws -> Int
    {
        if let i = names.firstIndex(where: bound.contains) { return i }
        var best = 0
        var bestCost = Int.max
        for (i, name) in names.enumerated() {
            let cost = estimatedCost(name, scope, bound, conjuncts)
            if cost < bestCost {
                best = i
                bestCost = cost
            }
        }
        return best
    }

    private func estimatedCost(_ name: String, _ scope: Scope, _ bound: Set<String>, _ conjuncts: [Conjunct]) -> Int {
        if seekConjunct(name, bound, conjuncts, idOnly: true) != nil { return 1 }
        if seekConjunct(name, bound, conjuncts, idOnly: false) != nil { return 100 }
        let labels = scope[name]?.labels ?? []
        if labels.isEmpty { return 1000 + statistics.nodeCount(nil) }
        return 1000 + labels.reduce(0) { $0 + statistics.nodeCount($1) }
    }

    /// A predicate `v.key = expr` (or `v.id IN list`) usable for a seek on `v`, with everything else bound.
    private func seekConjunct(_ name: String, _ bound: Set<String>, _ conjuncts: [Conjunct], idOnly: Bool)
        -> (index: Int, key: String, value: Expression)?
    {
        for (i, c) in conjuncts.enumerated() where !c.used {
            guard case .binary(let op, let a, let b) = c.expression.kind, op == .equal || op == .in else { continue }
            for (lhs, rhs) in op == .in ? [(a, b)] : [(a, b), (b, a)] {
                guard case .property(let base, let key) = lhs.kind, case .variable(let v) = base.kind, v == name,
                    rhs.referencedVariables.isSubset(of: bound)
                else { continue }
                if op == .in, key != "id" { continue }
                if key == "id" {
                    // Schemaless graphs may hold a non-string `id` property: seek only on a string.
                    if schema.isOpen, case .string = rhs.kind {} else if schema.isOpen { continue }
                    return (i, key, rhs)
                }
                if !idOnly, statistics.indexedKeys.contains(key) { return (i, key, rhs) }
            }
        }
        return nil
    }

    private func planNodeStart(
        _ name: String, _ node: NodePattern, _ input: PlanOperator, _ scope: Scope, _ bound: Set<String>,
        _ conjuncts: inout [Conjunct]
    ) throws -> PlanOperator {
        guard let variable = scope[name] else { throw CIQLError(.semantic, .internalError, "internal: undeclared \(name)") }
        let shown = name.hasPrefix(" ") ? "" : name
        let labelText = node.labels.first.map { ":" + $0.text } ?? ""
        if let seek = seekConjunct(name, bound, conjuncts, idOnly: true)
            ?? seekConjunct(name, bound, conjuncts, idOnly: false)
        {
            // An id seek is exact; an attribute index seek is re-checked with Cypher's equality (1 = 1.0).
            conjuncts[seek.index].used = seek.key == "id" && !schema.isOpen
            let value = try compile(seek.value, scope)
            return NodeSeekOperator(
                input, slot: variable.slot, key: seek.key == "id" ? .id : .property(seek.key), value: value, labels: nil,
                detail: "(\(shown)\(labelText)) \(seek.key) = \(describe(seek.value))")
        }
        let labels = variable.labels.isEmpty ? nil : variable.labels
        if labels != nil, let i = conjuncts.firstIndex(where: {
            if case .hasLabels(let v, _) = $0.expression.kind, case .variable(name) = v.kind { return !$0.used }
            return false
        }) {
            conjuncts[i].used = true
        }
        return NodeScanOperator(input, slot: variable.slot, labels: labels, detail: "(\(shown)\(labelText))")
    }

    private func planExpand(
        _ rel: RelationshipPattern, from: String, rel relName: String, to: String, reversed: Bool,
        _ input: PlanOperator, _ scope: Scope, _ bound: inout Set<String>, bindsRelation: Bool = true,
        pruning: Bool = false
    ) throws -> PlanOperator {
        guard let f = scope[from], let t = scope[to], let r = scope[relName] else {
            throw CIQLError(.semantic, .internalError, "internal: undeclared pattern variable", at: rel.location)
        }
        let spec = ExpansionSpec(rel, reversed: reversed)
        let into = bound.contains(to)
        let show = { (n: String) in n.hasPrefix(" ") ? "" : n }
        let detail = spec.describe(from: show(from), rel: show(relName), to: show(to))
        var op: PlanOperator
        if let length = rel.length {
            let minimum = length.minimum ?? 1
            let maximum = length.maximum ?? Int.max
            let filter = try relationFilter(rel.properties, scope)
            if pruning {
                op = BreadthFirstExpandOperator(
                    input, from: f.slot, to: t.slot, spec: spec, minimum: minimum, maximum: maximum, into: into,
                    relationFilter: filter,
                    detail: detail + " *\(minimum)..\(length.maximum.map(String.init) ?? "") distinct ends, level by level")
                bound.insert(relName)
                bound.insert(to)
                return op
            }
            op = VarLengthExpandOperator(
                input, from: f.slot, relations: r.slot, to: t.slot, spec: spec, minimum: minimum, maximum: maximum,
                into: into, relationFilter: filter, detail: detail + " *\(minimum)..\(length.maximum.map(String.init) ?? "")")
            if reversed {
                let slot = r.slot
                op = RowCheckOperator(op, "ReverseList", detail: show(relName)) { row in
                    if case .list(let l) = row[slot] { row[slot] = .list(l.reversed()) }
                    return true
                }
            }
        } else {
            op = ExpandOperator(
                input, from: f.slot, relation: bindsRelation ? r.slot : nil, to: t.slot, spec: spec, into: into,
                detail: detail)
        }
        bound.insert(relName)
        bound.insert(to)
        return op
    }

    /// A per-relation test for a variable-length pattern's property map (constants and parameters only).
    private func relationFilter(_ map: Expression?, _ scope: Scope) throws -> ((RelationshipRef, ExecutionContext) throws -> Bool)? {
        guard let map else { return nil }
        guard case .map(let entries) = map.kind else {
            throw CIQLError(.semantic, .syntax(.invalidArgumentType), "a variable-length relation's properties must be a map", at: map.location)
        }
        let compiled = try entries.map { ($0.key, try compile($0.value, Scope())) }
        let width = layout.width  // the values are evaluated alone, in a row wide enough for their own plans
        return { ref, ctx in
            for (key, value) in compiled {
                var row = Row(repeating: .null, count: width)
                let expected = try ctx.evaluate(value, &row)
                let actual = try ctx.property(of: .relationship(ref), key, map.location)
                if Value.equals(actual, expected) != true { return false }
            }
            return true
        }
    }

    /// Applies every predicate whose variables are all bound.
    func applyReady(_ conjuncts: inout [Conjunct], _ input: PlanOperator, _ scope: Scope, _ bound: Set<String>) throws
        -> PlanOperator
    {
        var op = input
        for i in conjuncts.indices where !conjuncts[i].used && conjuncts[i].variables.isSubset(of: bound) {
            op = FilterOperator(op, try compile(conjuncts[i].expression, scope), detail: describe(conjuncts[i].expression))
            conjuncts[i].used = true
        }
        return op
    }

    private func planShortestPath(
        _ part: PatternPart, _ kind: ShortestPathKind, _ names: [String], _ rels: [String], _ input: PlanOperator,
        _ scope: Scope, _ bound: inout Set<String>, _ conjuncts: inout [Conjunct]
    ) throws -> PlanOperator {
        guard part.element.steps.count == 1, let first = names.first, let last = names.last,
            let relVar = scope[rels[0]]
        else {
            throw CIQLError(.semantic, .syntax(.invalidArgumentType), "shortestPath needs a pattern of one relationship: (a)-[*]-(b)", at: part.location)
        }
        var op = input
        for (i, name) in [(0, first), (1, last)] where !bound.contains(name) {
            op = try planNodeStart(name, nodePattern(part.element, i == 0 ? 0 : 1), op, scope, bound, &conjuncts)
            bound.insert(name)
            op = try applyReady(&conjuncts, op, scope, bound)
        }
        let rel = part.element.steps[0].relationship
        let spec = ExpansionSpec(rel)
        guard let a = scope[first], let b = scope[last] else { return op }
        let pathSlot = part.pathVariable.flatMap { scope[$0.text]?.slot }
        op = ShortestPathOperator(
            op, from: a.slot, to: b.slot, relations: relVar.slot, path: pathSlot, spec: spec,
            minimum: rel.length?.minimum ?? 1, maximum: rel.length?.maximum ?? Int.max, all: kind == .all,
            detail: spec.describe(from: first, rel: "", to: last))
        bound.insert(rels[0])
        if let p = part.pathVariable { bound.insert(p.text) }
        return op
    }
}
