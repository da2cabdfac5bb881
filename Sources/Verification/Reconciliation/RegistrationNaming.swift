import ConfigurationSchema
import GraphStorage

/// Chooses ids for the items `verify --apply` registers: discovery does not know the CMDB's ids.
///
/// The id is the item's hostname, else its name, else `<class>-<first identifying value>`, lowercased with every
/// character outside `[a-z0-9.-]` turned into `-`; when the class's `id_pattern` refuses that, the class-based
/// form is tried; a taken id gets `-2`, `-3`, ….
struct RegistrationNaming {
    let schema: Schema
    private var patterns: [String: IDPattern?] = [:]
    /// Ids handed out in this transaction.
    private var taken = Set<String>()

    init(schema: Schema) { self.schema = schema }

    mutating func id(for item: DiscoveredItem, _ tx: GraphTransaction) throws -> String {
        var bases: [String] = []
        for key in ["hostname", "name"] {
            if case .string(let s)? = item.properties[key] { bases.append(Self.sanitized(s)) }
        }
        let rules = schema.identificationRules(of: item.label)
        let identifying = rules.first(where: { $0.allSatisfy { item.properties[$0] != nil } })?.first
            .flatMap { item.properties[$0] }
        let classBase = Self.sanitized(item.label + "-" + (identifying.map(Self.text) ?? "discovered"))
        bases.append(classBase)
        let pattern = self.pattern(for: item.label)
        let base = bases.first { !$0.isEmpty && (pattern?.matches($0) ?? true) } ?? classBase
        var candidate = base
        var n = 2
        // Ids of deleted CIs stay reserved: the store never reuses them.
        while try taken.contains(candidate) || tx.nodeID(forExternalID: candidate) != nil {
            candidate = "\(base)-\(n)"
            n += 1
        }
        taken.insert(candidate)
        return candidate
    }

    private mutating func pattern(for label: String) -> IDPattern? {
        if let known = patterns[label] { return known }
        let compiled = schema.idPattern(of: label).flatMap { IDPattern($0) }
        patterns[label] = compiled
        return compiled
    }

    static func text(_ value: PropertyValue) -> String {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .float(let d): String(d)
        case .bool(let b): b ? "true" : "false"
        case .temporal(let t): t.fileText
        case .duration(let d): d.description
        case .list: "list"
        }
    }

    static func sanitized(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-"
            out.unicodeScalars.append(ok ? scalar : "-")
        }
        while let first = out.first, first == "-" || first == "." { out.removeFirst() }
        return out
    }
}
