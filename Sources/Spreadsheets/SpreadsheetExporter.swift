public import CMDB
import ConfigurationSchema
import GraphStorage
public import JSONLines

/// Writes the CIs of one class as a spreadsheet: a header row, then a row per CI, so the file opens in Excel and
/// imports back unchanged.
///
/// Without a mapping the columns are `id`, `class`, `name`, `status`, the class's declared attributes, then the other
/// attributes its CIs have (`name:type` in the header when they are not text, so the import reads them back as they
/// were). With a mapping, its columns are filled in reverse: attributes through their types, formats and value maps,
/// template columns from the id and from the relations' other ends.
public struct SpreadsheetExporter {
    public let database: ConfigurationDatabase
    public let dialect: CSVDialect

    public init(database: ConfigurationDatabase, dialect: CSVDialect) {
        self.database = database
        self.dialect = dialect
    }

    /// Writes the CIs of `className` (and its subclasses, unless the mapping fixes one class) to `sink`.
    ///
    /// - Returns: how many CIs were written.
    /// - Throws: `SpreadsheetError` for an unknown class or one the mapping does not produce; storage and output
    ///   errors.
    @discardableResult
    public func export(className: String, mapping: SpreadsheetMapping?, to sink: OutputSink) throws -> Int {
        let schema = database.schema
        var labels: [String]
        if schema.isOpen {
            labels = [className]
        } else {
            guard schema.classDefinition(className) != nil else {
                let hint = closestSpelling(to: className, in: schema.classes.map(\.name)).map { " (did you mean '\($0)'?)" }
                throw SchemaError(.unknownClass, "unknown class '\(className)'\(hint ?? "")")
            }
            labels = schema.subclasses(of: className)
        }
        if let mapping, case .fixed(let fixed) = mapping.classRule {
            guard schema.isOpen || schema.isClass(fixed, a: className) || schema.isClass(className, a: fixed) else {
                throw SpreadsheetError(file: mapping.file, message: "the mapping is for class '\(fixed)', not "
                    + "'\(className)'", kind: .mapping)
            }
            // Rows come back as the mapping's class: only CIs of exactly that class round-trip.
            labels = [fixed]
        }
        var written = 0
        try database.store.read { tx in
            var writer = CSVWriter(dialect: dialect, byteOrderMark: true)
            if let mapping {
                let columns = mapping.columns
                try checkReadBack(labels, mapping: mapping, columns: columns, tx)
                writer.writeRecord(columns)
                try forEachNode(labels, tx) { node in
                    writer.writeRecord(try row(node, mapping: mapping, columns: columns, tx))
                    written += 1
                    if writer.bytes.count >= 1 << 16 { try sink.write(writer.bytes); writer.removeAll() }
                }
            } else {
                let attributes = try attributeColumns(labels, tx)
                writer.writeRecord(["id", "class", "name", "status"] + attributes.map(\.header))
                try forEachNode(labels, tx) { node in
                    var fields = [node.externalID, node.label ?? "", text(node.properties["name"], nil),
                        text(node.properties["status"], nil)]
                    // The empty string and strings of spaces go out quoted (`""`, `" "`), so that they read back
                    // distinct from an absent value.
                    var emptyStrings: [Int] = []
                    for (index, key) in [(2, "name"), (3, "status")] {
                        if case .string(let s)? = node.properties[key], CellValue.isBlank(s) { emptyStrings.append(index) }
                    }
                    for a in attributes {
                        if case .string(let s)? = node.properties[a.name], CellValue.isBlank(s) {
                            emptyStrings.append(fields.count)
                        }
                        fields.append(text(node.properties[a.name], nil))
                    }
                    writer.writeRecord(fields, quotingEmpty: emptyStrings)
                    written += 1
                    if writer.bytes.count >= 1 << 16 { try sink.write(writer.bytes); writer.removeAll() }
                }
            }
            try sink.write(writer.bytes)
        }
        try sink.flush()
        return written
    }

    private func forEachNode(_ labels: [String], _ tx: GraphTransaction, _ body: (StoredNode) throws -> Void) throws {
        for label in labels.sorted() {
            try tx.forEachNodeID(label: label) { nid in
                if let node = try tx.node(nid) { try body(node) }
                return true
            }
        }
    }

