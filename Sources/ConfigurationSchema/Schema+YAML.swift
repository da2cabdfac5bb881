import GraphStorage
import LinearRegex
import Yams

extension Schema {
    /// Reads a schema file.
    ///
    /// - Parameter stored: the text is a schema a database holds, applied by an earlier version: an `id_pattern`
    ///   that version accepted (any pattern Swift's `Regex` compiles) is kept, unchecked by the naming rule, rather
    ///   than leaving the database unopenable.
    /// - Throws: `SchemaError` naming the line and what is wrong: unknown keys (with the closest known one),
    ///   wrong types, unknown parents or classes in relation rules, inheritance cycles.
    public static func parse(yaml text: String, stored: Bool = false) throws(SchemaError) -> Schema {
        var reader = SchemaReader()
        reader.acceptsEarlierPatterns = stored
        reader.readsStoredSchema = stored
        // The node tree only, read at every start of a process that opens a database: no constructor of Swift values
        // (`Constructor.default` builds its tables on first use), and no implicit typing of plain scalars
        // (`Resolver.default` compiles a dozen ICU regular expressions and matches every key against them: a third of
        // the CPU of `cmdb query 'RETURN 1'`). The reader takes every scalar as text and reads numbers and booleans
        // from it itself (`boolean(_:)` as Yams does), so the types are not needed, except in corners of YAML 1.1:
        // to Yams's duplicate-key check `on:` and `"on":` are one key untyped and two typed, and an anchored boolean
        // also used as a key is typed as text by the key compare. A file refused untyped is therefore read again
        // typed, as every version before this one read it, and that reading decides.
        let untyped: Schema
        do {
            untyped = try reader.read(try compose(text, .basic), text: text)
        } catch {
            var typed = reader
            typed.keepsEarlierParents = stored
            return try typed.read(try compose(text, .default), text: text)
        }
        return untyped
    }

    /// The node tree of `text`, with its YAML errors as schema errors.
    private static func compose(_ text: String, _ resolver: Resolver) throws(SchemaError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text, resolver, Constructor([:], [:], [:])) else {
                throw SchemaError(.invalidSchemaFile, "the schema file is empty")
            }
            return node
        } catch let error as SchemaError {
            throw error
        } catch let YamlError.scanner(_, problem, mark, _) {
            throw SchemaError(.invalidSchemaFile, "invalid YAML: \(problem)", line: mark.line, column: mark.column)
        } catch let YamlError.parser(_, problem, mark, _) {
            throw SchemaError(.invalidSchemaFile, "invalid YAML: \(problem)", line: mark.line, column: mark.column)
        } catch {
            throw SchemaError(.invalidSchemaFile, "invalid YAML: \(error)")
        }
    }
}

/// Walks the YAML tree of a schema file, checking every key.
struct SchemaReader {
    var acceptsEarlierPatterns = false
    /// The schema a database holds: rules this version refuses in a new file (see `RuleChecks.swift`) are not errors
    /// there; the ones that were never enforced are dropped, so the database behaves as it did.
    var readsStoredSchema = false
    /// A stored schema read typed: a `parent` that is no name reads as earlier versions read it (a mapping's YAML 1.1
    /// `=` value, else none) instead of being refused.
    var keepsEarlierParents = false
    /// The node of each class's `expects` items and `identify` sets, for the checks that need the whole schema.
    var expectsNodes: [String: [Node]] = [:]
    var identifyNodes: [String: [Node]] = [:]

    func fail(_ message: String, _ node: Node?) -> SchemaError {
        SchemaError(.invalidSchemaFile, message, line: node?.mark?.line, column: node?.mark?.column)
    }

