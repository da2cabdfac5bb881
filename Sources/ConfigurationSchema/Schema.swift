public import GraphStorage

/// A CMDB schema: classes with single inheritance, attributes, lifecycle, relation types and impact rules.
///
/// Built from the YAML schema file (see `Schema+YAML.swift`); `Schema.open` is the schemaless graph.
public struct Schema: Sendable {
    /// True for a schemaless database: any class or none, any relation type and property.
    public let isOpen: Bool
    public let version: Int
    public let statuses: [String]
    public let transitions: [String: [String]]
    /// Classes in the order the file declares them.
    public let classes: [ClassDefinition]
    public let relations: [RelationDefinition]
    /// The YAML text the schema was read from (empty for the open schema).
    public let sourceText: String

    private let classIndex: [String: Int]
    private let relationIndex: [String: Int]
    /// For each class, itself and its ancestors, nearest first.
    private let lineage: [String: [String]]
    /// For each class, every attribute it has (own and inherited), computed once: validation runs per write.
    private let resolvedAttributes: [String: [AttributeDefinition]]
    private let closedClasses: Set<String>

    public static let open = Schema(
        isOpen: true, version: 1, statuses: [], transitions: [:], classes: [], relations: [], sourceText: "")

    init(
        isOpen: Bool, version: Int, statuses: [String], transitions: [String: [String]],
        classes: [ClassDefinition], relations: [RelationDefinition], sourceText: String
    ) {
        self.isOpen = isOpen
        self.version = version
        self.statuses = statuses
        self.transitions = transitions
        self.classes = classes
        self.relations = relations
        self.sourceText = sourceText
        var ci: [String: Int] = [:]
        for (i, c) in classes.enumerated() { ci[c.name] = i }
        classIndex = ci
        var ri: [String: Int] = [:]
        for (i, r) in relations.enumerated() { ri[r.name] = i }
        relationIndex = ri
        var lin: [String: [String]] = [:]
        for c in classes {
            var chain = [c.name]
            var parent = c.parent
            while let p = parent, !chain.contains(p), let pi = ci[p] {
                chain.append(p)
                parent = classes[pi].parent
            }
            lin[c.name] = chain
        }
        lineage = lin
        var resolved: [String: [AttributeDefinition]] = [:]
        var closed = Set<String>()
        for c in classes {
            var seen = Set<String>()
            var list: [AttributeDefinition] = []
            for name in lin[c.name] ?? [] {
                guard let i = ci[name] else { continue }
                if classes[i].isClosed { closed.insert(c.name) }
                for a in classes[i].attributes where seen.insert(a.name).inserted { list.append(a) }
            }
            resolved[c.name] = list
        }
        resolvedAttributes = resolved
        closedClasses = closed
    }

    public func classDefinition(_ name: String) -> ClassDefinition? {
        classIndex[name].map { classes[$0] }
    }

    public func relationDefinition(_ name: String) -> RelationDefinition? {
        relationIndex[name].map { relations[$0] }
    }

    /// The class and its ancestors, nearest first; empty for an unknown class.
    public func ancestry(of name: String) -> [String] { lineage[name] ?? [] }

    /// Whether `name` is `ancestor` or one of its descendants.
    public func isClass(_ name: String, a ancestor: String) -> Bool {
        lineage[name]?.contains(ancestor) ?? false
    }

    /// `name` and every class below it.
    public func subclasses(of name: String) -> [String] {
        classes.filter { isClass($0.name, a: name) }.map(\.name)
    }

    /// Every attribute a class has, its own and inherited, the nearest declaration winning.
    public func attributes(of className: String) -> [AttributeDefinition] {
        resolvedAttributes[className] ?? []
    }

    public func attribute(_ attribute: String, of className: String) -> AttributeDefinition? {
        for name in ancestry(of: className) {
            if let a = classDefinition(name)?.attributes.first(where: { $0.name == attribute }) { return a }
        }
        return nil
    }

    /// Whether a class (or an ancestor) is closed to undeclared attributes.
    public func isClosed(_ className: String) -> Bool {
        closedClasses.contains(className)
    }

    /// Whether any class declares a unique attribute.
    public var hasUniqueAttributes: Bool {
        classes.contains { $0.attributes.contains(where: \.isUnique) }
    }

    /// The identification rules that apply to a class: its own, else the nearest ancestor's.
    public func identificationRules(of className: String) -> [[String]] {
        for name in ancestry(of: className) {
            if let rules = classDefinition(name)?.identify, !rules.isEmpty { return rules }
        }
        return []
    }

