public import ConfigurationSchema
public import GraphStorage

/// The built-in audit rules (PRODUCT.md, "Verification and audit").
public enum BuiltInRule: String, Sendable, CaseIterable {
    case missingRecommended = "missing-recommended"
    case duplicate
    case orphan
    case stale
    case relationNotAllowed = "relation-not-allowed"
    case dependsOnRetired = "depends-on-retired"
    case illegalTransition = "illegal-transition"
    case noChangeReference = "no-change-reference"
    case idNaming = "id-naming"

    public var category: AuditCategory {
        switch self {
        case .missingRecommended: .completeness
        case .duplicate, .orphan, .stale, .relationNotAllowed, .dependsOnRetired: .correctness
        case .illegalTransition, .noChangeReference, .idNaming: .compliance
        }
    }

    public var severity: Severity {
        switch self {
        case .duplicate, .dependsOnRetired: .high
        case .orphan, .relationNotAllowed, .illegalTransition, .noChangeReference: .medium
        case .missingRecommended, .stale, .idNaming: .low
        }
    }
}

/// What an audit run is told: the clock, how old a verification may be, where the previous run stopped.
public struct AuditOptions: Sendable {
    /// Now, µs since the epoch (UTC).
    public var now: Int64
    /// A live CI of an identifiable class not verified for this many days is stale.
    public var staleDays: Int
    /// Changes after this transaction are checked for a change reference (the previous run's last one).
    public var sinceTransaction: UInt64
    /// At most this many CIs are listed per transaction without a change reference; the rest are counted.
    public var changeListLimit: Int

    public init(now: Int64, staleDays: Int = 30, sinceTransaction: UInt64 = 0, changeListLimit: Int = 1000) {
        self.now = now
        self.staleDays = staleDays
        self.sinceTransaction = sinceTransaction
        self.changeListLimit = changeListLimit
    }
}

/// Runs the built-in rules and the user's rules on one transaction (one consistent snapshot).
///
/// One pass over the nodes does completeness, orphans, staleness and naming and remembers each node's class and
/// status in arrays indexed by node id; one pass over the relations uses those; duplicates come from the attribute
/// index in order; status transitions from one pass over the history table; changes from the change log since the
/// previous run. Memory grows with the number of node ids (5 bytes each) and with the violations found.
public final class AuditEngine {
    let tx: GraphTransaction
    let schema: Schema
    let options: AuditOptions
    let rules: [AuditRuleDefinition]
    let queryRunner: AuditQueryRunner?

    var violations: [Violation] = []
    var counters: [BuiltInRule: (checked: Int, failing: Int)] = [:]

    /// Class of each node id, as an index into `labelNames` (-1: no node).
    var labelOf: [Int32] = []
    var labelNames: [String] = []
    private var labelIndex: [String: Int32] = [:]
    /// Status of each node id, as an index into `statusNames`.
    var statusOf: [UInt8] = []
    var statusNames: [String] = []
    private var statusIndex: [String: UInt8] = [:]

    public init(tx: GraphTransaction, schema: Schema, options: AuditOptions, rules: [AuditRuleDefinition] = [],
        queryRunner: AuditQueryRunner? = nil)
    {
        self.tx = tx
        self.schema = schema
        self.options = options
        self.rules = rules
        self.queryRunner = queryRunner
    }

    /// Runs every rule. The result's `run`, `previousRun`, `new` and `fixed` are filled in by `AuditHistory`.
    ///
    /// - Throws: `AuditRuleError` when a user rule's query fails, `StorageError` from the store.
    public func run() throws -> AuditResult {
        try scanNodes()
        try checkDuplicates()
        try checkRelations()
        try checkTransitions()
        try checkChangeReferences()
        var outcomes = BuiltInRule.allCases.map { rule in
            let c = counters[rule] ?? (0, 0)
            return RuleOutcome(rule: rule.rawValue, category: rule.category, severity: rule.severity,
                checked: c.checked, failing: c.failing)
        }
        outcomes += try runUserRules()
        violations.sort { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            return (a.rule, a.ci, a.detail) < (b.rule, b.ci, b.detail)
        }
        return AuditResult(run: 0, at: options.now, lastTransaction: try tx.lastCommittedTransaction,
            outcomes: outcomes, violations: violations, scores: AuditScores(outcomes: outcomes))
    }

    func add(_ rule: BuiltInRule, _ ci: String, _ message: String, detail: String = "") {
        violations.append(Violation(rule: rule.rawValue, category: rule.category, severity: rule.severity, ci: ci,
            message: message, detail: detail))
    }

    func count(_ rule: BuiltInRule, checked: Int = 1, failing: Int = 0) {
        let c = counters[rule] ?? (0, 0)
        counters[rule] = (c.checked + checked, c.failing + failing)
    }

    static let retired: Set<String> = ["withdrawn", "disposed"]

    func label(_ nid: NodeID) -> String? {
        guard nid < labelOf.count, labelOf[Int(nid)] >= 0 else { return nil }
        return labelNames[Int(labelOf[Int(nid)])]
    }

    func status(_ nid: NodeID) -> String? {
        guard nid < statusOf.count, labelOf[Int(nid)] != -1 else { return nil }
        return statusNames[Int(statusOf[Int(nid)])]
    }

    // MARK: - Nodes

    private struct ClassRules {
        var recommended: [String]
        var expects: [ExpectedRelation]
        var isIdentifiable: Bool
        var pattern: IDPattern?
    }

