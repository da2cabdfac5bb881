/// How serious a finding is, lowest first: `info`, `low`, `medium`, `high`, `critical`.
public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    private var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }

    /// The severity named `text`, or nil.
    public init?(named text: String) { self.init(rawValue: text.lowercased()) }

    /// The names, lowest first, for help texts and error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The three data-quality categories of an audit, as in ServiceNow's CMDB Health.
public enum AuditCategory: String, Sendable, CaseIterable, Codable {
    case completeness, correctness, compliance
}