    private func text(_ value: PropertyValue?, _ format: DateFormat?) -> String {
        guard let value else { return "" }
        return CellValue.text(value, format: format, decimalComma: dialect.decimalComma)
    }

    /// A column of the export without a mapping: the attribute, and the type its header names (nil: none, the
    /// schema's declared type or text).
    struct AttributeColumn {
        var name: String
        var suffix: String?
        var isDeclared: Bool
        var header: String { suffix.map { "\(name):\($0)" } ?? name }
    }

    /// The declared attributes of the classes, then the others their CIs carry, with the header naming the type
    /// of those that are not text. A name that itself ends like a header type (`port:int`) always gets its type
    /// (`port:int:string`, `port:int:int`), so the import does not read its end as one. Refuses (one pass over the
    /// CIs, before anything is written) an undeclared attribute of mixed types and a declared column's value that
    /// would not read back as itself (`checkDeclared`).
    private func attributeColumns(_ labels: [String], _ tx: GraphTransaction) throws -> [AttributeColumn] {
        let schema = database.schema
        var declared: [AttributeColumn] = []
        for label in labels.sorted() {
            for a in schema.attributes(of: label) where !declared.contains(where: { $0.name == a.name }) {
                declared.append(AttributeColumn(
                    name: a.name, suffix: Self.endsLikeATypedHeader(a.name) ? a.type.rawValue : nil, isDeclared: true))
            }
        }
        // The column's type comes from the first CI that has the attribute; one column holds one type.
        var others: [String: (suffix: String?, id: String)] = [:]
        var unreadable = Unreadable()
        try forEachNode(labels, tx) { node in
            checkDeclared(node, declared, into: &unreadable)
            checkText(node, into: &unreadable)
            for (key, value) in node.properties
            where key != "name" && key != "status" && !declared.contains(where: { $0.name == key }) {
                let suffix = Self.typeSuffix(of: value)
                guard let first = others[key] else {
                    others[key] = (suffix, node.externalID)
                    continue
                }
                if first.suffix != suffix {
                    throw SpreadsheetError(file: "export --format csv",
                        message: "attribute '\(key)' is \(first.suffix ?? "string") on '\(first.id)' and "
                            + "\(suffix ?? "string") on '\(node.externalID)'; a CSV column has one type, so the "
                            + "export would not read back as it was. Nothing was exported; make the values one "
                            + "type, or export as JSON Lines (cmdb export)", kind: .unexportable)
                }
            }
        }
        let columns = declared + others.keys.sorted().map { key in
            let suffix = others[key]?.suffix ?? (Self.endsLikeATypedHeader(key) ? AttributeType.string.rawValue : nil)
            return AttributeColumn(name: key, suffix: suffix, isDeclared: false)
        }
        for column in columns {
            guard let c = dialect.encoding.firstUnencodable(column.name) else { continue }
            unreadable.note("attribute name '\(column.name)' has '\(c)', which \(dialect.encoding.rawValue) cannot hold",
                needsUTF8: true)
        }
        try unreadable.refuse()
        return columns
    }

    /// Whether the import would read the end of this attribute name as the column's type (`port:int`).
    static func endsLikeATypedHeader(_ name: String) -> Bool {
        guard let colon = name.lastIndex(of: ":") else { return false }
        return SpreadsheetMapping.isTypeSuffix(name[name.index(after: colon)...])
    }

    /// Values that would not read back as themselves: how many, and the first ten described.
    struct Unreadable {
        var count = 0
        var described: [String] = []
        /// Whether a value has a character the encoding cannot hold (the way out: UTF-8), and whether one is of a
        /// type its column does not read.
        var needsUTF8 = false
        var hasOtherType = false

        mutating func note(_ description: String, needsUTF8: Bool = false) {
            count += 1
            if needsUTF8 { self.needsUTF8 = true } else { hasOtherType = true }
            if described.count < 10 { described.append(description) }
        }

