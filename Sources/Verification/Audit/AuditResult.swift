import GraphStorage

/// One audit finding: a rule a CI breaks.
public struct Violation: Sendable, Hashable {
    public var rule: String
    public var category: AuditCategory
    public var severity: Severity
    /// The CI's id.
    public var ci: String
    public var message: String
    /// What tells two violations of one rule on one CI apart (an attribute, a relation), so that runs can be
    /// compared; empty when the rule fails a CI at most once.
    public var detail: String

    public init(rule: String, category: AuditCategory, severity: Severity, ci: String, message: String,
        detail: String = "")
    {
        self.rule = rule
        self.category = category
        self.severity = severity
        self.ci = ci
        self.message = message
        self.detail = detail
    }

    /// The identity of the violation across runs: rule, CI and detail.
    public var key: ViolationKey { ViolationKey(rule: rule, ci: ci, detail: detail) }
}

/// Rule, CI and detail of a violation: what `audit` compares between runs.
public struct ViolationKey: Sendable, Hashable, Comparable {
    public var rule: String
    public var ci: String
    public var detail: String

    public init(rule: String, ci: String, detail: String) {
        self.rule = rule
        self.ci = ci
        self.detail = detail
    }

    // By code point (UTF-8 bytes), not Swift's canonical equivalence: 'caf\u{E9}' and 'cafe\u{301}' are two CIs,
    // so a violation of one is not the other's between runs.
    public static func == (a: ViolationKey, b: ViolationKey) -> Bool {
        a.rule.hasSameCodePoints(as: b.rule) && a.ci.hasSameCodePoints(as: b.ci) && a.detail.hasSameCodePoints(as: b.detail)
    }

    public func hash(into hasher: inout Hasher) {
        for part in [rule, ci, detail] { part.hashCodePoints(into: &hasher) }
    }

    public static func < (a: ViolationKey, b: ViolationKey) -> Bool {
        for (x, y) in [(a.rule, b.rule), (a.ci, b.ci), (a.detail, b.detail)] where !x.hasSameCodePoints(as: y) {
            return x.precedesByCodePoint(y)
        }
        return false
    }

    /// `rule TAB ci TAB detail`, as stored with a run.
    var encoded: String { rule + "\t" + ci + "\t" + detail }

    init?(encoded line: Substring) {
        let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        self.init(rule: String(parts[0]), ci: String(parts[1]), detail: String(parts[2]))
    }
}

/// How one rule fared: how many items it checked and how many failed.
public struct RuleOutcome: Sendable, Hashable {
    public var rule: String
    public var category: AuditCategory
    public var severity: Severity
    /// CIs (or relations, or changes, as the rule counts) checked.
    public var checked: Int
    /// Of those, how many failed.
    public var failing: Int

    /// 100 × the share that passed; nil when the rule had nothing to check.
    public var score: Double? {
        guard checked > 0 else { return nil }
        return 100 * Double(checked - min(failing, checked)) / Double(checked)
    }
}

/// Data-quality scores, 0–100.
///
/// As in ServiceNow's CMDB Health: each rule scores the share of what it checked that passed; a category's score
/// is the mean of its rules' scores (rules that checked nothing are left out; a category without any scores 100);
/// the overall score is the mean of the three categories.
public struct AuditScores: Sendable, Hashable {
    public var completeness: Double
    public var correctness: Double
    public var compliance: Double
    public var overall: Double

    public init(completeness: Double, correctness: Double, compliance: Double, overall: Double) {
        self.completeness = completeness
        self.correctness = correctness
        self.compliance = compliance
        self.overall = overall
    }

    public init(outcomes: [RuleOutcome]) {
        func category(_ c: AuditCategory) -> Double {
            let scores = outcomes.filter { $0.category == c }.compactMap(\.score)
            return scores.isEmpty ? 100 : Self.rounded(scores.reduce(0, +) / Double(scores.count))
        }
        completeness = category(.completeness)
        correctness = category(.correctness)
        compliance = category(.compliance)
        overall = Self.rounded((completeness + correctness + compliance) / 3)
    }

    public subscript(category: AuditCategory) -> Double {
        switch category {
        case .completeness: completeness
        case .correctness: correctness
        case .compliance: compliance
        }
    }

    static func rounded(_ x: Double) -> Double { (x * 10).rounded() / 10 }
}

/// One audit run: what every rule found, the scores, and the comparison with the previous run.
public struct AuditResult: Sendable {
    /// The run's number (1 for the first run on a database).
    public var run: Int
    /// When it ran, µs since the epoch (UTC).
    public var at: Int64
    /// The last transaction the run saw.
    public var lastTransaction: UInt64
    public var outcomes: [RuleOutcome]
    /// Sorted by severity (highest first), rule, CI.
    public var violations: [Violation]
    public var scores: AuditScores
    /// The run compared with, if there was one.
    public var previousRun: Int?
    /// Violations not in the previous run.
    public var new: [Violation] = []
    /// Violations of the previous run that are gone.
    public var fixed: [ViolationKey] = []

    /// Whether there is a violation at or above `severity`.
    public func hasViolations(atOrAbove severity: Severity) -> Bool {
        violations.contains { $0.severity >= severity }
    }
}
