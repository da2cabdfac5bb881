package import GraphStorage
import JSONLines

/// One line of an import file, decoded (or one record of another source, e.g. a spreadsheet row).
package enum ImportRecord: Sendable {
    /// `isValidated`: the properties already passed the schema (done off the writer thread when possible).
    case configurationItem(id: String, label: String?, properties: Properties, hasName: Bool, hasStatus: Bool,
        isValidated: Bool)
    case relation(type: String, from: String, to: String, properties: Properties)

    /// A problem with one line; the importer adds the file and line.
    struct LineError: Error {
        var message: String
    }

    // Lists, not sets: a few short names compare faster than a key hashes (checked for every field of every line).
    private static let ciFields = ["kind", "id", "class", "name", "status", "attrs"]
    private static let relationFields = ["kind", "type", "from", "to", "attrs"]

    /// Decodes one line's JSON object; `requireClass` is false for schemaless databases.
    static func decode(_ value: JSONValue, requireClass: Bool) throws(LineError) -> ImportRecord {
        guard case .object(let object) = value else { throw LineError(message: "expected a JSON object") }
        guard case .string(let kind)? = object["kind"] else {
            throw LineError(message: "missing \"kind\": use \"ci\" or \"rel\"")
        }
        switch kind {
        case "ci":
            try checkFields(object, ciFields, "a CI")
            let id = try string(object, "id", required: true) ?? ""
            if id.isEmpty { throw LineError(message: "\"id\" must not be empty") }
            let label = try string(object, "class", required: requireClass)
            var properties = Properties()
            let name = try string(object, "name", required: false)
            let status = try string(object, "status", required: false)
            if let name { properties["name"] = .string(name) }
            if let status { properties["status"] = .string(status) }
            try addAttributes(object, to: &properties)
            return .configurationItem(
                id: id, label: label, properties: properties, hasName: properties["name"] != nil,
                hasStatus: properties["status"] != nil, isValidated: false)
        case "rel":
            try checkFields(object, relationFields, "a relation")
            let type = try string(object, "type", required: true) ?? ""
            let from = try string(object, "from", required: true) ?? ""
            let to = try string(object, "to", required: true) ?? ""
            if type.isEmpty { throw LineError(message: "\"type\" must not be empty") }
            var properties = Properties()
            try addAttributes(object, to: &properties)
            return .relation(type: type, from: from, to: to, properties: properties)
        default:
            throw LineError(message: "unknown kind '\(kind)': use \"ci\" or \"rel\"")
        }
    }

    private static func checkFields(_ object: JSONObject, _ allowed: [String], _ what: String) throws(LineError) {
        for (key, _) in object.members where !allowed.contains(where: { $0.utf8.count == key.utf8.count && $0 == key }) {
            throw LineError(message: "unknown field '\(key)' in \(what); allowed: "
                + allowed.sorted().joined(separator: ", "))
        }
    }

    private static func string(_ object: JSONObject, _ key: String, required: Bool) throws(LineError) -> String? {
        switch object[key] {
        case .string(let s)?: return s
        case nil, .null?:
            if required { throw LineError(message: "missing \"\(key)\"") }
            return nil
        case let other?:
            throw LineError(message: "\"\(key)\" must be a string, not \(typeName(other))")
        }
    }

    private static func addAttributes(_ object: JSONObject, to properties: inout Properties) throws(LineError) {
        guard let attrs = object["attrs"] else { return }
        if case .null = attrs { return }
        guard case .object(let members) = attrs else {
            throw LineError(message: "\"attrs\" must be an object, not \(typeName(attrs))")
        }
        for (key, value) in members.members {
            if key.isEmpty { throw LineError(message: "an attribute name must not be empty") }
            guard let converted = try propertyValue(value, key: key) else { continue }
            if let existing = properties[key] {
                if existing != converted {
                    throw LineError(message: "'\(key)' is given twice with different values (at the top and in attrs)")
                }
                continue
            }
            properties[key] = converted
        }
    }

    /// Converts a JSON attribute value; nil for JSON null (the attribute is absent).
    static func propertyValue(_ value: JSONValue, key: String) throws(LineError) -> PropertyValue? {
        switch value {
        case .null: return nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let items):
            var list: [PropertyValue] = []
            list.reserveCapacity(items.count)
            for item in items {
                guard let v = try propertyValue(item, key: key) else {
                    throw LineError(message: "attribute '\(key)': lists cannot hold null")
                }
                list.append(v)
            }
            return .list(list)
        case .object(let members):
            guard members.count == 1, let member = members.members.first, TemporalTypeTag.all.contains(member.key)
            else {
                throw LineError(message: "attribute '\(key)' is an object; attribute values are strings, numbers, "
                    + "booleans, lists, or a date, time or duration written as {\"date\": \"2027-01-31\"} "
                    + "(one of \(TemporalTypeTag.all.joined(separator: ", ")))")
            }
            let type = member.key
            guard case .string(let text) = member.value else {
                throw LineError(message: "attribute '\(key)': {\"\(type)\": …} takes an ISO 8601 string, not \(typeName(member.value))")
            }
            guard let value = typedValue(type, text) else {
                throw LineError(message: "attribute '\(key)': '\(text)' is not a valid \(type) in ISO 8601 form")
            }
            return value
        }
    }

    /// A date, time or duration as an import file writes it typed (`{"date": "2027-01-31"}`): the same value
    /// CIQL's `date('2027-01-31')` and the other constructors give.
    static func typedValue(_ type: String, _ text: String) -> PropertyValue? {
        if type == TemporalTypeTag.duration { return ISO8601Parser.duration(text).map { .duration($0) } }
        return ISO8601Parser.temporal(type, text).map { .temporal($0) }
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .float: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
