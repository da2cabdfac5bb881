public import ConfigurationSchema
public import GraphStorage

/// One spreadsheet row as a CI: its id, class, properties (with name and status) and relations.
public struct MappedRow: Sendable {
    public var line: Int
    public var id: String
    public var label: String
    public var properties: Properties
    public var hasName: Bool
    public var hasStatus: Bool
    /// (type, from id, to id).
    public var relations: [(type: String, from: String, to: String)]
}

/// A problem with one cell (or the row as a whole, when `column` is nil).
public struct CellProblem: Error, Sendable, Equatable {
    public var column: String?
    public var message: String
}

/// Every problem in one row.
public struct RowProblems: Error, Sendable {
    public var problems: [CellProblem]
}

/// Applies a mapping to the rows of one spreadsheet, whose header row it has checked.
///
/// A class (not a struct) so that mapping a row does not copy its tables; one per reader thread.
public final class RowMapper {
    public let mapping: SpreadsheetMapping
    public let schema: Schema
    public let header: [String]
    public let decimalComma: Bool
    public let requiresID: Bool
    private var index: [String: Int] = [:]
    private var idPatterns: [String: IDPattern?] = [:]
    /// The header position of each attribute's column (nil for templates and defaults), in mapping order.
    private var attributeColumns: [Int?] = []
    /// Each attribute's type for a class: the mapping's, else the schema's, else string.
    private var attributeTypes: [String: [AttributeType]] = [:]

    /// Binds the mapping to a header row.
    ///
    /// - Throws: `SpreadsheetError` (line 1 of `file`) when a column the mapping reads is not in the header, with the
    ///   closest header name, or when the header repeats a column the mapping reads.
    /// - Parameter requiresID: false when the rows are discovery items (verify), which need no id.
    public init(
        mapping: SpreadsheetMapping, schema: Schema, header: [String], file: String, decimalComma: Bool,
        requiresID: Bool = true
    ) throws(SpreadsheetError) {
        self.requiresID = requiresID
        self.mapping = mapping
        self.schema = schema
        self.header = header
        self.decimalComma = decimalComma
        for (i, name) in header.enumerated() where index[CellValue.trimmedCell(name)] == nil {
            index[CellValue.trimmedCell(name)] = i
        }
        if mapping.isIdentity {
            guard index["id"] != nil, index["class"] != nil || schema.isOpen else {
                throw SpreadsheetError(file: file, line: 1, message: "without --map the header must have columns "
                    + "'id' and 'class' (and name, status, attributes), as 'cmdb export --format csv' writes them")
            }
        }
        for column in mapping.columns where index[column] == nil {
            let hint = closestSpelling(to: column, in: header).map { " (did you mean '\($0)'?)" } ?? ""
            throw SpreadsheetError(file: file, line: 1, columnName: column,
                message: "not in the header\(hint); \(mapping.file) reads it. The header has: "
                    + header.map { "'\($0)'" }.joined(separator: ", "))
        }
        for column in mapping.columns where header.filter({ CellValue.trimmedCell($0) == column }).count > 1 {
            throw SpreadsheetError(file: file, line: 1, columnName: column,
                message: "appears twice in the header; the mapping cannot tell which one to read")
        }
        attributeColumns = mapping.attributes.map { $0.rule.column.flatMap { index[$0] } }
    }

    private func types(for label: String) -> [AttributeType] {
        if let known = attributeTypes[label] { return known }
        let types = mapping.attributes.map { $0.rule.type ?? (schema.attribute($0.name, of: label)?.type ?? .string) }
        attributeTypes[label] = types
        return types
    }

