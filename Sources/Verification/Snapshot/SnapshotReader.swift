public import ConfigurationSchema
public import GraphStorage
import JSONLines

/// Reads a discovery snapshot (JSON Lines: a `source` header, then `ci` and `rel` lines) one line at a time,
/// checking each against the schema.
///
/// Streams: only the current line is in memory. Every problem is a `VerificationInputError` naming `file:line`.
public final class SnapshotReader: DiscoverySnapshotReading {
    public let source: SnapshotSource
    private let reader: LineReader
    private let schema: Schema
    private let displayName: String
    /// The header's classes and all their subclasses.
    public let classSet: Set<String>

    /// Opens `path` and reads its header. `tx` is the transaction the snapshot is verified in (a scope attribute no
    /// class declares must be held by one of its CIs).
    ///
    /// - Throws: `VerificationInputError` when the file cannot be read or the header is missing or wrong
    ///   (unknown class, with the closest spelling; a class without identification rules).
    public init(path: String, displayName: String? = nil, schema: Schema, tx: GraphTransaction) throws {
        let name = displayName ?? path
        self.displayName = name
        self.schema = schema
        do {
            reader = try LineReader(path: path)
        } catch {
            throw VerificationInputError(file: name, line: nil, message: error.message)
        }
        var header: JSONObject?
        var headerLine = 0
        while header == nil {
            let parsed = try Self.nextObject(reader, file: name)
            guard let parsed else {
                throw VerificationInputError(file: name, line: nil,
                    message: "the snapshot is empty; it must start with a {\"kind\":\"source\",…} header line")
            }
            header = parsed.object
            headerLine = parsed.line
        }
        guard let header else { throw VerificationInputError(file: name, line: nil, message: "no header") }
        let parsedSource = try Self.readHeader(header, file: name, line: headerLine, schema: schema, tx: tx)
        source = parsedSource
        var set = Set<String>()
        for c in parsedSource.classes { set.formUnion(schema.subclasses(of: c)) }
        classSet = set
    }

    /// The next item or relation, or nil at the end of the file.
    public func next() throws -> SnapshotLine? {
        guard let (object, line) = try Self.nextObject(reader, file: displayName) else { return nil }
        let kind = object["kind"]?.stringValue
        switch kind {
        case "ci": return .item(try item(object, line: line))
        case "rel": return .relation(try relation(object, line: line))
        case "source":
            throw fail(line, "a second header line; a snapshot has one source (put other sources in their own files)")
        default:
            throw fail(line, kind == nil ? "missing \"kind\": use \"ci\" or \"rel\""
                : "unknown kind '\(kind ?? "")': use \"ci\" or \"rel\"")
        }
    }

    public func close() { reader.close() }

    private func fail(_ line: Int, _ message: String) -> VerificationInputError {
        VerificationInputError(file: displayName, line: line, message: message)
    }

    // MARK: - Lines

    /// The next non-blank line as a JSON object, with its line number.
    private static func nextObject(_ reader: LineReader, file: String) throws -> (object: JSONObject, line: Int)? {
        while true {
            typealias Parsed = Result<JSONValue, VerificationInputError>
            // nil: end of input; .some(nil): a blank line.
            let parsed: Parsed?? = try reader.nextLine { (bytes) -> Parsed? in
                var body = bytes
                if reader.lineNumber == 1, body.count >= 3, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF {
                    body = UnsafeRawBufferPointer(rebasing: body[3...])
                }
                if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
                do {
                    return .success(try JSONParser.parse(body))
                } catch let error as JSONSyntaxError {
                    return .failure(VerificationInputError(file: file, line: reader.lineNumber,
                        column: error.column(in: body), message: error.message))
                } catch {
                    return .failure(VerificationInputError(file: file, line: reader.lineNumber, message: "\(error)"))
                }
            }
            guard let parsed else { return nil }
            guard let result = parsed else { continue }
            let value = try result.get()
            guard case .object(let object) = value else {
                throw VerificationInputError(file: file, line: reader.lineNumber, message: "expected a JSON object")
            }
            return (object, reader.lineNumber)
        }
    }

    private static let headerFields: Set<String> = ["kind", "name", "classes", "scope", "taken_at"]
    private static let itemFields: Set<String> = ["kind", "class", "name", "status", "attrs"]
    private static let relationFields: Set<String> = ["kind", "type", "from", "to", "attrs"]