    /// The id naming pattern for a class: its own, else the nearest ancestor's.
    public func idPattern(of className: String) -> String? {
        for name in ancestry(of: className) {
            if let p = classDefinition(name)?.idPattern { return p }
        }
        return nil
    }

    /// Property keys that need an index: every attribute declared `indexed` or `unique` in any class.
    public var indexedPropertyKeys: [String] {
        Array(Set(classes.flatMap { $0.attributes.filter { $0.isIndexed || $0.isUnique }.map(\.name) })).sorted()
    }

    /// The status a new CI gets when its record names none.
    public var defaultStatus: String? {
        statuses.contains("live") ? "live" : statuses.first
    }
}

/// One class of the schema.
public struct ClassDefinition: Sendable {
    public var name: String
    public var parent: String?
    public var isAbstract = false
    public var isClosed = false
    public var idPattern: String?
    /// Ordered identifier sets: the first set whose attributes a discovered item has identifies it.
    public var identify: [[String]] = []
    public var expects: [ExpectedRelation] = []
    public var attributes: [AttributeDefinition] = []
}

/// A relation a class's CIs are expected to have; a CI without it is an orphan.
public struct ExpectedRelation: Sendable, Hashable {
    public var relation: String
    public var direction: Direction
}

/// The declared type of an attribute.
public enum AttributeType: String, Sendable, CaseIterable {
    case string, int, float, bool, datetime, date, localdatetime, list

    /// Whether the type holds dates or times, which files carry as ISO 8601 strings.
    public var isTemporal: Bool { self == .datetime || self == .date || self == .localdatetime }

    /// An example of the ISO 8601 form, for messages.
    public var example: String {
        switch self {
        case .date: "2027-01-31"
        case .localdatetime: "2026-11-22T02:00:00"
        default: "2026-11-22T02:00:00Z"
        }
    }

    /// The value in this temporal type: an ISO 8601 string read as CIQL's `datetime('…')`, `date('…')` and
    /// `localdatetime('…')` read it (a datetime keeps its nanoseconds and its offset or zone; without either it is
    /// UTC), a temporal value converted where no information is lost or invented. Nil when the value is not one:
    /// a date-time given for a date too, as a datetime value is (which day of it to keep would be a guess).
    public func temporalValue(_ value: PropertyValue) -> PropertyValue? {
        switch (self, value) {
        case (.datetime, .string(let s)):
            return ISO8601Parser.dateTime(s).map { PropertyValue.temporal($0) }
        case (.datetime, .temporal(let t)):
            switch t {
            case .dateTime: return value
            case .date(let d): return .datetime(micros: d &* 86_400_000_000)
            default: return nil
            }
        case (.date, .string(let s)):
            return ISO8601Parser.date(s).map { .temporal(.date(day: $0)) }
        case (.date, .temporal(let t)):
            if case .date = t { return value }
            return nil
        case (.localdatetime, .string(let s)):
            return ISO8601Parser.localDateTime(s).map { .temporal(.localDateTime(day: $0.day, nanos: $0.nanos)) }
        case (.localdatetime, .temporal(let t)):
            switch t {
            case .localDateTime: return value
            case .date(let d): return .temporal(.localDateTime(day: d, nanos: 0))
            default: return nil
            }
        default: return nil
        }
    }
}

/// One attribute of a class.
public struct AttributeDefinition: Sendable {
    public var name: String
    public var type: AttributeType
    public var isRequired = false
    public var isRecommended = false
    public var isIndexed = false
    public var isUnique = false
    public var isDiscoverable = false
    public var minimum: Double?
    public var maximum: Double?
    public var defaultValue: PropertyValue?
    /// Allowed values, when the attribute is an enumeration.
    public var allowedValues: [String]?
}

/// How impact travels across a relation type.
public enum ImpactDirection: String, Sendable {
    /// `from` depends on `to`: when `to` goes down, `from` is impacted.
    case forward
    /// `to` depends on `from` (a cluster on its members).
    case reverse
    case none
}

/// How several dependencies of one type combine.
public enum Redundancy: String, Sendable {
    /// Each dependency is needed.
    case none
    /// Any one dependency of the type is enough.
    case group
    /// A cluster needs `quorum` of its members.
    case quorum
}

/// One relation type of the schema.
public struct RelationDefinition: Sendable {
    public var name: String
    /// Allowed (from classes, to classes) pairs.
    public var connects: [(from: [String], to: [String])]
    public var impact: ImpactDirection = .forward
    public var redundancy: Redundancy = .none
}