    private func scanNodes() throws {
        let limit = Int(try tx.nodeIDUpperBound)
        labelOf = [Int32](repeating: -1, count: limit)
        statusOf = [UInt8](repeating: 0, count: limit)
        var perClass: [String: ClassRules] = [:]
        let staleBefore = options.now - Int64(options.staleDays) * 86_400_000_000
        try tx.forEachNode { node in
            let nid = Int(node.nid)
            let labelName = node.label ?? ""
            if nid < limit {
                labelOf[nid] = internLabel(labelName)
                if case .string(let s)? = node.properties["status"] { statusOf[nid] = internStatus(s) }
                else { statusOf[nid] = internStatus("") }
            }
            guard let label = node.label, !schema.isOpen else { return true }
            let rules: ClassRules
            if let known = perClass[label] {
                rules = known
            } else {
                rules = classRules(label)
                perClass[label] = rules
            }
            let status = node.properties["status"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? ""
            let id = node.externalID
            if !rules.recommended.isEmpty {
                let missing = rules.recommended.filter { node.properties[$0] == nil }
                count(.missingRecommended, failing: missing.isEmpty ? 0 : 1)
                for attribute in missing {
                    add(.missingRecommended, id, "recommended attribute '\(attribute)' of \(label) is missing",
                        detail: attribute)
                }
            }
            if !rules.expects.isEmpty, !Self.retired.contains(status) {
                var failed = false
                for expected in rules.expects {
                    let found = try tx.neighbors(of: node.nid, direction: expected.direction,
                        types: [expected.relation])
                    if found.isEmpty {
                        failed = true
                        let arrow = expected.direction == .outgoing ? "outgoing" : "incoming"
                        add(.orphan, id, "\(label) without \(arrow) \(expected.relation) relation",
                            detail: expected.relation)
                    }
                }
                count(.orphan, failing: failed ? 1 : 0)
            }
            if rules.isIdentifiable, status == "live" {
                var verified = try tx.verificationStamp(of: node.nid)
                if let t = node.properties["last_verified_at"]?.datetimeMicros { verified = max(verified ?? t, t) }
                if let verified, verified >= staleBefore {
                    count(.stale)
                } else {
                    count(.stale, failing: 1)
                    let text = verified.map { "last verified \(ISODateTime.format($0)), more than "
                        + "\(options.staleDays) days ago" } ?? "never verified by discovery"
                    add(.stale, id, text)
                }
            }
            if let pattern = rules.pattern {
                let ok = pattern.matches(id)
                count(.idNaming, failing: ok ? 0 : 1)
                if !ok { add(.idNaming, id, "id does not match the naming pattern \(pattern.source) of \(label)") }
            }
            return true
        }
    }

    private func classRules(_ label: String) -> ClassRules {
        var expects: [ExpectedRelation] = []
        for name in schema.ancestry(of: label) {
            for e in schema.classDefinition(name)?.expects ?? [] where !expects.contains(e) { expects.append(e) }
        }
        return ClassRules(
            recommended: schema.attributes(of: label).filter(\.isRecommended).map(\.name),
            expects: expects,
            isIdentifiable: !schema.identificationRules(of: label).isEmpty,
            pattern: schema.idPattern(of: label).flatMap { IDPattern($0) })
    }

    private func internLabel(_ name: String) -> Int32 {
        if let i = labelIndex[name] { return i }
        let i = Int32(labelNames.count)
        labelNames.append(name)
        labelIndex[name] = i
        return i
    }

    private func internStatus(_ name: String) -> UInt8 {
        if let i = statusIndex[name] { return i }
        // More than 255 distinct statuses cannot pass a schema; a schemaless store shares the last slot.
        guard statusNames.count < 255 else { return 254 }
        let i = UInt8(statusNames.count)
        statusNames.append(name)
        statusIndex[name] = i
        return i
    }

    // MARK: - User rules

    private func runUserRules() throws -> [RuleOutcome] {
        guard !rules.isEmpty else { return [] }
        let total = try tx.nodeCount()
        var outcomes: [RuleOutcome] = []
        for rule in rules {
            guard let queryRunner else {
                throw AuditRuleError(rule: rule, message: "CIQL rules need a query runner")
            }
            let ids: [String]
            do {
                ids = try queryRunner(rule)
            } catch {
                throw AuditRuleError(rule: rule, message: "\(error)", cause: error)
            }
            // Each id once and in code point order (UTF-8 byte order), not by Swift's canonical equivalence:
            // 'caf\u{E9}' and 'cafe\u{301}' are two CIs, as in the id index.
            var seen = Set<[UInt8]>()
            let distinct = ids.filter { seen.insert(Array($0.utf8)).inserted }
                .sorted { $0.precedesByCodePoint($1) }
            // A rule reports CIs: ids of no CI mean the rule is wrong (a typo, a computed id), not that the CMDB is.
            // The id index keeps the ids of deleted CIs, so a found id must also be a live node.
            let phantoms = try distinct.filter { id in
                guard let nid = try tx.nodeID(forExternalID: id) else { return true }
                return try tx.externalID(of: nid) == nil
            }
            if !phantoms.isEmpty {
                let named = phantoms.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
                let more = phantoms.count > 5 ? " and \(phantoms.count - 5) more" : ""
                let verb = phantoms.count == 1 ? "is" : "are"
                throw AuditRuleError(rule: rule, message: "its query returned \(named)\(more), which \(verb) not the id of "
                    + "any CI; a rule must return the CIs it finds (nodes or their ids)")
            }
            for id in distinct {
                violations.append(Violation(rule: rule.name, category: rule.category, severity: rule.severity, ci: id,
                    message: rule.message))
            }
            outcomes.append(RuleOutcome(rule: rule.name, category: rule.category, severity: rule.severity,
                checked: max(total, distinct.count), failing: distinct.count))
        }
        return outcomes
    }
}