    /// The row as a CI, or every problem in it.
    /// - Parameter quotedEmpty: the fields written quoted and empty or blank (`""`, `" "`): with the identity
    ///   mapping (export's format), that string, where an empty or blank field is absent.
    public func map(_ fields: [String], line: Int, quotedEmpty: [Int] = []) -> Result<MappedRow, RowProblems> {
        var problems: [CellProblem] = []
        if fields.count > header.count, fields[header.count...].contains(where: { !$0.isEmpty }) {
            problems.append(CellProblem(column: nil,
                message: "the row has \(fields.count) fields, the header \(header.count) (a delimiter inside an "
                    + "unquoted value?)"))
        }
        let skipEmpty = mapping.skipEmpty
        var label = ""
        func cell(at i: Int) -> String? {
            guard i < fields.count else { return nil }
            let text = FormulaGuard.unguarded(fields[i])
            if CellValue.isBlank(text) {
                if mapping.isIdentity, quotedEmpty.contains(i), blankIsText(text, at: i, label: label) { return text }
                return skipEmpty ? nil : text
            }
            return text
        }
        func cell(_ column: String) -> String? {
            guard let i = index[column] else { return nil }
            return cell(at: i)
        }
        // Class.
        switch mapping.classRule {
        case .fixed(let c): label = c
        case .column(let rule):
            switch text(rule, cell, what: "class") {
            case .success(let c?):
                label = c
                if !schema.isOpen {
                    if let definition = schema.classDefinition(c) {
                        if definition.isAbstract {
                            problems.append(CellProblem(column: rule.column, message: "class '\(c)' is abstract"))
                        }
                    } else {
                        let hint = closestSpelling(to: c, in: schema.classes.map(\.name)).map { " (did you mean '\($0)'?)" }
                        problems.append(CellProblem(column: rule.column, message: "unknown class '\(c)'\(hint ?? "")"))
                    }
                }
            case .success(nil):
                problems.append(CellProblem(column: rule.column, message: "is empty; the row needs a class"))
            case .failure(let p): problems.append(p)
            }
        }
        // Id.
        var id = ""
        switch requiresID ? fill(mapping.id, cell, cleaned: !mapping.isIdentity) : .success("") {
        case .success(let raw):
            id = mapping.isIdentity ? raw : Self.cleanedID(raw)
            if id.isEmpty && requiresID {
                problems.append(CellProblem(column: mapping.id.columns.first, message: "gives an empty id"))
            } else if requiresID, !mapping.isIdentity, problems.isEmpty, let pattern = idPattern(label),
                !pattern.matches(id)
            {
                problems.append(CellProblem(column: mapping.id.columns.first,
                    message: "id '\(id)' does not match the \(label) naming pattern \(pattern.source)"))
            }
        case .failure(let p): problems.append(p)
        }
        // Name, status, attributes.
        var properties = Properties()
        if let rule = mapping.name {
            switch text(rule, cell, what: "name") {
            case .success(let v?): properties["name"] = .string(v)
            case .success(nil): break
            case .failure(let p): problems.append(p)
            }
        }
        if let rule = mapping.status {
            switch text(rule, cell, what: "status") {
            case .success(let v?):
                if !schema.statuses.isEmpty, !schema.statuses.contains(v) {
                    let known = (rule.values ?? []).map { "'\($0.0)'" }
                    let hint = known.isEmpty ? "; the schema allows \(schema.statuses.joined(separator: ", "))"
                        : "; the mapping knows \(known.joined(separator: ", "))"
                    problems.append(CellProblem(column: rule.column, message: "unknown status '\(v)'\(hint)"))
                } else {
                    properties["status"] = .string(v)
                }
            case .success(nil): break
            case .failure(let p): problems.append(p)
            }
        }
        let types = types(for: label)
        for (k, (name, rule)) in mapping.attributes.enumerated() {
            let type = types[k]
            let result: Result<String?, CellProblem>
            if let i = attributeColumns[k], rule.values == nil {
                result = .success(cell(at: i) ?? rule.defaultValue)
            } else {
                result = text(rule, cell, what: name)
            }
            switch result {
            case .success(let v?):
                if let tag = rule.temporalTag {
                    let trimmed = CellValue.trimmedCell(v)
                    let value = tag == SpreadsheetMapping.durationSuffix
                        ? ISO8601Parser.duration(trimmed).map { PropertyValue.duration($0) }
                        : ISO8601Parser.temporal(tag, trimmed).map { PropertyValue.temporal($0) }
                    if let value { properties[name] = value } else {
                        problems.append(CellProblem(column: rule.columns.first,
                            message: "'\(v)' is not an ISO-8601 \(tag)"))
                    }
                    continue
                }
                do throws(CellValue.ConversionError) {
                    properties[name] = try CellValue.parse(v, as: type, format: rule.format, decimalComma: decimalComma)
                } catch {
                    problems.append(CellProblem(column: rule.columns.first, message: error.message))
                }
            case .success(nil): break
            case .failure(let p): problems.append(p)
            }
        }
        // Relations: a template with an empty cell leaves the relation out.
        var relations: [(String, String, String)] = []
        for rule in mapping.relations {
            let raw: String
            switch fill(rule.other, cell, cleaned: true) {
            case .success(let filled): raw = filled
            case .failure(let p):
                // An empty cell leaves the relation out; a cell with nothing an id can use is a bad cell (verify,
                // which needs no ids, does not compare the mapping's relations).
                if requiresID && p.message != Self.emptyPlaceholder { problems.append(p) }
                continue
            }
            let other = Self.cleanedID(raw)
            if other.isEmpty { continue }
            relations.append(rule.isOutgoing ? (rule.type, id, other) : (rule.type, other, id))
        }
        // The schema's own checks (ranges, allowed values, required attributes), named by column.
        if problems.isEmpty {
            do throws(SchemaError) {
                properties = try schema.validatedNode(label: label, properties: properties)
            } catch {
                problems.append(CellProblem(column: column(for: error.message), message: error.message))
            }
        }
        if !problems.isEmpty { return .failure(RowProblems(problems: problems)) }
        return .success(MappedRow(line: line, id: id, label: label, properties: properties,
            hasName: properties["name"] != nil, hasStatus: properties["status"] != nil, relations: relations))
    }

