public import ConfigurationSchema
import Yams

extension SpreadsheetMapping {
    /// Reads a mapping file and checks it against the schema.
    ///
    /// - Throws: `SpreadsheetError` naming `file:line:column` and what is wrong: invalid YAML, unknown keys (with
    ///   the closest known one), unknown classes, statuses and relation types, types that contradict the schema,
    ///   bad templates and date formats.
    public static func parse(yaml text: String, file: String, schema: Schema) throws(SpreadsheetError)
        -> SpreadsheetMapping
    {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SpreadsheetError(file: file, message: "the mapping file is empty", kind: .mapping)
            }
            root = node
        } catch let error as SpreadsheetError {
            throw error
        } catch let YamlError.scanner(_, problem, mark, _) {
            throw SpreadsheetError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)",
                kind: .mapping)
        } catch let YamlError.parser(_, problem, mark, _) {
            throw SpreadsheetError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)",
                kind: .mapping)
        } catch {
            throw SpreadsheetError(file: file, message: "invalid YAML: \(error)", kind: .mapping)
        }
        return try MappingReader(file: file, schema: schema).read(root)
    }

    /// The `:type` of a header column holding durations.
    static let durationSuffix = "duration"
    /// The header types beyond the schema's attribute types: times and durations, read as ISO 8601.
    static let temporalSuffixes = ["time", "localtime", durationSuffix]

    /// Whether a header column `name:suffix` types its column: `suffix` is a schema type or a header-only type.
    /// An attribute whose own name ends in such a suffix (`port:int`) is exported with its type after it
    /// (`port:int:string`), as only the last `:suffix` is read as the type.
    static func isTypeSuffix(_ suffix: some StringProtocol) -> Bool {
        AttributeType(rawValue: String(suffix)) != nil || temporalSuffixes.contains(String(suffix))
    }

    /// The mapping `export` and `import` use when none is given: columns `id`, `class`, `name`, `status`, and every
    /// other column an attribute of that name (typed by the schema; `name:type` in the header for other types).
    public static func identity(header: [String], file: String) -> SpreadsheetMapping {
        var attributes: [(String, FieldRule)] = []
        for column in header where !["id", "class", "name", "status"].contains(column) && !column.isEmpty {
            // Export guards a name that starts like a formula (`+cmd`) as it guards cells.
            var name = FormulaGuard.unguarded(column)
            var type: AttributeType?
            var tag: String?
            if let colon = name.lastIndex(of: ":") {
                let suffix = String(name[name.index(after: colon)...])
                if let t = AttributeType(rawValue: suffix) {
                    type = t
                } else if Self.temporalSuffixes.contains(suffix) {
                    type = .string
                    tag = suffix
                }
                if type != nil { name = String(name[..<colon]) }
            }
            var rule = FieldRule(source: .column(column), type: type)
            rule.temporalTag = tag
            attributes.append((name, rule))
        }
        return SpreadsheetMapping(
            file: file,
            classRule: header.contains("class") ? .column(FieldRule(source: .column("class"))) : .fixed(""),
            id: Template(parts: [.column("id")]),
            name: header.contains("name") ? FieldRule(source: .column("name")) : nil,
            status: header.contains("status") ? FieldRule(source: .column("status")) : nil,
            attributes: attributes, relations: [], skipEmpty: true, isIdentity: true)
    }
}

/// Walks the YAML tree of a mapping file, checking every key.
private struct MappingReader {
    let file: String
    let schema: Schema

    typealias Entry = (key: String, keyNode: Node, value: Node)