    private static func readHeader(
        _ object: JSONObject, file: String, line: Int, schema: Schema, tx: GraphTransaction
    ) throws -> SnapshotSource
    {
        func fail(_ message: String) -> VerificationInputError {
            VerificationInputError(file: file, line: line, message: message)
        }
        guard object["kind"]?.stringValue == "source" else {
            throw fail("the first line must be the snapshot header {\"kind\":\"source\",\"name\":…,\"classes\":[…]}")
        }
        try checkFields(object, headerFields, "the header") { fail($0) }
        guard let name = object["name"]?.stringValue, !name.isEmpty else {
            throw fail("the header needs a \"name\": the discovery source, e.g. \"vcenter-ams\"")
        }
        guard let list = object["classes"]?.arrayValue, !list.isEmpty else {
            throw fail("the header needs \"classes\": a non-empty list of the classes the source discovers")
        }
        var classes: [String] = []
        for entry in list {
            guard let c = entry.stringValue else { throw fail("\"classes\" must hold class names (strings)") }
            guard schema.classDefinition(c) != nil else {
                let hint = closestSpelling(to: c, in: schema.classes.map(\.name)).map { " (did you mean '\($0)'?)" }
                throw fail("unknown class '\(c)' in \"classes\"\(hint ?? "")")
            }
            let identifiable = schema.subclasses(of: c).contains { !schema.identificationRules(of: $0).isEmpty }
            guard identifiable else {
                throw fail("class '\(c)' has no identification rules ('identify' in the schema), so its items "
                    + "cannot be matched to CIs")
            }
            classes.append(c)
        }
        var classSet = Set<String>()
        for c in classes { classSet.formUnion(schema.subclasses(of: c)) }
        var scope = Properties()
        if let s = object["scope"], s != .null {
            guard case .object(let members) = s else { throw fail("\"scope\" must be an object of attribute values") }
            for (key, value) in members.members {
                if let problem = try SnapshotMetadataCheck.unknownScopeKey(key, classes: classSet, schema: schema, tx: tx) {
                    throw fail(problem.replacing("'\(key)'", with: "'\(key)' in \"scope\"", maxReplacements: 1))
                }
                guard let v = try? propertyValue(value) else {
                    throw fail("scope value '\(key)' must be a string, number, boolean or list")
                }
                scope[key] = v
            }
        }
        var takenAt: Int64?
        if let t = object["taken_at"], t != .null {
            guard let text = t.stringValue, let time = ISODateTime.parse(text) else {
                throw fail("\"taken_at\" must be an ISO-8601 date-time like 2026-11-22T02:00:00Z")
            }
            if let problem = SnapshotMetadataCheck.futureTakenAt(time, text: text) { throw fail(problem) }
            takenAt = time
        }
        return SnapshotSource(name: name, classes: classes, scope: scope, takenAt: takenAt, file: file)
    }

