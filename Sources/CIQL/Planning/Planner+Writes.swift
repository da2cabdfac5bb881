import CIQLValues
import CIQLSyntax
import ConfigurationSchema

/// Planning CREATE, MERGE, SET, REMOVE and DELETE.
extension Planner {
    func planWrite(_ clause: Clause, _ input: PlanOperator, _ scope: inout Scope) throws -> PlanOperator {
        switch clause.kind {
        case .create(let parts):
            let spec = try creationSpec(parts, &scope, merging: false, boundBefore: Set(scope.names))
            return CreateOperator(input, spec, detail: parts.map { ExpressionPrinter.print($0.element) }.joined(separator: ", "))
        case .merge(let part, let onCreate, let onMatch):
            var matchScope = scope
            let match = try planPattern([part], where: nil, onto: ArgumentOperator(), &matchScope)
            // The created pattern's variables take the slots of the matched one's.
            let boundBefore = Set(scope.names)
            scope = matchScope
            let spec = try creationSpec([part], &scope, merging: true, boundBefore: boundBefore)
            return MergeOperator(
                input, match: match, spec: spec, onCreate: try onCreate.map { try setAction($0, scope) },
                onMatch: try onMatch.map { try setAction($0, scope) }, detail: ExpressionPrinter.print(part.element))
        case .set(let items):
            return UpdateOperator(input, "Set", try items.map { try setAction($0, scope) }, detail: "\(items.count) item(s)")
        case .remove(let items):
            let actions: [WriteAction] = try items.flatMap { item -> [WriteAction] in
                switch item {
                case .property(let e):
                    guard case .property(let base, let key) = e.kind else {
                        throw CIQLError(.semantic, .syntax(.unexpectedSyntax), "REMOVE takes n.property or n:Class", at: e.location)
                    }
                    return [.setProperty(target: try compile(base, scope), key: key, value: .constant(.null), e.location)]
                case .labels(let v, let labels):
                    guard let variable = scope[v.text] else { throw scope.unknownVariableError(v) }
                    if !schema.isOpen {
                        throw CIQLError(.semantic, .graph(.classRequired), "a CI must keep a class; use SET \(v.text):OtherClass to change it", at: labels.first?.location ?? v.location)
                    }
                    return labels.map { .removeLabel(slot: variable.slot, label: $0.text, v.location) }
                }
            }
            return UpdateOperator(input, "Remove", actions, detail: "\(items.count) item(s)")
        case .delete(let targets, let detach):
            for target in targets { try checkDeleteTarget(target, scope) }
            let compiled = try targets.map { (try compile($0, scope), $0.location) }
            return DeleteOperator(input, compiled, detach: detach, detail: targets.map(describe).joined(separator: ", "))
        default:
            throw CIQLError(.semantic, .internalError, "internal: not a writing clause", at: clause.location)
        }
    }

    private func setAction(_ item: SetItem, _ scope: Scope) throws -> WriteAction {
        switch item {
        case .property(let target, let value):
            guard case .property(let base, let key) = target.kind else {
                throw CIQLError(.semantic, .syntax(.unexpectedSyntax), "SET needs n.property = value", at: target.location)
            }
            try checkPropertyKey(key, on: base, scope, at: target.location, forWrite: true)
            return .setProperty(target: try compile(base, scope), key: key, value: try compile(value, scope), target.location)
        case .replaceProperties(let v, let value), .mergeProperties(let v, let value):
            guard let variable = scope[v.text] else { throw scope.unknownVariableError(v) }
            var replace = false
            if case .replaceProperties = item { replace = true }
            return .setProperties(slot: variable.slot, value: try compile(value, scope), replace: replace, v.location)
        case .labels(let v, let labels):
            guard let variable = scope[v.text] else { throw scope.unknownVariableError(v) }
            guard labels.count == 1, let label = labels.first else {
                throw CIQLError(.semantic, .graph(.singleClass), "a CI has exactly one class; SET one class at a time", at: v.location)
            }
            _ = try classSet(label)
            return .setLabel(slot: variable.slot, label: label.text, label.location)
        }
    }