    func fail(_ message: String, _ node: Node?) -> SpreadsheetError {
        SpreadsheetError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message, kind: .mapping)
    }

    func mapping(_ node: Node, _ what: String) throws(SpreadsheetError) -> [Entry] {
        guard case .mapping(let m) = node else { throw fail("\(what) must be a mapping", node) }
        var result: [Entry] = []
        for (k, v) in m {
            guard let key = k.string else { throw fail("keys in \(what) must be strings", k) }
            if result.contains(where: { $0.key == key }) { throw fail("'\(key)' is given twice in \(what)", k) }
            result.append((key, k, v))
        }
        return result
    }

    func checkKeys(_ entries: [Entry], _ allowed: [String], _ what: String) throws(SpreadsheetError) {
        for e in entries where !allowed.contains(e.key) {
            let hint = closestSpelling(to: e.key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw fail("unknown key '\(e.key)' in \(what)\(hint); allowed: \(allowed.joined(separator: ", "))", e.keyNode)
        }
    }

    func scalar(_ node: Node, _ what: String) throws(SpreadsheetError) -> String {
        guard case .scalar = node, let s = node.string else { throw fail("\(what) must be a text", node) }
        return s
    }

    func template(_ node: Node, _ what: String) throws(SpreadsheetError) -> Template {
        let text = try scalar(node, what)
        switch Template.parse(text) {
        case .success(let t):
            if t.columns.isEmpty {
                throw fail("\(what) '\(text)' names no column; write the column in braces, e.g. \"ws-{Serienummer}\"",
                    node)
            }
            return t
        case .failure(let e): throw fail("\(what) '\(text)': \(e.message)", node)
        }
    }

    func read(_ root: Node) throws(SpreadsheetError) -> SpreadsheetMapping {
        let top = try mapping(root, "the mapping")
        try checkKeys(top, ["class", "id", "name", "status", "attrs", "relations", "skip_empty"], "the mapping")
        func entry(_ key: String) -> Entry? { top.first { $0.key == key } }
        guard let classEntry = entry("class") else {
            throw fail("the mapping needs 'class': a class name, or {column: Type, values: {…}}", root)
        }
        guard let idEntry = entry("id") else {
            throw fail("the mapping needs 'id': a template over columns, e.g. \"ws-{Serienummer}\"", root)
        }
        let classRule = try readClass(classEntry.value)
        let classes: [String]
        switch classRule {
        case .fixed(let c): classes = [c]
        case .column(let rule): classes = Array(Set((rule.values ?? []).map(\.1) + [rule.defaultValue].compactMap { $0 }))
        }
        let id = try template(idEntry.value, "'id'")
        var name: FieldRule?
        if let e = entry("name") {
            if case .scalar = e.value {
                name = FieldRule(source: .template(try template(e.value, "'name'")))
            } else {
                name = try field(e.value, "'name'", attribute: nil, classes: classes)
            }
        }
        var status: FieldRule?
        if let e = entry("status") {
            status = try field(e.value, "'status'", attribute: nil, classes: classes)
            for (cell, value) in status?.values ?? [] where !schema.statuses.isEmpty && !schema.statuses.contains(value) {
                throw fail("'status' maps '\(cell)' to unknown status '\(value)'\(hint(value, schema.statuses)); "
                    + "the schema allows \(schema.statuses.joined(separator: ", "))", e.value)
            }
            if let d = status?.defaultValue, !schema.statuses.isEmpty, !schema.statuses.contains(d) {
                throw fail("'status' default '\(d)' is not a status\(hint(d, schema.statuses))", e.value)
            }
        }
        var attributes: [(String, FieldRule)] = []
        if let e = entry("attrs") {
            for a in try mapping(e.value, "'attrs'") {
                if a.key == "id" || a.key == "class" || a.key == "name" || a.key == "status" {
                    throw fail("'\(a.key)' is set at the top of the mapping, not under 'attrs'", a.keyNode)
                }
                attributes.append((a.key, try field(a.value, "attribute '\(a.key)'", attribute: a.key, classes: classes)))
            }
        }
        var relations: [SpreadsheetMapping.RelationRule] = []
        if let e = entry("relations") {
            guard case .sequence(let items) = e.value else {
                throw fail("'relations' must be a list of {type: TYPE, to: \"template\"} (or from:)", e.value)
            }
            for item in items { relations.append(try relation(item)) }
        }
        var skipEmpty = true
        if let e = entry("skip_empty") {
            guard let b = e.value.bool else { throw fail("'skip_empty' must be true or false", e.value) }
            skipEmpty = b
        }
        return SpreadsheetMapping(file: file, classRule: classRule, id: id, name: name, status: status,
            attributes: attributes, relations: relations, skipEmpty: skipEmpty, isIdentity: false)
    }

    func hint(_ word: String, _ candidates: some Sequence<String>) -> String {
        closestSpelling(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    func checkClass(_ name: String, _ node: Node) throws(SpreadsheetError) {
        if schema.isOpen { return }
        guard let definition = schema.classDefinition(name) else {
            throw fail("unknown class '\(name)'\(hint(name, schema.classes.map(\.name)))", node)
        }
        if definition.isAbstract { throw fail("class '\(name)' is abstract; map to one of its subclasses", node) }
    }

    func readClass(_ node: Node) throws(SpreadsheetError) -> SpreadsheetMapping.ClassRule {
        if case .scalar = node {
            let name = try scalar(node, "'class'")
            try checkClass(name, node)
            return .fixed(name)
        }
        let rule = try field(node, "'class'", attribute: nil, classes: [])
        guard rule.values != nil || rule.defaultValue != nil || rule.column != nil else {
            throw fail("'class' from a column needs 'column'", node)
        }
        let entries = try mapping(node, "'class'")
        let valuesNode = entries.first { $0.key == "values" }?.value ?? node
        for (_, value) in rule.values ?? [] { try checkClass(value, valuesNode) }
        if let d = rule.defaultValue { try checkClass(d, node) }
        return .column(rule)
    }

    /// `Column` or `{column, type, format, values, default}` (or `{template: "…"}`).
    func field(_ node: Node, _ what: String, attribute: String?, classes: [String]) throws(SpreadsheetError)
        -> FieldRule
    {
        if case .scalar = node {
            let column = try scalar(node, what)
            if column.isEmpty { throw fail("\(what) names an empty column", node) }
            return FieldRule(source: .column(column), type: declaredType(attribute, classes))
        }
        let entries = try mapping(node, what)
        try checkKeys(entries, ["column", "template", "type", "format", "values", "default"], what)
        var rule = FieldRule(source: .column(""))
        var hasSource = false
        var typeNode: Node?
        for e in entries {
            switch e.key {
            case "column":
                let c = try scalar(e.value, "'column'")
                if c.isEmpty { throw fail("\(what) names an empty column", e.value) }
                rule.source = .column(c)
                hasSource = true
            case "template":
                if hasSource { throw fail("\(what) has both 'column' and 'template'; give one", e.keyNode) }
                rule.source = .template(try template(e.value, "'template'"))
                hasSource = true
            case "type":
                let t = try scalar(e.value, "'type'")
                guard let type = AttributeType(rawValue: t) else {
                    let names = ["string", "int", "float", "bool", "datetime", "date", "localdatetime", "list"]
                    throw fail("unknown type '\(t)'\(hint(t, names)); use one of \(names.joined(separator: ", "))", e.value)
                }
                rule.type = type
                typeNode = e.value
            case "format":
                let f = try scalar(e.value, "'format'")
                guard let format = DateFormat(f) else {
                    throw fail("date format '\(f)' is not a pattern like dd-MM-yyyy or d-M-yyyy HH:mm (yyyy yy MM M "
                        + "dd d HH H mm ss)", e.value)
                }
                rule.format = format
            case "values":
                var values: [(String, String)] = []
                for v in try mapping(e.value, "'values'") {
                    values.append((v.key, try scalar(v.value, "the value for '\(v.key)'")))
                }
                rule.values = values
            case "default":
                rule.defaultValue = try scalar(e.value, "'default'")
            default: break
            }
        }
        if !hasSource && rule.defaultValue == nil {
            throw fail("\(what) needs 'column' (or 'template', or a 'default')", node)
        }
        let declared = declaredType(attribute, classes)
        if let attribute, let given = rule.type, let declared, given != declared, !(given == .int && declared == .float) {
            throw fail("attribute '\(attribute)' is declared \(declared.rawValue) in the schema, not \(given.rawValue)",
                typeNode)
        }
        if rule.type == nil { rule.type = declared }
        if rule.format != nil, ![.datetime, .date, .localdatetime].contains(rule.type ?? .string) {
            throw fail("\(what) has a 'format' but is not of type datetime, date or localdatetime", node)
        }
        if attribute == nil, rule.type != nil, rule.type != .string {
            throw fail("\(what) is text; it takes no 'type'", typeNode)
        }
        return rule
    }

    /// The attribute's type in the schema, from the first of the classes that declares it.
    func declaredType(_ attribute: String?, _ classes: [String]) -> AttributeType? {
        guard let attribute else { return nil }
        for c in classes.sorted() { if let a = schema.attribute(attribute, of: c) { return a.type } }
        return nil
    }

    func relation(_ node: Node) throws(SpreadsheetError) -> SpreadsheetMapping.RelationRule {
        let entries = try mapping(node, "a relation")
        try checkKeys(entries, ["type", "to", "from"], "a relation")
        guard let typeEntry = entries.first(where: { $0.key == "type" }) else {
            throw fail("a relation needs 'type', e.g. {type: LOCATED_IN, to: \"site-{Locatie}\"}", node)
        }
        let type = try scalar(typeEntry.value, "'type'")
        if !schema.isOpen, schema.relationDefinition(type) == nil {
            throw fail("unknown relation type '\(type)'\(hint(type, schema.relations.map(\.name)))", typeEntry.value)
        }
        let to = entries.first { $0.key == "to" }
        let from = entries.first { $0.key == "from" }
        switch (to, from) {
        case (let to?, nil):
            return .init(type: type, other: try template(to.value, "'to'"), isOutgoing: true, line: node.mark?.line ?? 0)
        case (nil, let from?):
            return .init(type: type, other: try template(from.value, "'from'"), isOutgoing: false,
                line: node.mark?.line ?? 0)
        default:
            throw fail("a relation needs exactly one of 'to' (this row's CI depends on it) and 'from'", node)
        }
    }
}