        func refuse(file: String = "export --format csv") throws {
            guard count > 0 else { return }
            let why = (hasOtherType ? ["a CSV column has one type"] : [])
                + (needsUTF8 ? ["export as utf-8, the default, which holds every character"] : [])
            throw SpreadsheetError(file: file,
                message: "\(count) value\(count == 1 ? "" : "s") would not read back as "
                    + "\(count == 1 ? "itself" : "themselves"): " + described.joined(separator: "; ")
                    + (count > described.count ? "; and \(count - described.count) more" : "")
                    + ". Nothing was exported (\(why.joined(separator: "; "))); or export as JSON Lines (cmdb export), "
                    + "which keeps every value",
                kind: .unexportable)
        }
    }

    /// Notes a name or status that is not text (its column is read as text, so `5` would come back as `"5"`), and,
    /// in an encoding that cannot hold every character (Windows-1252), an id, class or value with such a character
    /// (it would be written as `?`).
    private func checkText(_ node: StoredNode, into unreadable: inout Unreadable) {
        for key in ["name", "status"] {
            guard let value = node.properties[key], let type = Self.typeSuffix(of: value) else { continue }
            unreadable.note("'\(node.externalID)' holds \(key) as \(type) '\(Self.shown(value))' (the \(key) column "
                + "is text; make it text)")
        }
        let encoding = dialect.encoding
        guard encoding != .utf8 else { return }
        for (what, text) in [("id", node.externalID), ("class", node.label ?? "")] {
            guard let c = encoding.firstUnencodable(text) else { continue }
            unreadable.note("'\(node.externalID)' has '\(c)' in its \(what), which \(encoding.rawValue) cannot hold",
                needsUTF8: true)
        }
        for (key, value) in node.properties {
            guard let c = encoding.firstUnencodable(text(value, nil)) else { continue }
            let what = key == "name" || key == "status" ? key : "attribute '\(key)'"
            unreadable.note("'\(node.externalID)' has '\(c)' in \(what), which \(encoding.rawValue) cannot hold",
                needsUTF8: true)
        }
    }

    /// A value for a message, cut at 60 characters.
    static func shown(_ value: PropertyValue) -> String {
        let shown = CellValue.text(value, format: nil, decimalComma: false)
        return shown.count > 60 ? shown.prefix(60) + "…" : shown
    }

    /// Notes each attribute of `node` in a declared column whose value the import would not read back as itself:
    /// the column is read as the type the CI's class declares (text where its class does not declare it, e.g. a
    /// VirtualServer's `serial` in a Server export, which PhysicalServer declares), so the value would come back
    /// as another one, or not at all.
    private func checkDeclared(_ node: StoredNode, _ declared: [AttributeColumn], into unreadable: inout Unreadable) {
        let label = node.label ?? ""
        for column in declared {
            guard let value = node.properties[column.name] else { continue }
            let own = database.schema.attribute(column.name, of: label)?.type
            let type = column.suffix.flatMap(AttributeType.init(rawValue:)) ?? own ?? .string
            let back = try? CellValue.parse(text(value, nil), as: type, format: nil, decimalComma: dialect.decimalComma)
            if back == value { continue }
            let why = own == nil
                ? "\(label) does not declare it, so its column is text; export --class \(label) alone to type it"
                : "its column is read as \(type.rawValue), as \(label) declares it; correct the value"
            unreadable.note("'\(node.externalID)' holds attribute '\(column.name)' as "
                + "\(Self.typeSuffix(of: value) ?? "string") '\(Self.shown(value))' (\(why))")
        }
    }

    /// The `:type` the header gives a column of values like this one (nil for text), as the identity mapping reads
    /// it back: the schema's type names, and `time`, `localtime` and `duration`.
    static func typeSuffix(of value: PropertyValue) -> String? {
        switch value {
        case .string: nil
        case .int: AttributeType.int.rawValue
        case .float: AttributeType.float.rawValue
        case .bool: AttributeType.bool.rawValue
        case .temporal(let t): t.schemaTypeName
        case .duration: SpreadsheetMapping.durationSuffix
        case .list: AttributeType.list.rawValue
        }
    }

    // MARK: - With a mapping

