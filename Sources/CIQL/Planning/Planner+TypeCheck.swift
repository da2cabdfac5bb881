import CIQLSyntax
/// What an expression is known to evaluate to before it runs: literals, graph variables and variables bound
/// to literals. Unknown (nil) for anything computed from data, so only certain mistakes are reported.
enum StaticType: String, Equatable {
    case boolean, integer, float, string, list, map, node, relationship, path

    var article: String { self == .integer ? "an integer" : "a \(rawValue)" }
}

/// Type errors found while planning (a compile-time error instead of a run-time one), as openCypher asks:
/// `RETURN 123 AND true`, `WITH 1 AS x RETURN x.key`, `RETURN 1 IN 'a'`, `MATCH (n) RETURN type(n)`.
extension Planner {
    /// The static type of `e` in `scope`, if known.
    func staticType(_ e: Expression, _ scope: Scope) -> StaticType? {
        switch e.kind {
        case .bool: return .boolean
        case .int: return .integer
        case .float: return .float
        case .string: return .string
        case .list, .listComprehension, .patternComprehension: return .list
        case .map, .mapProjection: return .map
        case .variable(let v):
            guard let variable = scope[v] else { return nil }
            switch variable.kind {
            case .node: return .node
            case .relationship: return .relationship
            case .relationshipList: return .list
            case .path: return .path
            case .value: return variable.staticType
            }
        case .unary(let op, let x):
            if op == .not { return .boolean }
            let t = staticType(x, scope)
            return t == .integer || t == .float ? t : nil
        case .binary(let op, let a, let b):
            switch op {
            case .and, .or, .xor, .equal, .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual, .in, .startsWith,
                .endsWith, .contains, .regexMatch:
                return .boolean
            case .add, .subtract, .multiply, .divide, .modulo:
                let ta = staticType(a, scope), tb = staticType(b, scope)
                if ta == .integer, tb == .integer { return .integer }
                if let ta, let tb, [.integer, .float].contains(ta), [.integer, .float].contains(tb) { return .float }
                if op == .add, ta == .string, tb == .string { return .string }
                return nil
            default: return nil
            }
        case .isNull, .hasLabels, .quantifier, .patternPredicate, .exists, .existsQuery: return .boolean
        default: return nil
        }
    }

    /// The static type of the elements of a list literal, when they all share one.
    func elementType(_ e: Expression, _ scope: Scope) -> StaticType? {
        guard case .list(let items) = e.kind, let first = items.first else { return nil }
        let t = staticType(first, scope)
        return items.allSatisfy { staticType($0, scope) == t } ? t : nil
    }

    /// Reports the type errors of `e` itself (its operands are checked when they are compiled).
    func checkStaticTypes(_ e: Expression, _ scope: Scope) throws {
        func fail(_ x: Expression, _ what: String, _ t: StaticType, _ code: CIQLError.Code) throws -> Never {
            throw CIQLError(.semantic, code, "type error: \(what), found \(t.article)", at: x.location)
        }
        func need(
            _ x: Expression, _ allowed: Set<StaticType>, _ what: String,
            _ code: CIQLError.Code = .syntax(.invalidArgumentType)
        ) throws {
            if let t = staticType(x, scope), !allowed.contains(t) { try fail(x, what, t, code) }
        }
        switch e.kind {
        case .unary(.not, let x): try need(x, [.boolean], "NOT needs a boolean")
        case .unary(.minus, let x): try need(x, [.integer, .float], "'-' needs a number")
        case .binary(let op, let a, let b):
            switch op {
            case .and, .or, .xor:
                try need(a, [.boolean], "\(op.rawValue) needs booleans")
                try need(b, [.boolean], "\(op.rawValue) needs booleans")
            case .subtract, .multiply, .divide, .modulo, .power:
                try need(a, [.integer, .float], "'\(op.rawValue)' needs numbers")
                try need(b, [.integer, .float], "'\(op.rawValue)' needs numbers")
            case .in: try need(b, [.list], "IN needs a list on its right")
            case .startsWith, .endsWith, .contains:
                break
            default: break
            }
        case .property(let base, let key):
            // openCypher: a property of a path is a misuse of the pattern (SyntaxError); of a number, string,
            // boolean or list, a value of the wrong type (TypeError).
            let onValue = staticType(base, scope).map { [.boolean, .integer, .float, .string, .list].contains($0) } ?? false
            try need(base, [.node, .relationship, .map], "cannot read property '\(key)'",
                onValue ? .type(.invalidArgumentType) : .syntax(.invalidArgumentType))
        case .function(let name, _, let args):
            guard let arg = args.first else { return }
            switch name.text.lowercased() {
            case "type", "startnode", "endnode": try need(arg, [.relationship], "\(name.text)() needs a relation")
            case "labels": try need(arg, [.node], "labels() needs a node")
            case "length": try need(arg, [.path, .string, .list], "length() needs a path")
            case "size": try need(arg, [.list, .string, .map], "size() needs a list or a string")
            case "nodes", "relationships": try need(arg, [.path], "\(name.text)() needs a path")
            case "properties", "keys": try need(arg, [.node, .relationship, .map], "\(name.text)() needs a node, relation or map")
            default: break
            }
        default: break
        }
    }

    /// DELETE takes nodes, relations, paths (or lists of them); a class test or a number is a mistake.
    func checkDeleteTarget(_ e: Expression, _ scope: Scope) throws {
        if case .hasLabels = e.kind {
            throw CIQLError(.semantic, .syntax(.invalidDelete), "DELETE removes nodes and relations, not classes; use REMOVE n:Class", at: e.location)
        }
        if let t = staticType(e, scope), ![.node, .relationship, .path, .list].contains(t) {
            throw CIQLError(.semantic, .syntax(.invalidArgumentType), "type error: DELETE needs a node, relation or path, found \(t.article)", at: e.location)
        }
    }

    /// WHERE, CASE WHEN and the like need a boolean: a node, a number or a string there is a type error.
    func checkPredicate(_ e: Expression, _ scope: Scope) throws {
        if let t = staticType(e, scope), t != .boolean {
            throw CIQLError(.semantic, .syntax(.invalidArgumentType), "type error: a predicate must be a boolean, found \(t.article)", at: e.location)
        }
    }
}