    private func item(_ object: JSONObject, line: Int) throws -> DiscoveredItem {
        if object["id"] != nil {
            throw fail(line, "a snapshot CI line has no \"id\": discovery does not know the CMDB's ids; "
                + "identify the item by its attributes")
        }
        try Self.checkFields(object, Self.itemFields, "a CI line") { fail(line, $0) }
        guard let label = object["class"]?.stringValue else { throw fail(line, "missing \"class\"") }
        guard schema.classDefinition(label) != nil else {
            throw fail(line, "unknown class '\(label)'"
                + (closestSpelling(to: label, in: classSet).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        guard classSet.contains(label) else {
            throw fail(line, "class '\(label)' is not among the header's classes (\(source.classes.joined(separator: ", ")))")
        }
        var properties = Properties()
        for key in ["name", "status"] {
            switch object[key] {
            case nil, .null?: break
            case .string(let s)?: properties[key] = .string(s)
            default: throw fail(line, "\"\(key)\" must be a string")
            }
        }
        if let attrs = object["attrs"], attrs != .null {
            guard case .object(let members) = attrs else { throw fail(line, "\"attrs\" must be an object") }
            for (key, value) in members.members {
                if key.isEmpty { throw fail(line, "an attribute name must not be empty") }
                let converted: PropertyValue?
                do { converted = try Self.propertyValue(value) } catch { throw fail(line, "attribute '\(key)': \(error.text)") }
                guard let converted else { continue }
                properties[key] = try typed(converted, key: key, label: label, line: line)
            }
        }
        let rules = schema.identificationRules(of: label)
        if !rules.contains(where: { set in set.allSatisfy { properties[$0] != nil } }) {
            let sets = rules.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: " or ")
            throw fail(line, "the \(label) has none of its identifying attribute sets (\(sets)), so it cannot be "
                + "matched")
        }
        return DiscoveredItem(line: line, label: label, properties: properties)
    }

    /// The value in the attribute's declared type (ISO-8601 strings of datetime attributes become date-times).
    private func typed(_ value: PropertyValue, key: String, label: String, line: Int) throws -> PropertyValue {
        guard let attribute = schema.attribute(key, of: label) else { return value }
        switch (attribute.type, value) {
        case (.string, .string), (.int, .int), (.float, .float), (.bool, .bool), (.list, .list):
            return value
        case (.float, .int(let i)):
            return .float(Double(i))
        case (let t, _) where t.isTemporal && (value.isString || value.isTemporal):
            // Discovered dates are compared as values: "2027-01-31" equals a stored date 2027-01-31.
            guard let v = t.temporalValue(value) else {
                throw fail(line, "attribute '\(key)' must be an ISO-8601 \(t.rawValue) like \(t.example)")
            }
            return v
        default:
            throw fail(line, "attribute '\(key)' of class '\(label)' must be \(attribute.type == .int ? "an" : "a") "
                + "\(attribute.type.rawValue), not \(value.typeName)")
        }
    }

    private func relation(_ object: JSONObject, line: Int) throws -> DiscoveredRelation {
        try Self.checkFields(object, Self.relationFields, "a relation line") { fail(line, $0) }
        guard let type = object["type"]?.stringValue, !type.isEmpty else { throw fail(line, "missing \"type\"") }
        if !schema.isOpen, schema.relationDefinition(type) == nil {
            throw fail(line, "unknown relation type '\(type)'"
                + (closestSpelling(to: type, in: schema.relations.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        let from = try end(object["from"], "from", line: line)
        let to = try end(object["to"], "to", line: line)
        var properties = Properties()
        if let attrs = object["attrs"], attrs != .null {
            guard case .object(let members) = attrs else { throw fail(line, "\"attrs\" must be an object") }
            for (key, value) in members.members {
                do {
                    if let v = try Self.propertyValue(value) { properties[key] = v }
                } catch { throw fail(line, "attribute '\(key)': \(error.text)") }
            }
        }
        return DiscoveredRelation(line: line, type: type, from: from, to: to, properties: properties)
    }

    private func end(_ value: JSONValue?, _ field: String, line: Int) throws -> DiscoveredEnd {
        guard case .object(let members)? = value, !members.isEmpty else {
            throw fail(line, "\"\(field)\" must name the CI by identifying attributes, e.g. {\"hostname\":\"web01\"}")
        }
        var end = DiscoveredEnd(attributes: Properties())
        for (key, v) in members.members {
            if key == "class" {
                guard let c = v.stringValue, classSet.contains(c) else {
                    throw fail(line, "\"\(field)\".class must be one of the header's classes or their subclasses")
                }
                end.label = c
                continue
            }
            let converted: PropertyValue?
            do { converted = try Self.propertyValue(v) } catch { throw fail(line, "\"\(field)\".\(key): \(error.text)") }
            guard let converted else { throw fail(line, "\"\(field)\".\(key) must not be null") }
            end.attributes[key] = converted
        }
        if end.attributes.isEmpty { throw fail(line, "\"\(field)\" names no attribute") }
        return end
    }

    private static func checkFields(
        _ object: JSONObject, _ allowed: Set<String>, _ what: String, _ fail: (String) -> VerificationInputError
    ) throws {
        for (key, _) in object.members where !allowed.contains(key) {
            throw fail("unknown field '\(key)' in \(what); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    struct ValueError: Error {
        var text: String
    }

    /// A JSON attribute value as stored; nil for null.
    static func propertyValue(_ value: JSONValue) throws(ValueError) -> PropertyValue? {
        switch value {
        case .null: return nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let items):
            var list: [PropertyValue] = []
            for item in items {
                guard let v = try propertyValue(item) else { throw ValueError(text: "lists cannot hold null") }
                list.append(v)
            }
            return .list(list)
        case .object:
            throw ValueError(text: "an object; attribute values are strings, numbers, booleans or lists")
        }
    }
}
