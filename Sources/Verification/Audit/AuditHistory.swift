public import GraphStorage
import JSONLines

/// A stored audit run: what `cmdb audit history` lists.
public struct AuditRunSummary: Sendable, Hashable {
    public var run: Int
    public var at: Int64
    public var lastTransaction: UInt64
    public var scores: AuditScores
    public var violations: Int
    public var bySeverity: [Severity: Int]
    public var new: Int
    public var fixed: Int
}

/// Audit runs kept in the database, in two auxiliary collections:
///
/// ```
/// aux "audit-runs"        [run u64]  → the run's summary, JSON {"run","at","last_transaction","scores",…}
/// aux "audit-violations"  [run u64]  → the run's violation keys, "rule TAB ci TAB detail" lines, sorted
/// ```
///
/// Summaries are kept for every run (the trend); violation keys only for the latest run, which the next run is
/// compared with, so the database does not grow by a full violation list per night.
public enum AuditHistory {
    static let runs = "audit-runs"
    static let keys = "audit-violations"

    /// Every stored run, oldest first.
    public static func summaries(_ tx: GraphTransaction) throws -> [AuditRunSummary] {
        try tx.auxEntries(runs).compactMap { decode($0.value) }
    }

    /// The latest stored run.
    public static func latest(_ tx: GraphTransaction) throws -> AuditRunSummary? {
        try summaries(tx).last
    }

    /// Numbers the run after the latest stored one and compares it with that run (new and fixed violations).
    public static func compare(_ result: inout AuditResult, with tx: GraphTransaction) throws {
        let previous = try latest(tx)
        result.run = (previous?.run ?? 0) + 1
        guard let previous else {
            result.new = result.violations
            return
        }
        result.previousRun = previous.run
        var before: [ViolationKey] = []
        if let bytes = try tx.auxValue(keys, key: runKey(previous.run)) {
            let text = String(decoding: bytes, as: UTF8.self)
            before = text.split(separator: "\n").compactMap { ViolationKey(encoded: $0) }
        }
        let beforeSet = Set(before)
        let nowSet = Set(result.violations.map(\.key))
        result.new = result.violations.filter { !beforeSet.contains($0.key) }
        result.fixed = before.filter { !nowSet.contains($0) }.sorted()
    }

    /// Stores the run (in a write transaction) and drops the violation keys of the runs before it.
    public static func store(_ result: AuditResult, in tx: GraphTransaction) throws {
        for (key, _) in try tx.auxEntries(keys) { try tx.setAuxValue(keys, key: key, value: nil) }
        var text: [UInt8] = []
        for key in result.violations.map(\.key).sorted() {
            text.append(contentsOf: key.encoded.utf8)
            text.append(0x0A)
        }
        try tx.setAuxValue(keys, key: runKey(result.run), value: text)
        try tx.setAuxValue(runs, key: runKey(result.run), value: encode(result))
    }

    private static func runKey(_ run: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(run).bigEndian) { Array($0) }
    }

    static func encode(_ r: AuditResult) -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.writeRaw("{\"run\":")
        w.writeInt(Int64(r.run))
        w.writeRaw(",\"at\":")
        w.writeInt(r.at)
        w.writeRaw(",\"last_transaction\":")
        w.writeInt(Int64(r.lastTransaction))
        w.writeRaw(",\"scores\":{")
        for (i, c) in AuditCategory.allCases.enumerated() {
            if i > 0 { w.writeRaw(",") }
            w.writeString(c.rawValue)
            w.writeRaw(":")
            w.writeDouble(r.scores[c])
        }
        w.writeRaw(",\"overall\":")
        w.writeDouble(r.scores.overall)
        w.writeRaw("},\"violations\":")
        w.writeInt(Int64(r.violations.count))
        w.writeRaw(",\"by_severity\":{")
        for (i, s) in Severity.allCases.enumerated() {
            if i > 0 { w.writeRaw(",") }
            w.writeString(s.rawValue)
            w.writeRaw(":")
            w.writeInt(Int64(r.violations.filter { $0.severity == s }.count))
        }
        w.writeRaw("},\"new\":")
        w.writeInt(Int64(r.new.count))
        w.writeRaw(",\"fixed\":")
        w.writeInt(Int64(r.fixed.count))
        w.writeRaw("}")
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) -> AuditRunSummary? {
        guard let value = try? bytes.withUnsafeBytes({ try JSONParser.parse($0) }), case .object(let o) = value,
            let run = o["run"]?.intValue, let at = o["at"]?.intValue, let last = o["last_transaction"]?.intValue,
            case .object(let s)? = o["scores"], let count = o["violations"]?.intValue
        else { return nil }
        func number(_ v: JSONValue?) -> Double {
            switch v {
            case .float(let d)?: d
            case .int(let i)?: Double(i)
            default: 0
            }
        }
        var bySeverity: [Severity: Int] = [:]
        if case .object(let b)? = o["by_severity"] {
            for s in Severity.allCases { bySeverity[s] = Int(b[s.rawValue]?.intValue ?? 0) }
        }
        let scores = AuditScores(completeness: number(s["completeness"]), correctness: number(s["correctness"]),
            compliance: number(s["compliance"]), overall: number(s["overall"]))
        return AuditRunSummary(run: Int(run), at: at, lastTransaction: UInt64(max(0, last)), scores: scores,
            violations: Int(count), bySeverity: bySeverity, new: Int(o["new"]?.intValue ?? 0),
            fixed: Int(o["fixed"]?.intValue ?? 0))
    }
}
