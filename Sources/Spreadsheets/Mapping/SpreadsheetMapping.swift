public import ConfigurationSchema

/// How the columns of a spreadsheet become CIs and relations: the mapping file.
///
/// ```yaml
/// class: Workstation                 # or {column: Type, values: {Laptop: Workstation}}
/// id: "ws-{Serienummer}"            # template over columns; lower-cased, cleaned to the class's id_pattern
/// name: "{Computernaam}"
/// status: {column: Status, values: {"In gebruik": live}, default: live}
/// attrs:
///   serial: Serienummer
///   memory_gb: {column: "Geheugen (GB)", type: int}
///   purchased: {column: Aanschafdatum, type: datetime, format: "dd-MM-yyyy"}
/// relations:
///   - {type: LOCATED_IN, to: "site-{Locatie}"}
/// skip_empty: true
/// ```
public struct SpreadsheetMapping: Sendable {
    /// The mapping file's name, for messages.
    public var file: String
    public var classRule: ClassRule
    public var id: Template
    public var name: FieldRule?
    public var status: FieldRule?
    /// Attribute name and where its value comes from, in the file's order.
    public var attributes: [(name: String, rule: FieldRule)]
    public var relations: [RelationRule]
    /// An empty cell means "absent" (true, the default) or the empty string.
    public var skipEmpty: Bool
    /// The mapping used without a mapping file: columns named after the fields (`id`, `class`, attributes).
    public var isIdentity = false

    /// Where the class comes from.
    public enum ClassRule: Sendable {
        case fixed(String)
        case column(FieldRule)
    }

    /// Where a relation goes: `to` the CI the template names (this row's CI is `from`), or `from` it.
    public struct RelationRule: Sendable {
        public var type: String
        public var other: Template
        /// True: this row's CI → the other CI; false: the other CI → this row's CI.
        public var isOutgoing: Bool
        /// Position in the mapping file.
        public var line: Int
    }

    /// Every class the mapping can produce.
    public var classes: [String] {
        switch classRule {
        case .fixed(let c): return [c]
        case .column(let rule):
            var seen: [String] = []
            for (_, v) in rule.values ?? [] where !seen.contains(v) { seen.append(v) }
            if let d = rule.defaultValue, !seen.contains(d) { seen.append(d) }
            return seen
        }
    }

    /// Every column the mapping reads, in the order of first use.
    public var columns: [String] {
        var result: [String] = []
        func add(_ c: String) { if !result.contains(c) { result.append(c) } }
        if case .column(let rule) = classRule { rule.columns.forEach(add) }
        id.columns.forEach(add)
        name?.columns.forEach(add)
        status?.columns.forEach(add)
        for (_, rule) in attributes { rule.columns.forEach(add) }
        for r in relations { r.other.columns.forEach(add) }
        return result
    }
}

/// A value from a column (typed, mapped through `values`, with a default) or from a template.
public struct FieldRule: Sendable {
    public enum Source: Sendable {
        case column(String)
        case template(Template)
    }

    public var source: Source
    /// The type the cell is read as; nil: the schema's type for the attribute, else string.
    public var type: AttributeType?
    /// For datetime, date and localdatetime cells: a pattern like `dd-MM-yyyy` (else ISO-8601).
    public var format: DateFormat?
    /// Cell text → stored value, in the file's order (export maps back with the first entry for a value).
    public var values: [(String, String)]?
    /// Used when the cell is empty.
    public var defaultValue: String?
    /// For the identity mapping's `name:time`, `name:localtime` and `name:duration` columns: the cell is read as
    /// that ISO 8601 value (types no schema attribute has).
    public var temporalTag: String?

    public init(source: Source, type: AttributeType? = nil, format: DateFormat? = nil,
        values: [(String, String)]? = nil, defaultValue: String? = nil)
    {
        self.source = source
        self.type = type
        self.format = format
        self.values = values
        self.defaultValue = defaultValue
    }

    public var columns: [String] {
        switch source {
        case .column(let c): [c]
        case .template(let t): t.columns
        }
    }

    /// The column name, for a rule that reads one column.
    public var column: String? {
        if case .column(let c) = source { return c }
        return nil
    }
}

/// Text with `{Column}` placeholders, e.g. `ws-{Serienummer}`; `{{` and `}}` are literal braces.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case column(String)
    }

    public var parts: [Part]

    public var columns: [String] {
        parts.compactMap { if case .column(let c) = $0 { c } else { nil } }
    }

    /// Parses a template; nil with a reason when a brace is not closed or a placeholder is empty.
    public static func parse(_ text: String) -> Result<Template, TemplateSyntaxError> {
        var parts: [Part] = []
        var literal = ""
        var chars = Array(text)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "{" {
                if chars.first == "{" {
                    literal.append("{")
                    chars = chars.dropFirst()
                    continue
                }
                guard let close = chars.firstIndex(of: "}") else {
                    return .failure(TemplateSyntaxError(message: "'{' without a closing '}'"))
                }
                let column = String(chars[chars.startIndex..<close])
                if column.isEmpty { return .failure(TemplateSyntaxError(message: "an empty '{}' placeholder")) }
                if column.contains("{") { return .failure(TemplateSyntaxError(message: "'{' inside a placeholder")) }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.column(column))
                chars = chars[(close + 1)...]
            } else if c == "}" {
                guard chars.first == "}" else {
                    return .failure(TemplateSyntaxError(message: "'}' without an opening '{' (write '}}' for a brace)"))
                }
                literal.append("}")
                chars = chars.dropFirst()
            } else {
                literal.append(c)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return .success(Template(parts: parts))
    }

    /// For export: the one column's value that gives `text`, when the template has a single placeholder and
    /// `text` has its literal prefix and suffix.
    public func invert(_ text: String) -> (column: String, value: String)? {
        guard columns.count == 1, let column = columns.first else { return nil }
        var prefix = "", suffix = ""
        var seen = false
        for p in parts {
            switch p {
            case .literal(let l): if seen { suffix += l } else { prefix += l }
            case .column: seen = true
            }
        }
        let lower = text
        guard lower.hasPrefix(prefix.lowercased()), lower.hasSuffix(suffix.lowercased()),
            lower.count >= prefix.count + suffix.count
        else { return nil }
        return (column, String(lower.dropFirst(prefix.count).dropLast(suffix.count)))
    }
}

public struct TemplateSyntaxError: Error, Sendable {
    public var message: String
}
