import GraphStorage
import Yams

/// Rules a new schema file may not declare because no write could satisfy them, nothing would check them, or they
/// contradict the CI model. A schema a database already holds (`readsStoredSchema`) is never refused for them: an
/// earlier version accepted it, and the database must keep opening. There the rules that were never enforced and
/// could not be (`min`/`max` on a non-number, `values` that are not values of the attribute's type, `expects` of an
/// unknown relation type, empty or unknown identifier sets) are dropped; `values` of an int, float or list attribute
/// that are values of its type are checked on writes from now on (existing CIs are not rechecked until `schema apply`).
extension SchemaReader {
    func checkStatuses(_ statuses: [String], _ node: Node) throws(SchemaError) {
        if readsStoredSchema { return }
        var seen = Set<String>()
        for (i, s) in statuses.enumerated() {
            let item: Node? = if case .sequence(let seq) = node, i < seq.count { Array(seq)[i] } else { node }
            if s.isEmpty { throw fail("'statuses' has an empty status", item) }
            if !seen.insert(s).inserted { throw fail("status '\(s)' is listed twice in 'statuses'", item) }
        }
    }

    /// Checks what an attribute declares against its type: `min`/`max` on numbers only and not crossed, `values` that
    /// are values of the type, a default that its own rules allow, the reserved `name` and `status` kept strings.
    func check(
        _ a: inout AttributeDefinition, _ entries: [(key: String, keyNode: Node, value: Node)], what: String,
        className: String
    ) throws(SchemaError) {
        func node(_ key: String) -> Node? { entries.first { $0.key == key }?.value }
        let stored = readsStoredSchema
        if Schema.reservedProperties.contains(a.name), a.type != .string, !stored {
            throw fail("'\(a.name)' is reserved: every CI's \(a.name) is a string, so \(what) cannot be declared "
                + "\(a.type == .int ? "an" : "a") \(a.type.rawValue)", node("type"))
        }
        let numeric = a.type == .int || a.type == .float
        if !numeric, a.minimum != nil || a.maximum != nil {
            let key = a.minimum != nil ? "min" : "max"
            if !stored {
                throw fail("'\(key)' of \(what) applies to int and float attributes only, not to a \(a.type.rawValue)",
                    node(key))
            }
            a.minimum = nil
            a.maximum = nil
        }
        if let lo = a.minimum, let hi = a.maximum, lo > hi, !stored {
            throw fail("\(what) has 'min' \(lo) above 'max' \(hi): no value could ever be written", node("min"))
        }
        if let values = a.allowedValues {
            switch a.type {
            case .string:
                if values.isEmpty, !stored { throw fail("'values' of \(what) is empty: no value could be written", node("values")) }
            case .int, .float, .list:
                if stored {
                    // Values of the type are checked from now on (this version applies schemas it stores this way);
                    // others could never be written, and the versions that stored them did not check them.
                    a.allowedValues = try? checkedValues(values, a.type, what, node("values"))
                } else {
                    a.allowedValues = try checkedValues(values, a.type, what, node("values"))
                }
            case .bool, .datetime, .date, .localdatetime:
                if !stored {
                    throw fail("'values' of \(what) applies to string, int, float and list attributes, not to a "
                        + a.type.rawValue, node("values"))
                }
                a.allowedValues = nil
            }
        }
        if let value = a.defaultValue, !stored {
            do {
                _ = try a.checked(value, className: className)
            } catch {
                throw fail("the default of \(what) breaks its own rules: \(error.message)", node("default"))
            }
        }
    }

    /// The allowed values of a number or list attribute: numbers of the type (integers written canonically), or
    /// for a list the strings its elements may be.
    private func checkedValues(_ values: [String], _ type: AttributeType, _ what: String, _ node: Node?)
        throws(SchemaError) -> [String]
    {
        if values.isEmpty { throw fail("'values' of \(what) is empty: no value could be written", node) }
        switch type {
        case .int:
            var result: [String] = []
            for v in values {
                guard let i = Int64(v) else { throw fail("'values' of \(what) lists '\(v)', which is not an int", node) }
                result.append(String(i))
            }
            return result
        case .float:
            for v in values where Double(v).map({ $0.isFinite }) != true {
                throw fail("'values' of \(what) lists '\(v)', which is not a number", node)
            }
            return values
        default:
            return values
        }
    }

    /// Every `expects` names a declared relation type (else every CI of the class would be an orphan).
    func checkExpectations(_ classes: inout [ClassDefinition], relationNames: Set<String>) throws(SchemaError) {
        for i in classes.indices {
            for (j, e) in classes[i].expects.enumerated() where !relationNames.contains(e.relation) {
                if readsStoredSchema { continue }
                let node = expectsNodes[classes[i].name].flatMap { j < $0.count ? $0[j] : nil }
                throw fail("class '\(classes[i].name)' expects relation type '\(e.relation)', which the schema does not "
                    + "declare\(suggestion(e.relation, relationNames))", node)
            }
            if readsStoredSchema { classes[i].expects.removeAll { !relationNames.contains($0.relation) } }
        }
    }

    /// Every identifier set is non-empty and names attributes a CI of the class can have: `name`, or one declared
    /// by the class, an ancestor or a descendant (a rule is inherited by the subclasses that declare the attribute).
    func checkIdentifiers(_ classes: inout [ClassDefinition]) throws(SchemaError) {
        let byName = Dictionary(classes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func ancestry(_ name: String) -> [String] {
            var chain = [name]
            var parent = byName[name]?.parent
            while let p = parent, !chain.contains(p) {
                chain.append(p)
                parent = byName[p]?.parent
            }
            return chain
        }
        for i in classes.indices where !classes[i].identify.isEmpty {
            let name = classes[i].name
            var known: Set<String> = Schema.reservedProperties
            for c in classes where ancestry(c.name).contains(name) || ancestry(name).contains(c.name) {
                for a in c.attributes { known.insert(a.name) }
            }
            for (j, set) in classes[i].identify.enumerated() {
                if readsStoredSchema { continue }
                let node = identifyNodes[name].flatMap { j < $0.count ? $0[j] : nil }
                if set.isEmpty { throw fail("class '\(name)' has an empty identifier set in 'identify'", node) }
                for attribute in set where !known.contains(attribute) {
                    throw fail("class '\(name)' identifies by '\(attribute)', which neither it, its ancestors nor its "
                        + "subclasses declare\(suggestion(attribute, known))", node)
                }
            }
            if readsStoredSchema {
                classes[i].identify.removeAll { $0.isEmpty || !$0.allSatisfy(known.contains) }
            }
        }
    }
}
