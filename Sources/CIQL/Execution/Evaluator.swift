import CIQLValues
import CIQLSyntax
import GraphStorage

/// Evaluation of compiled expressions against a row, with Cypher's null semantics.
extension ExecutionContext {
    /// Widens `row` to hold `slot`: an expression evaluated outside any row (an AS OF point, a baseline name, LIMIT
    /// under ORDER BY, a variable-length relation's properties) gets an empty one, and a comprehension, quantifier
    /// or `reduce` in it writes its own variable there.
    @inline(__always)
    static func makeRoom(for slot: Int, in row: inout Row) {
        if slot >= row.count { row.append(contentsOf: repeatElement(Value.null, count: slot + 1 - row.count)) }
    }

    func evaluate(_ e: CompiledExpression, _ row: inout Row) throws -> Value {
        switch e {
        case .constant(let v): return v
        case .slot(let i): return row[i]
        case .parameter(let name, let at):
            guard let v = parameters[name] else {
                throw CIQLError(.semantic, .parameter(.missingParameter), "parameter $\(name) has no value; pass it with --param \(name)=…", at: at)
            }
            return v
        case .property(let base, let key, let at):
            return try property(of: try evaluate(base, &row), key, at)
        case .list(let items, let at):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                if i & 1023 == 1023 { try checkCancelled() }
                out.append(try evaluate(item, &row))
            }
            return try nestedList(out, "this list", at)
        case .map(let items, let at):
            var entries: [(key: String, value: Value)] = []
            entries.reserveCapacity(items.count)
            for (k, v) in items { entries.append((k, try evaluate(v, &row))) }
            let built = Value.map(ValueMap(entries))
            try checkBuilt(built, "this map", at)
            return built
        case .mapProjection(let slot, let items, let at):
            return try mapProjection(row[slot], items, &row, at)
        case .subscript(let base, let index, let at):
            return try subscriptValue(try evaluate(base, &row), try evaluate(index, &row), at)
        case .slice(let base, let from, let to, let at):
            let b = try evaluate(base, &row)
            let f = try from.map { try evaluate($0, &row) }
            let t = try to.map { try evaluate($0, &row) }
            return try slice(b, f, t, at)
        case .not(let x, let at):
            switch try evaluate(x, &row) {
            case .null: return .null
            case .bool(let b): return .bool(!b)
            case let other: throw typeError("NOT needs a boolean", other, at)
            }
        case .negate(let x, let at):
            switch try evaluate(x, &row) {
            case .null: return .null
            case .int(let i):
                guard i != .min else { throw Self.integerOverflow("-(\(i))", at) }
                return .int(-i)
            case .float(let d): return .float(-d)
            case .duration(let d):
                guard let n = d.negated else { throw CIQLError(.runtime, .arithmetic(.integerOverflow), "duration overflow in -\(d)", at: at) }
                return .duration(n)
            case let other: throw typeError("unary minus needs a number", other, at)
            }
        case .and(let a, let b, let at):
            let l = try truth(try evaluate(a, &row), at)
            if l == false { return .bool(false) }
            let r = try truth(try evaluate(b, &row), at)
            if r == false { return .bool(false) }
            return (l == nil || r == nil) ? .null : .bool(true)
        case .or(let a, let b, let at):
            let l = try truth(try evaluate(a, &row), at)
            if l == true { return .bool(true) }
            let r = try truth(try evaluate(b, &row), at)
            if r == true { return .bool(true) }
            return (l == nil || r == nil) ? .null : .bool(false)
        case .xor(let a, let b, let at):
            guard let l = try truth(try evaluate(a, &row), at), let r = try truth(try evaluate(b, &row), at) else {
                return .null
            }
            return .bool(l != r)
        case .binary(let op, let a, let b, let at):
            return try binary(op, try evaluate(a, &row), try evaluate(b, &row), at)
        case .isNull(let x, let negated):
            return .bool(try evaluate(x, &row).isNull != negated)
        case .hasLabels(let x, let required, let at):
            switch try evaluate(x, &row) {
            case .null: return .null
            case .node(let nid):
                let label = try source.label(of: nid) ?? nil
                return .bool(required.allSatisfy { set in label.map(set.contains) ?? false })
            case .relationship(let r): return .bool(required.allSatisfy { $0.contains(r.type) })  // `r:T` tests the type
            case let other: throw typeError("a class test needs a node", other, at)
            }
        case .function(let f, let args, let at):
            var values: [Value] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(try evaluate(a, &row)) }
            return try call(f, values, at)
        case .caseWhen(let subject, let branches, let otherwise):
            if let subject {
                let s = try evaluate(subject, &row)
                for (w, t) in branches where Value.equals(s, try evaluate(w, &row)) == true {
                    return try evaluate(t, &row)
                }
            } else {
                for (w, t) in branches where try evaluate(w, &row).isTrue { return try evaluate(t, &row) }
            }
            return try otherwise.map { try evaluate($0, &row) } ?? .null
        case .listComprehension(let slot, let list, let filter, let map, let at):
            guard let items = try listOrNull(try evaluate(list, &row), at) else { return .null }
            var out: [Value] = []
            var bytes = 32
            Self.makeRoom(for: slot, in: &row)
            let saved = row[slot]
            defer { row[slot] = saved }
            for item in items {
                try checkCancelled()
                row[slot] = item
                if let filter, !(try evaluate(filter, &row).isTrue) { continue }
                let v = try map.map { try evaluate($0, &row) } ?? item
                bytes &+= v.estimatedBytes
                try checkValueSize(bytes, for: "a list comprehension")
                out.append(v)
            }
            try checkBuilt(.list(out), "this list comprehension", at)
            return .list(out)
        case .quantifier(let q, let slot, let list, let filter, let at):
            guard let items = try listOrNull(try evaluate(list, &row), at) else { return .null }
            Self.makeRoom(for: slot, in: &row)
            let saved = row[slot]
            defer { row[slot] = saved }
            var trueCount = 0, nullCount = 0
            for item in items {
                try checkCancelled()
                row[slot] = item
                switch try filter.map({ try truth(try evaluate($0, &row), at) }) ?? true {
                case .some(true): trueCount += 1
                case .some(false): break
                case nil: nullCount += 1
                }
            }
            let falseCount = items.count - trueCount - nullCount
            switch q {
            case .all: return falseCount > 0 ? .bool(false) : (nullCount > 0 ? .null : .bool(true))
            case .any: return trueCount > 0 ? .bool(true) : (nullCount > 0 ? .null : .bool(false))
            case .none: return trueCount > 0 ? .bool(false) : (nullCount > 0 ? .null : .bool(true))
            case .single:
                if trueCount > 1 { return .bool(false) }
                return nullCount > 0 ? .null : .bool(trueCount == 1)
            }
        case .reduce(let acc, let initial, let slot, let list, let map, let at):
            var accumulator = try evaluate(initial, &row)
            guard let items = try listOrNull(try evaluate(list, &row), at) else { return .null }
            Self.makeRoom(for: max(acc, slot), in: &row)
            let savedAcc = row[acc], savedVar = row[slot]
            defer {
                row[acc] = savedAcc
                row[slot] = savedVar
            }
            for item in items {
                try checkCancelled()
                row[acc] = accumulator
                row[slot] = item
                accumulator = try evaluate(map, &row)
            }
            return accumulator
        case .buildPath(let pieces):
            return buildPath(pieces, row)
        case .subquery(let sub):
            try sub.plan.open(row, self)
            switch sub.result {
            case .exists:
                return .bool(try sub.plan.next(self) != nil)
            case .collect(let map, let at):
                var out: [Value] = []
                var bytes = 32
                while var inner = try sub.plan.next(self) {
                    try checkCancelled()
                    let value = try evaluate(map, &inner)
                    bytes &+= value.estimatedBytes
                    try checkValueSize(bytes, for: "a pattern comprehension")
                    out.append(value)
                }
                try checkBuilt(.list(out), "this pattern comprehension", at)
                return .list(out)
            }
        }
    }

    private func buildPath(_ pieces: [PathPiece], _ row: Row) -> Value {
        var nodes: [NodeID] = []
        var rels: [RelationshipRef] = []
        for piece in pieces {
            switch piece {
            case .node(let slot):
                guard case .node(let nid) = row[slot] else { return .null }
                if nodes.count == rels.count { nodes.append(nid) }
            case .relation(let slot):
                guard case .relationship(let r) = row[slot], let last = nodes.last else { return .null }
                rels.append(r)
                nodes.append(r.otherEnd(from: last))
            case .relationList(let slot):
                guard case .list(let list) = row[slot] else { return .null }
                for case .relationship(let r) in list {
                    guard let last = nodes.last else { return .null }
                    rels.append(r)
                    nodes.append(r.otherEnd(from: last))
                }
            }
        }
        return .path(PathValue(nodes: nodes, relationships: rels))
    }

    /// Boolean operands of AND/OR/XOR/NOT and filters: true, false or nil for null.
    func truth(_ v: Value, _ at: SourceLocation) throws -> Bool? {
        switch v {
        case .bool(let b): return b
        case .null: return nil
        default: throw typeError("expected a boolean", v, at)
        }
    }

    /// A value of the wrong type found at run time; openCypher's `TypeError.InvalidArgumentType` unless said.
    func typeError(
        _ what: String, _ v: Value, _ at: SourceLocation, _ code: CIQLError.Code = .type(.invalidArgumentType)
    ) -> CIQLError {
        CIQLError(.runtime, code, "\(what), found \(v.typeName.lowercased()) \(ValueText.literal(v, maxLength: 40))", at: at)
    }

    func listOrNull(_ v: Value, _ at: SourceLocation) throws -> [Value]? {
        switch v {
        case .null: return nil
        case .list(let l): return l
        default: throw typeError("expected a list", v, at)
        }
    }

    /// `base.key`: a property of a node or relation (with `id` and `class` of a CI), or a map entry.
    func property(of base: Value, _ key: String, _ at: SourceLocation) throws -> Value {
        switch base {
        case .null: return .null
        case .node(let nid):
            // A stored property comes first, even one called `id` or `class` (schemaless graphs may hold them).
            if let p = try source.property(key, of: nid) { return Value(p) }
            if key == "id" {
                guard let id = try source.externalID(of: nid) else { try deleted(base, at); return .null }
                return .string(id)
            }
            guard let label = try source.label(of: nid) else { try deleted(base, at); return .null }  // no such node
            return key == "class" ? label.map(Value.string) ?? .null : .null
        case .relationship(let r):
            guard let rel = try source.relation(from: r.from, type: r.type, to: r.to) else { try deleted(base, at); return .null }
            return rel.properties[key].map(Value.init) ?? .null
        case .map(let m): return m[key] ?? .null
        case .temporal(let t):
            guard let v = TemporalFields.field(key, of: t) else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "a \(t.typeName.lowercased()) has no field '\(key)'", at: at)
            }
            return v
        case .duration(let d):
            guard let v = TemporalFields.field(key, of: d) else {
                throw CIQLError(.runtime, .arithmetic(.integerOverflow), "a duration has no field '\(key)', or its value is out of range", at: at)
            }
            return v
        default: throw typeError("cannot read property '\(key)'", base, at)
        }
    }

    private func mapProjection(_ base: Value, _ items: [CompiledMapItem], _ row: inout Row, _ at: SourceLocation)
        throws -> Value
    {
        if base.isNull { return .null }
        var m = ValueMap()
        for item in items {
            switch item {
            case .property(let key): m[key] = try property(of: base, key, at)
            case .literal(let key, let e):
                m[key] = try evaluate(e, &row)
            case .variable(let name, let slot):
                m[name] = row[slot]
            // The entries of a map or CI are one level less deep than it, so they fit in a map.
            case .allProperties:
                for (k, v) in try allProperties(base, at).entries { m[k] = v }
            }
        }
        let built = Value.map(m)
        try checkBuilt(built, "this map projection", at)
        return built
    }

    /// Reading a node or relation this statement deleted is an error (outside writes, a missing one reads as null).
    func deleted(_ v: Value, _ at: SourceLocation) throws {
        guard writer != nil else { return }
        throw CIQLError(.runtime, .entityNotFound(.deletedEntityAccess), "the \(v.typeName == "NODE" ? "CI" : "relation") was deleted by this statement; its properties are gone", at: at)
    }

    /// The properties of a node, relation or map as a map (a CI's `id` is not one of them).
    func allProperties(_ v: Value, _ at: SourceLocation) throws -> ValueMap {
        switch v {
        case .node(let nid):
            let props = try node(nid)?.properties ?? Properties()
            return ValueMap(props.map { ($0.key, Value($0.value)) })
        case .relationship(let r):
            let props = try source.relation(from: r.from, type: r.type, to: r.to)?.properties ?? Properties()
            return ValueMap(props.map { ($0.key, Value($0.value)) })
        case .map(let m): return m
        default: throw typeError("expected a node, relation or map", v, at)
        }
    }

    private func subscriptValue(_ base: Value, _ index: Value, _ at: SourceLocation) throws -> Value {
        switch (base, index) {
        case (.null, _), (_, .null): return .null
        case let (.list(l), .int(i)):
            let n = Int64(l.count)
            let k = i < 0 ? n + i : i
            return (k >= 0 && k < n) ? l[Int(k)] : .null
        case let (.map(m), .string(k)): return m[k] ?? .null
        case (.node, .string(let k)), (.relationship, .string(let k)): return try property(of: base, k, at)
        case (.list, _): throw typeError("a list index must be an integer", index, at)
        case (.map, _), (.node, _), (.relationship, _): throw typeError("a key must be a string", index, at, .type(.mapElementAccessByNonString))
        default: throw typeError("cannot index into this value", base, at)
        }
    }

    private func slice(_ base: Value, _ from: Value?, _ to: Value?, _ at: SourceLocation) throws -> Value {
        if base.isNull || from?.isNull == true || to?.isNull == true { return .null }
        guard case .list(let l) = base else { throw typeError("only lists can be sliced", base, at) }
        let n = Int64(l.count)
        func bound(_ v: Value?, _ otherwise: Int64) throws -> Int64 {
            guard let v else { return otherwise }
            guard case .int(let i) = v else { throw typeError("a slice bound must be an integer", v, at) }
            return max(0, min(n, i < 0 ? n + i : i))
        }
        let lo = try bound(from, 0), hi = try bound(to, n)
        return lo < hi ? .list(Array(l[Int(lo)..<Int(hi)])) : .list([])
    }
}

extension Value {
    /// True only for boolean true (filters drop false and null alike).
    var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }
}