    func mapping(_ node: Node, _ what: String) throws(SchemaError) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let m) = node else { throw fail("\(what) must be a mapping", node) }
        var result: [(key: String, keyNode: Node, value: Node)] = []
        for (k, v) in m {
            guard let key = k.string else { throw fail("keys in \(what) must be strings", k) }
            result.append((key, k, v))
        }
        return result
    }

    func checkKeys(_ entries: [(key: String, keyNode: Node, value: Node)], _ allowed: [String], _ what: String)
        throws(SchemaError)
    {
        for e in entries where !allowed.contains(e.key) {
            throw fail("unknown key '\(e.key)' in \(what)\(suggestion(e.key, allowed))", e.keyNode)
        }
    }

    func strings(_ node: Node, _ what: String) throws(SchemaError) -> [String] {
        if case .scalar = node, let s = node.string { return [s] }
        guard case .sequence(let seq) = node else { throw fail("\(what) must be a list", node) }
        var result: [String] = []
        for item in seq {
            guard case .scalar = item, let s = item.string else { throw fail("\(what) must list names", item) }
            result.append(s)
        }
        return result
    }

    func bool(_ node: Node, _ what: String) throws(SchemaError) -> Bool {
        guard let b = Self.boolean(node) else { throw fail("\(what) must be true or false", node) }
        return b
    }

    /// A scalar's boolean: YAML 1.1's words, unless the scalar is text (quoted, or tagged `!!str`), as Yams's
    /// `Bool.construct` reads it. (Its `Node.bool` would also take a plain scalar whose tag a key compare resolved
    /// as text; under `Resolver.basic` every resolved tag is text, and values are never compared.)
    static func boolean(_ node: Node) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.tag.description != Tag.Name.str.rawValue else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    func number(_ node: Node, _ what: String) throws(SchemaError) -> Double {
        guard let d = Self.real(node) else { throw fail("\(what) must be a number", node) }
        return d
    }

    /// A scalar's integer as Yams's `Node.int` reads it (a quoted scalar is none). A plain decimal (`1`, `-40`, no
    /// leading zero; `-0` Yams reads as a failed octal, so it goes there), which every YAML version reads alike, is
    /// read here: Yams's constructor costs its first caller generic metadata, and every process that opens a
    /// database reads the schema's `version`.
    static func integer(_ node: Node) -> Int? {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
            isPlainDecimal(scalar.string, withFraction: false), scalar.string != "-0", let v = Int(scalar.string) {
            return v
        }
        return node.int
    }

    /// A scalar's number as Yams's `Node.float` reads it; plain decimals (`0.5`, `-3`) read here, as `integer`.
    static func real(_ node: Node) -> Double? {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
            isPlainDecimal(scalar.string, withFraction: true), let v = Double(scalar.string) {
            return v
        }
        return node.float
    }

    /// `-?(0|[1-9][0-9]*)`, and with `withFraction` optionally `\.[0-9]+` after it.
    private static func isPlainDecimal(_ text: String, withFraction: Bool) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        let whole = bytes.prefix(while: isDigit)
        guard let first = whole.first, first != UInt8(ascii: "0") || whole.count == 1 else { return false }
        let rest = bytes.dropFirst(whole.count)
        guard let point = rest.first else { return true }
        guard withFraction, point == UInt8(ascii: ".") else { return false }
        let fraction = rest.dropFirst()
        return !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }

    mutating func read(_ root: Node, text: String) throws(SchemaError) -> Schema {
        let top = try mapping(root, "the schema")
        try checkKeys(top, ["version", "statuses", "transitions", "classes", "relations"], "the schema")
        var version = 1
        var statuses: [String] = []
        var transitions: [String: [String]] = [:]
        var classes: [ClassDefinition] = []
        var relations: [RelationDefinition] = []
        var classNodes: [String: Node] = [:]
        var relationNodes: [(RelationDefinition, Node)] = []
        for entry in top {
            switch entry.key {
            case "version":
                guard let v = Self.integer(entry.value) else { throw fail("'version' must be an integer", entry.value) }
                guard v == 1 else { throw fail("schema version \(v) is not supported (this cmdb reads version 1)", entry.value) }
                version = v
            case "statuses":
                statuses = try strings(entry.value, "'statuses'")
                try checkStatuses(statuses, entry.value)
            case "transitions":
                for t in try mapping(entry.value, "'transitions'") {
                    transitions[t.key] = try strings(t.value, "the transitions of '\(t.key)'")
                }
            case "classes":
                for c in try mapping(entry.value, "'classes'") {
                    if classNodes[c.key] != nil { throw fail("class '\(c.key)' is declared twice", c.keyNode) }
                    classes.append(try classDefinition(c.key, c.value))
                    classNodes[c.key] = c.keyNode
                }
            case "relations":
                for r in try mapping(entry.value, "'relations'") {
                    relationNodes.append((try relationDefinition(r.key, r.value), r.keyNode))
                }
            default: break
            }
        }
        for (status, targets) in transitions {
            for s in [status] + targets where !statuses.containsCodePoints(s) {
                throw fail("transition names unknown status '\(s)'\(suggestion(s, statuses))", nil)
            }
        }
        let names = Set(classes.map(\.name))
        for c in classes {
            if let p = c.parent, !names.contains(p) {
                throw fail("class '\(c.name)' has unknown parent '\(p)'\(suggestion(p, names))", classNodes[c.name])
            }
            var seen: Set<String> = [c.name]
            var parent = c.parent
            while let p = parent {
                if !seen.insert(p).inserted {
                    throw fail("class '\(c.name)' inherits from itself through '\(p)'", classNodes[c.name])
                }
                parent = classes.first { $0.name == p }?.parent
            }
        }
        for (r, node) in relationNodes {
            for rule in r.connects {
                for name in rule.from + rule.to where !names.contains(name) {
                    throw fail("relation '\(r.name)' names unknown class '\(name)'\(suggestion(name, names))", node)
                }
            }
            relations.append(r)
        }
        try checkExpectations(&classes, relationNames: Set(relations.map(\.name)))
        try checkIdentifiers(&classes)
        return Schema(
            isOpen: false, version: version, statuses: statuses, transitions: transitions, classes: classes,
            relations: relations, sourceText: text)
    }

    mutating func classDefinition(_ name: String, _ node: Node) throws(SchemaError) -> ClassDefinition {
        var c = ClassDefinition(name: name)
        let entries = try mapping(node, "class '\(name)'")
        try checkKeys(entries, ["parent", "abstract", "closed", "id_pattern", "identify", "expects", "attributes"],
            "class '\(name)'")
        for e in entries {
            switch e.key {
            case "parent":
                guard case .scalar = e.value, let parent = e.value.string else {
                    if keepsEarlierParents {
                        c.parent = e.value.string
                        continue
                    }
                    throw fail("'parent' must be the name of a class", e.value)
                }
                c.parent = parent
            case "abstract": c.isAbstract = try bool(e.value, "'abstract'")
            case "closed": c.isClosed = try bool(e.value, "'closed'")
            case "id_pattern":
                guard let p = e.value.string else { throw fail("'id_pattern' must be a string", e.value) }
                // An invalid pattern would make the naming rule silently check nothing.
                if IDPattern.spellsPOSIXClass(p), !acceptsEarlierPatterns {
                    throw fail(
                        "'id_pattern' '\(p)' spells a POSIX class ('[:'), which the Java syntax does not have: write the "
                            + "characters instead, e.g. [a-zA-Z] for [:alpha:], [0-9] for [:digit:]", e.value)
                }
                do {
                    _ = try LinearRegex(p)
                } catch {
                    if !(acceptsEarlierPatterns && (try? Regex(p)) != nil) {
                        throw fail("'id_pattern' '\(p)' is not a valid regular expression: \(error.message)", e.value)
                    }
                }
                c.idPattern = p
            case "identify":
                guard case .sequence(let sets) = e.value else {
                    throw fail("'identify' must be a list of attribute lists, like [[serial], [hostname]]", e.value)
                }
                for set in sets { c.identify.append(try strings(set, "an identifier set")) }
                identifyNodes[name] = Array(sets)
            case "expects":
                guard case .sequence(let items) = e.value else { throw fail("'expects' must be a list", e.value) }
                for item in items {
                    let fields = try mapping(item, "an expected relation")
                    try checkKeys(fields, ["relation", "direction"], "an expected relation")
                    guard let rel = fields.first(where: { $0.key == "relation" })?.value.string else {
                        throw fail("an expected relation needs 'relation'", item)
                    }
                    let dir = fields.first { $0.key == "direction" }?.value.string ?? "out"
                    guard dir == "out" || dir == "in" else { throw fail("'direction' must be 'out' or 'in'", item) }
                    c.expects.append(ExpectedRelation(relation: rel, direction: dir == "out" ? .outgoing : .incoming))
                    expectsNodes[name, default: []].append(item)
                }
            case "attributes":
                for a in try mapping(e.value, "the attributes of '\(name)'") {
                    c.attributes.append(try attributeDefinition(a.key, a.value, className: name))
                }
            default: break
            }
        }
        return c
    }

    func attributeDefinition(_ name: String, _ node: Node, className: String) throws(SchemaError)
        -> AttributeDefinition
    {
        let what = "attribute '\(name)' of '\(className)'"
        let entries = try mapping(node, what)
        try checkKeys(entries, ["type", "required", "recommended", "indexed", "unique", "discoverable", "min", "max",
            "default", "values"], what)
        guard let typeNode = entries.first(where: { $0.key == "type" })?.value else {
            throw fail("\(what) needs a 'type'", node)
        }
        guard let typeName = typeNode.string, let type = AttributeType(rawValue: typeName) else {
            let given = typeNode.string ?? ""
            throw fail("unknown type '\(given)' for \(what)\(suggestion(given, AttributeType.allCases.map(\.rawValue)))"
                + "; use string, int, float, bool, datetime, date, localdatetime or list", typeNode)
        }
        var a = AttributeDefinition(name: name, type: type)
        for e in entries {
            switch e.key {
            case "required": a.isRequired = try bool(e.value, "'required'")
            case "recommended": a.isRecommended = try bool(e.value, "'recommended'")
            case "indexed": a.isIndexed = try bool(e.value, "'indexed'")
            case "unique": a.isUnique = try bool(e.value, "'unique'")
            case "discoverable": a.isDiscoverable = try bool(e.value, "'discoverable'")
            case "min": a.minimum = try number(e.value, "'min'")
            case "max": a.maximum = try number(e.value, "'max'")
            case "values": a.allowedValues = try strings(e.value, "'values'")
            case "default":
                switch type {
                case .int: a.defaultValue = Self.integer(e.value).map { .int(Int64($0)) }
                case .float: a.defaultValue = Self.real(e.value).map { .float($0) }
                case .bool: a.defaultValue = Self.boolean(e.value).map { .bool($0) }
                case .string: a.defaultValue = e.value.string.map { .string($0) }
                case .datetime, .date, .localdatetime: a.defaultValue = e.value.string.flatMap { type.temporalValue(.string($0)) }
                case .list: a.defaultValue = nil
                }
                if a.defaultValue == nil { throw fail("the default of \(what) is not a \(type.rawValue)", e.value) }
            default: break
            }
        }
        try check(&a, entries, what: what, className: className)
        return a
    }

    func relationDefinition(_ name: String, _ node: Node) throws(SchemaError) -> RelationDefinition {
        var r = RelationDefinition(name: name, connects: [])
        let entries = try mapping(node, "relation '\(name)'")
        try checkKeys(entries, ["from", "to", "connects", "impact", "redundancy"], "relation '\(name)'")
        var from: [String]?
        var to: [String]?
        for e in entries {
            switch e.key {
            case "from": from = try strings(e.value, "'from'")
            case "to": to = try strings(e.value, "'to'")
            case "connects":
                guard case .sequence(let rules) = e.value else { throw fail("'connects' must be a list", e.value) }
                for rule in rules {
                    let fields = try mapping(rule, "a 'connects' rule")
                    try checkKeys(fields, ["from", "to"], "a 'connects' rule")
                    guard let f = fields.first(where: { $0.key == "from" }), let t = fields.first(where: { $0.key == "to" })
                    else { throw fail("a 'connects' rule needs 'from' and 'to'", rule) }
                    r.connects.append((try strings(f.value, "'from'"), try strings(t.value, "'to'")))
                }
            case "impact":
                guard let v = e.value.string, let i = ImpactDirection(rawValue: v) else {
                    throw fail("'impact' must be forward, reverse or none", e.value)
                }
                r.impact = i
            case "redundancy":
                guard let v = e.value.string, let red = Redundancy(rawValue: v) else {
                    throw fail("'redundancy' must be none, group or quorum", e.value)
                }
                r.redundancy = red
            default: break
            }
        }
        if from != nil || to != nil {
            guard let from, let to else { throw fail("relation '\(name)' needs both 'from' and 'to'", node) }
            r.connects.insert((from, to), at: 0)
        }
        if r.connects.isEmpty { throw fail("relation '\(name)' needs 'from' and 'to' (or 'connects')", node) }
        return r
    }
}
