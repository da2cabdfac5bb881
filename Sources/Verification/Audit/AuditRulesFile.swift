import ConfigurationSchema
import Yams

/// Runs a rule's CIQL query (within the rule's time limit) and returns the ids of the violating CIs (the query's
/// first column: a node or an id).
///
/// Injected, so the audit does not depend on the query engine; the command line supplies it.
public typealias AuditQueryRunner = (AuditRuleDefinition) throws -> [String]

/// One user rule from a rules file.
public struct AuditRuleDefinition: Sendable, Hashable {
    public var name: String
    public var category: AuditCategory
    public var severity: Severity
    public var message: String
    /// The CIQL query; its first column holds the violating CIs.
    public var query: String
    /// The rule's own time limit in seconds (`timeout:`; 0 for none), else nil for the audit's default.
    public var timeout: Double?
    /// Where the rule starts in its file.
    public var file: String
    public var line: Int

    public init(name: String, category: AuditCategory, severity: Severity, message: String, query: String,
        file: String, line: Int, timeout: Double? = nil)
    {
        self.timeout = timeout
        self.name = name
        self.category = category
        self.severity = severity
        self.message = message
        self.query = query
        self.file = file
        self.line = line
    }
}

/// Reads a rules file: a YAML list of rules, each with `name`, `category`, `severity`, `message` and `query`, and
/// optionally `timeout` (seconds; 0 for none) overriding the audit's limit per rule.
///
/// ```yaml
/// - name: app-without-vendor
///   category: completeness        # completeness | correctness | compliance
///   severity: low
///   message: "application has no vendor"
///   query: "MATCH (a:Application) WHERE a.vendor IS NULL RETURN a"
///   timeout: 120                  # optional, seconds
/// ```
public enum AuditRulesFile {
    static let fields = ["name", "category", "severity", "message", "query"]
    static let optionalFields = ["timeout"]

    /// - Throws: `VerificationInputError` naming `file:line` and what is wrong.
    public static func parse(_ text: String, file: String) throws -> [AuditRuleDefinition] {
        func fail(_ message: String, _ node: Node?) -> VerificationInputError {
            VerificationInputError(
                file: file, line: node?.mark?.line, column: node?.mark?.column, message: message, kind: .auditRules)
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw VerificationInputError(file: file, line: nil, message: "the rules file is empty; it must be a "
                    + "list of rules with name, category, severity, message and query", kind: .auditRules)
            }
            root = node
        } catch let error as VerificationInputError {
            throw error
        } catch let YamlError.scanner(_, problem, mark, _) {
            throw VerificationInputError(file: file, line: mark.line, column: mark.column,
                message: "invalid YAML: \(problem)", kind: .auditRules)
        } catch let YamlError.parser(_, problem, mark, _) {
            throw VerificationInputError(file: file, line: mark.line, column: mark.column,
                message: "invalid YAML: \(problem)", kind: .auditRules)
        } catch {
            throw VerificationInputError(file: file, line: nil, message: "invalid YAML: \(error)", kind: .auditRules)
        }
        guard case .sequence(let items) = root else {
            throw fail("the rules file must be a list of rules ('- name: …')", root)
        }
        var rules: [AuditRuleDefinition] = []
        var seen: [String: Int] = [:]
        for item in items {
            guard case .mapping(let mapping) = item else {
                throw fail("a rule must be a mapping with name, category, severity, message and query", item)
            }
            var values: [String: (text: String, node: Node)] = [:]
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else { throw fail("rule keys must be strings", keyNode) }
                guard fields.contains(key) || optionalFields.contains(key) else {
                    let hint = closestSpelling(to: key, in: fields + optionalFields).map { " (did you mean '\($0)'?)" } ?? ""
                    throw fail("unknown key '\(key)' in a rule\(hint); a rule has \(fields.joined(separator: ", ")) "
                        + "and optionally timeout", keyNode)
                }
                guard case .scalar(let scalar) = valueNode else { throw fail("'\(key)' must be a string", valueNode) }
                values[key] = (scalar.string, valueNode)
            }
            for key in fields where values[key] == nil {
                throw fail("the rule is missing '\(key)'", item)
            }
            guard let name = values["name"], let category = values["category"], let severity = values["severity"],
                let message = values["message"], let query = values["query"]
            else { continue }
            let ruleName = name.text.trimmingSpaces
            guard !ruleName.isEmpty else { throw fail("'name' must not be empty", name.node) }
            if BuiltInRule.allCases.contains(where: { $0.rawValue == ruleName }) {
                throw fail("'\(ruleName)' is the name of a built-in rule; choose another name", name.node)
            }
            if let first = seen[ruleName] {
                throw fail("a second rule named '\(ruleName)' (the first is at line \(first))", name.node)
            }
            seen[ruleName] = name.node.mark?.line ?? 0
            guard let c = AuditCategory(rawValue: category.text) else {
                let hint = closestSpelling(to: category.text, in: AuditCategory.allCases.map(\.rawValue))
                    .map { " (did you mean '\($0)'?)" } ?? ""
                throw fail("unknown category '\(category.text)'\(hint); use completeness, correctness or compliance",
                    category.node)
            }
            guard let s = Severity(named: severity.text) else {
                let hint = closestSpelling(to: severity.text, in: Severity.allCases.map(\.rawValue))
                    .map { " (did you mean '\($0)'?)" } ?? ""
                throw fail("unknown severity '\(severity.text)'\(hint); use \(Severity.names)", severity.node)
            }
            guard !query.text.trimmingSpaces.isEmpty else { throw fail("'query' must not be empty", query.node) }
            var timeout: Double?
            if let given = values["timeout"] {
                guard let seconds = Double(given.text.trimmingSpaces), seconds >= 0, seconds.isFinite else {
                    throw fail("'timeout' must be a number of seconds, 0 or more (0 means no limit), not '\(given.text)'",
                        given.node)
                }
                timeout = seconds
            }
            rules.append(AuditRuleDefinition(name: ruleName, category: c, severity: s, message: message.text,
                query: query.text, file: file, line: item.mark?.line ?? 0, timeout: timeout))
        }
        return rules
    }
}

/// A user rule's query failed: which rule, where it is, and why.
public struct AuditRuleError: Error, Sendable, CustomStringConvertible {
    public var rule: AuditRuleDefinition
    public var message: String
    /// What the rule's query runner threw, when it threw (its code says, e.g., that the rule ran out of time).
    public var cause: (any Error)?

    public init(rule: AuditRuleDefinition, message: String, cause: (any Error)? = nil) {
        self.rule = rule
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(rule.file):\(rule.line): rule '\(rule.name)': \(message)" }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