    /// Refuses the export when a CI's row would be read back by the same mapping as another CI (its id is not one
    /// the mapping's `id` template produces, e.g. `pc-zz` with serial `Z1` under `ws-{Serienummer}`) or not at all:
    /// importing the export would add a second CI beside it, or fail, where it must change nothing.
    private func checkReadBack(_ labels: [String], mapping: SpreadsheetMapping, columns: [String],
        _ tx: GraphTransaction) throws
    {
        let mapper = try RowMapper(mapping: mapping, schema: database.schema, header: columns, file: mapping.file,
            decimalComma: dialect.decimalComma)
        var refused: [String] = []
        var count = 0
        // Characters the encoding cannot hold (Windows-1252 writes them as `?`), in the header or a cell.
        var unencodable = Unreadable()
        let encoding = dialect.encoding
        for column in columns {
            guard let c = encoding.firstUnencodable(column) else { continue }
            unencodable.note("column '\(column)' has '\(c)', which \(encoding.rawValue) cannot hold", needsUTF8: true)
        }
        try forEachNode(labels, tx) { node in
            let cells = try row(node, mapping: mapping, columns: columns, tx)
                .map { FormulaGuard.guarded($0, decimalComma: dialect.decimalComma) }
            let id = node.externalID
            for (column, cell) in zip(columns, cells) {
                guard let c = encoding.firstUnencodable(cell) else { continue }
                unencodable.note("'\(id)' has '\(c)' in column '\(column)', which \(encoding.rawValue) cannot hold",
                    needsUTF8: true)
            }
            let reason: String?
            switch mapper.map(cells, line: 0) {
            case .success(let back) where back.id != id:
                reason = "'\(id)' would be read back as '\(back.id)'"
            case .success(let back) where !back.label.isEmpty && back.label != node.label:
                reason = "'\(id)' would be read back as a \(back.label)"
            case .success: reason = nil
            case .failure(let problems):
                let first = problems.problems.first.map { ($0.column.map { "column '\($0)': " } ?? "") + $0.message }
                reason = "'\(id)' would not be read back (\(first ?? "a bad row"))"
            }
            guard let reason else { return }
            count += 1
            if refused.count < 10 { refused.append(reason) }
        }
        try unencodable.refuse(file: mapping.file)
        guard count > 0 else { return }
        throw SpreadsheetError(file: mapping.file, message: "\(count) CI\(count == 1 ? "" : "s") would not come back as "
            + "\(count == 1 ? "itself" : "themselves") through this mapping: \(refused.joined(separator: ", "))"
            + (count > refused.count ? " and \(count - refused.count) more" : "")
            + "; importing the export would add \(count == 1 ? "a new CI" : "new CIs") beside "
            + "\(count == 1 ? "it" : "them"). Nothing was exported; give \(count == 1 ? "it an id" : "them ids") "
            + "the mapping's 'id' produces, or export without --map",
            kind: .mapping)
    }

    private func row(_ node: StoredNode, mapping: SpreadsheetMapping, columns: [String], _ tx: GraphTransaction) throws
        -> [String]
    {
        var cells: [String: String] = [:]
        func put(_ column: String?, _ value: String) {
            guard let column, cells[column] == nil, !value.isEmpty else { return }
            cells[column] = value
        }
        func reversed(_ rule: FieldRule, _ value: String) -> String {
            rule.values?.first { $0.1 == value }?.0 ?? value
        }
        if case .column(let rule) = mapping.classRule, let label = node.label { put(rule.column, reversed(rule, label)) }
        for (key, rule) in [("name", mapping.name), ("status", mapping.status)] {
            guard let rule, case .string(let s)? = node.properties[key] else { continue }
            switch rule.source {
            case .column(let c): put(c, reversed(rule, s))
            case .template(let t): if let (c, v) = t.invert(s) { put(c, v) }
            }
        }
        for (name, rule) in mapping.attributes {
            guard let value = node.properties[name] else { continue }
            let written = text(value, rule.format)
            switch rule.source {
            case .column(let c): put(c, reversed(rule, written))
            case .template(let t): if case .string(let s) = value, let (c, v) = t.invert(s) { put(c, v) }
            }
        }
        if let (c, v) = mapping.id.invert(node.externalID) { put(c, v) }
        for rule in mapping.relations {
            let direction: Direction = rule.isOutgoing ? .outgoing : .incoming
            for (_, other) in try tx.neighbors(of: node.nid, direction: direction, types: [rule.type]) {
                guard let otherID = try tx.externalID(of: other), let (c, v) = rule.other.invert(otherID) else { continue }
                put(c, v)
                break
            }
        }
        return columns.map { cells[$0] ?? "" }
    }
}