    /// Whether a quoted blank cell (`""`, `" "`) in column `i` is that string, as export writes one: only in a
    /// text column that may hold it (the name; the status where the schema lists none or it; a string attribute
    /// that is not an enumeration without it). Elsewhere it is absent, as an unquoted blank cell is: PowerShell's
    /// Export-Csv and Python's QUOTE_ALL quote every field, the blank ones too.
    private func blankIsText(_ text: String, at i: Int, label: String) -> Bool {
        if let k = attributeColumns.firstIndex(of: i) {
            let (name, rule) = mapping.attributes[k]
            guard rule.temporalTag == nil, types(for: label)[k] == .string else { return false }
            return schema.attribute(name, of: label)?.allowedValues.map { $0.contains(text) } ?? true
        }
        if i == index["name"] { return true }
        if i == index["status"] { return schema.statuses.isEmpty || schema.statuses.contains(text) }
        return false
    }

    /// The column a schema message is about: the one mapped to the attribute it quotes.
    private func column(for message: String) -> String? {
        for (name, rule) in mapping.attributes where message.contains("'\(name)'") { return rule.columns.first }
        if message.contains("status"), let c = mapping.status?.columns.first { return c }
        if message.contains("class"), case .column(let rule) = mapping.classRule { return rule.column }
        return nil
    }

