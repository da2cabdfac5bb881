public import GraphStorage

extension Schema {
    /// Properties every CI may carry, whatever its class declares.
    public static let reservedProperties: Set<String> = ["name", "status"]

    /// Checks a CI write against the schema and returns the properties as they are stored
    /// (ISO-8601 strings of `datetime` attributes become date-times, integers of `float` attributes floats).
    ///
    /// - Throws: `SchemaError` for an unknown or abstract class, an unknown status, a value of the wrong type or
    ///   out of range, a missing required attribute, or an undeclared attribute on a closed class.
    public func validatedNode(label: String?, properties: Properties) throws(SchemaError) -> Properties {
        if isOpen { return properties }
        guard let label else { throw SchemaError(.missingClass, "a CI needs a class") }
        guard let definition = classDefinition(label) else {
            throw SchemaError(.unknownClass, "unknown class '\(label)'\(suggestion(label, classes.map(\.name)))")
        }
        if definition.isAbstract {
            let concrete = subclasses(of: label).filter { classDefinition($0)?.isAbstract == false }
            throw SchemaError(.abstractClass, "class '\(label)' is abstract; use one of \(concrete.prefix(8).joined(separator: ", "))")
        }
        let declared = attributes(of: label)
        let closed = isClosed(label)
        var result = Properties()
        result.reserveCapacity(properties.count)
        for (key, value) in properties {
            // `reservedProperties`, without hashing the key (this runs for every value of every CI imported).
            if key == "name" || key == "status" {
                guard case .string(let s) = value else {
                    throw SchemaError(.invalidAttributeValue, "'\(key)' must be a string, not \(value.typeName)")
                }
                if key == "status", !statuses.isEmpty, !statuses.containsCodePoints(s) {
                    throw SchemaError(.unknownStatus, "unknown status '\(s)'\(suggestion(s, statuses)); the schema allows "
                        + statuses.joined(separator: ", "))
                }
                // A class may declare the reserved attribute (as a string) to restrict its values.
                if let attribute = declared.first(where: { $0.name == key }), attribute.type == .string {
                    result[key] = try attribute.checked(value, className: label)
                    continue
                }
                result[key] = value
                continue
            }
            // Lengths first: comparing two different strings is the slow path of `==`.
            let length = key.utf8.count
            // A CI's id is its own, not an attribute: stored as one, it would shadow it for `n.id` and MATCH (a
            // schemaless graph keeps openCypher's `{id: 5}`; it returned above). An attribute called `class` stays
            // allowed, as earlier builds stored it (`class: gold`).
            if length == 2 && key == "id" {
                throw SchemaError(.unknownAttribute, "'id' is the CI's own id and cannot be an attribute as well")
            }
            guard let attribute = declared.first(where: { $0.name.utf8.count == length && $0.name == key }) else {
                if closed {
                    throw SchemaError(.closedClass, "attribute '\(key)' is not declared by closed class '\(label)'"
                        + suggestion(key, declared.map(\.name)))
                }
                result[key] = value
                continue
            }
            result[key] = try attribute.checked(value, className: label)
        }
        for attribute in declared where attribute.isRequired && result[attribute.name] == nil {
            throw SchemaError(.requiredAttribute, "required attribute '\(attribute.name)' of class '\(label)' is missing")
        }
        return result
    }

    /// Checks that a relation of `type` may connect a CI of class `fromLabel` to one of class `toLabel`.
    public func validateRelation(type: String, fromLabel: String?, toLabel: String?) throws(SchemaError) {
        if isOpen { return }
        guard let definition = relationDefinition(type) else {
            throw SchemaError(.unknownRelationType, "unknown relation type '\(type)'\(suggestion(type, relations.map(\.name)))")
        }
        let from = fromLabel ?? ""
        let to = toLabel ?? ""
        for rule in definition.connects
        where rule.from.contains(where: { isClass(from, a: $0) }) && rule.to.contains(where: { isClass(to, a: $0) }) {
            return
        }
        let allowed = definition.connects.map { "\($0.from.joined(separator: "|")) → \($0.to.joined(separator: "|"))" }
        throw SchemaError(.relationNotAllowed, "relation \(type) may not connect \(from) to \(to); it connects "
            + allowed.joined(separator: "; "))
    }
}

extension AttributeDefinition {
    /// The value as stored, or an error saying what the attribute expects.
    func checked(_ value: PropertyValue, className: String) throws(SchemaError) -> PropertyValue {
        // Only an error needs the words (an import checks millions of values).
        var what: String { "attribute '\(name)' of class '\(className)'" }
        var stored: PropertyValue
        switch (type, value) {
        case (.string, .string), (.int, .int), (.float, .float), (.bool, .bool), (.list, .list):
            stored = value
        case (.float, .int(let i)):
            stored = .float(Double(i))
        case (let t, .string(let s)) where t.isTemporal:
            guard let v = t.temporalValue(value) else {
                throw SchemaError(.invalidAttributeValue, "\(what) must be an ISO-8601 \(t.rawValue) like \(t.example), not '\(s)'")
            }
            stored = v
        case (let t, .temporal) where t.isTemporal:
            guard let v = t.temporalValue(value) else {
                throw SchemaError(.invalidAttributeValue, "\(what) must be a \(t.rawValue), not \(value.typeName)")
            }
            stored = v
        default:
            throw SchemaError(.invalidAttributeValue, "\(what) must be \(type == .int ? "an" : "a") \(type.rawValue), not \(value.typeName)")
        }
        var number: Double?
        switch stored {
        case .int(let i): number = Double(i)
        case .float(let d): number = d
        default: number = nil
        }
        if let number, let minimum, number < minimum {
            throw SchemaError(.invalidAttributeValue, "\(what) must be at least \(format(minimum)), not \(format(number))")
        }
        if let number, let maximum, number > maximum {
            throw SchemaError(.invalidAttributeValue, "\(what) must be at most \(format(maximum)), not \(format(number))")
        }
        if let allowedValues {
            let listed = allowedValues.joined(separator: ", ")
            switch stored {
            case .string(let s) where !allowedValues.containsCodePoints(s):
                throw SchemaError(.invalidAttributeValue, "\(what) must be one of \(listed), not '\(s)'"
                    + suggestion(s, allowedValues))
            case .int(let i) where !allowedValues.contains(String(i)):
                throw SchemaError(.invalidAttributeValue, "\(what) must be one of \(listed), not \(i)")
            case .float(let d) where !allowedValues.contains(where: { Double($0) == d }):
                throw SchemaError(.invalidAttributeValue, "\(what) must be one of \(listed), not \(format(d))")
            case .list(let items):
                for (n, item) in items.enumerated() {
                    guard case .string(let s) = item else {
                        throw SchemaError(.invalidAttributeValue, "the elements of \(what) must be one of \(listed); "
                            + "element \(n + 1) is \(item.typeName == "int" ? "an" : "a") \(item.typeName)")
                    }
                    if !allowedValues.containsCodePoints(s) {
                        throw SchemaError(.invalidAttributeValue, "the elements of \(what) must be one of \(listed), "
                            + "not '\(s)'" + suggestion(s, allowedValues))
                    }
                }
            default: break
            }
        }
        return stored
    }

    private func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

extension [String] {
    /// Whether the list holds `s` code point for code point (not by Swift's canonical equivalence, which takes
    /// `'caf\u{e9}'` and `'cafe\u{301}'` as one string while the store keeps them apart).
    func containsCodePoints(_ s: String) -> Bool {
        contains { $0.hasSameCodePoints(as: s) }
    }
}