    /// Resolves a CREATE/MERGE pattern: which nodes exist already, which to make, and the relations.
    private func creationSpec(_ parts: [PatternPart], _ scope: inout Scope, merging: Bool, boundBefore: Set<String>)
        throws -> CreationSpec
    {
        var spec = CreationSpec()
        var created = Set<String>()
        func node(_ n: NodePattern) throws -> Int {
            if let v = n.variable, let existing = scope[v.text], boundBefore.contains(v.text) || created.contains(v.text) {
                if !n.labels.isEmpty || n.properties != nil {
                    throw CIQLError(.semantic, .syntax(.variableAlreadyBound), "variable '\(v.text)' is already bound; \(merging ? "MERGE" : "CREATE") cannot give it a class or properties", at: v.location)
                }
                return existing.slot
            }
            if n.labels.count > 1 {
                throw CIQLError(.semantic, .graph(.singleClass), "a CI has exactly one class; '\(n.labels.map { ":" + $0.text }.joined())' asks for \(n.labels.count)", at: n.labels[1].location)
            }
            if let label = n.labels.first { _ = try classSet(label) }
            let slot = scope[n.variable?.text ?? ""]?.slot ?? layout.allocate()
            if let v = n.variable {
                scope[v.text] = Variable(slot: slot, kind: .node, labels: n.labels.map(\.text))
                created.insert(v.text)
            }
            spec.nodes.append(CreationSpec.NodeSpec(
                slot: slot, isBound: false, label: n.labels.first?.text, properties: try n.properties.map { try compile($0, scope) },
                location: n.location))
            return slot
        }
        for part in parts {
            if part.shortest != nil {
                throw CIQLError(.semantic, .syntax(.invalidClauseComposition), "shortestPath cannot be created", at: part.location)
            }
            if part.element.steps.isEmpty, let v = part.element.start.variable, boundBefore.contains(v.text) {
                throw CIQLError(.semantic, .syntax(.variableAlreadyBound), "variable '\(v.text)' is already bound; \(merging ? "MERGE" : "CREATE") (\(v.text)) would make nothing new", at: v.location)
            }
            var pieces: [PathPiece] = []
            var previous = try node(part.element.start)
            pieces.append(.node(previous))
            for step in part.element.steps {
                let r = step.relationship
                if let v = r.variable, boundBefore.contains(v.text) {
                    throw CIQLError(.semantic, .syntax(.variableAlreadyBound), "variable '\(v.text)' is already bound; \(merging ? "MERGE" : "CREATE") makes a new relation", at: v.location)
                }
                guard r.types.count == 1, let type = r.types.first else {
                    throw CIQLError(.semantic, .syntax(.noSingleRelationshipType), "a created relation needs exactly one type, e.g. -[:RUNS_ON]->", at: r.location)
                }
                try checkRelationType(type)
                guard r.length == nil else {
                    throw CIQLError(.semantic, .syntax(.creatingVarLength), "a variable-length relation cannot be created", at: r.location)
                }
                if r.direction == .both && !merging {
                    throw CIQLError(.semantic, .syntax(.requiresDirectedRelationship), "a created relation needs a direction: -[:\(type.text)]-> or <-[:\(type.text)]-", at: r.location)
                }
                let next = try node(step.node)
                let slot: Int
                if let v = r.variable {
                    if boundBefore.contains(v.text) {
                        throw CIQLError(.semantic, .syntax(.variableAlreadyBound), "variable '\(v.text)' is already bound; CREATE makes a new relation", at: v.location)
                    }
                    slot = scope[v.text]?.slot ?? layout.allocate()
                    scope[v.text] = Variable(slot: slot, kind: .relationship)
                } else {
                    slot = layout.allocate()
                }
                let (from, to) = r.direction == .left ? (next, previous) : (previous, next)
                spec.relations.append(CreationSpec.RelationSpec(
                    slot: slot, fromNode: from, toNode: to, type: type.text,
                    properties: try r.properties.map { try compile($0, scope) }, location: r.location))
                pieces.append(.relation(slot))
                pieces.append(.node(next))
                previous = next
            }
            if let p = part.pathVariable {
                let slot = scope[p.text]?.slot ?? layout.allocate()
                scope[p.text] = Variable(slot: slot, kind: .path)
                spec.paths.append((slot, pieces))
            }
        }
        return spec
    }
}