    /// The rule's text for this row: the cell (through `values`, else the default) or the filled template.
    private func text(_ rule: FieldRule, _ cell: (String) -> String?, what: String) -> Result<String?, CellProblem> {
        var value: String?
        switch rule.source {
        case .column(let c):
            value = c.isEmpty ? nil : cell(c)
        case .template(let t):
            switch fill(t, cell) {
            case .success(let v): value = v
            case .failure:
                value = nil
            }
        }
        guard let raw = value else { return .success(rule.defaultValue) }
        guard let values = rule.values else { return .success(raw) }
        let key = CellValue.trimmedCell(raw)
        if let hit = values.first(where: { $0.0 == key }) ?? values.first(where: { $0.0.lowercased() == key.lowercased() }) {
            return .success(hit.1)
        }
        // A value that is already what the map produces passes (an export writes those back), as does a status or
        // class the map does not mention.
        if values.contains(where: { $0.1 == key }) { return .success(key) }
        if what == "status" && schema.statuses.contains(key) { return .success(key) }
        if what == "class" && schema.classDefinition(key) != nil { return .success(key) }
        if what == "class" || what == "status" {
            let known = values.map { "'\($0.0)'" }.joined(separator: ", ")
            return .failure(CellProblem(column: rule.column, message: "'\(raw)' is not one of \(known)"))
        }
        return .success(raw)
    }

    private static let emptyPlaceholder = "is empty; the id needs it"

    /// The template with this row's cells; a failure naming the first empty column. With `cleaned` (a template for
    /// an id), also a failure for a cell that cleans to nothing (no letter or digit, e.g. a Cyrillic serial): the
    /// id would be the template's literals alone, the same for every such row.
    private func fill(_ template: Template, _ cell: (String) -> String?, cleaned: Bool = false)
        -> Result<String, CellProblem>
    {
        var out = ""
        for part in template.parts {
            switch part {
            case .literal(let l): out += l
            case .column(let c):
                guard let v = cell(c) else {
                    return .failure(CellProblem(column: c, message: Self.emptyPlaceholder))
                }
                let text = CellValue.trimmedCell(v)
                if cleaned, !text.isEmpty, !Self.cleanedID(text).contains(where: { $0.isLetter || $0.isNumber }) {
                    return .failure(CellProblem(column: c,
                        message: "'\(text)' has no letter or digit for the id (a-z, 0-9 after cleaning); the id "
                            + "would not tell this row from others"))
                }
                out += text
            }
        }
        return .success(out)
    }

    private func idPattern(_ label: String) -> IDPattern? {
        if let known = idPatterns[label] { return known }
        let compiled = schema.idPattern(of: label).flatMap { IDPattern($0) }
        idPatterns[label] = compiled
        return compiled
    }

    /// Lower-cased, accents dropped, every run of characters outside `[a-z0-9.-]` one `-`, no `-` at the ends
    /// (`_` too: the id patterns of the built-in schema do not allow it, so `SN_123` is `sn-123` as `SN 123` is).
    public static func cleanedID(_ text: String) -> String {
        // Most ids are clean already: lower-case letters, digits, '.', single '-' inside.
        var previous: UInt8 = 0x2D
        var clean = true
        for b in text.utf8 {
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2E
                || (b == 0x2D && previous != 0x2D)
            if !ok { clean = false; break }
            previous = b
        }
        if clean && previous != 0x2D { return text }
        var out = ""
        var pendingDash = false
        for scalar in text.lowercased().unicodeScalars {
            let folded = Self.folded(scalar)
            for c in folded.unicodeScalars {
                let ok = ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "." || c == "-"
                if ok && c != "-" {
                    if pendingDash && !out.isEmpty { out += "-" }
                    pendingDash = false
                    out.unicodeScalars.append(c)
                } else {
                    pendingDash = true
                }
            }
        }
        return out
    }

    /// Latin letters with accents as their base letters (the characters Windows-1252 holds).
    private static func folded(_ s: Unicode.Scalar) -> String {
        switch s {
        case "à", "á", "â", "ã", "ä", "å": "a"
        case "æ": "ae"
        case "ç": "c"
        case "è", "é", "ê", "ë": "e"
        case "ì", "í", "î", "ï": "i"
        case "ñ": "n"
        case "ò", "ó", "ô", "õ", "ö", "ø": "o"
        case "œ": "oe"
        case "ù", "ú", "û", "ü": "u"
        case "ý", "ÿ": "y"
        case "ß": "ss"
        case "š": "s"
        case "ž": "z"
        case "'", "’": ""
        default: String(s)
        }
    }
}
