import CIQL
import CIQLResults
import CIQLValues
import CMDB
import ConfigurationSchema
import GraphStorage
import TestSupport
import Testing

/// An index seek on a number gives exactly what a scan gives under CIQL's `=` (2 = 2.0, 0.0 = -0.0, NaN equals
/// nothing), though the property index files ints and floats apart; and number ranges order ints and floats
/// exactly, also past 2^53 where a float no longer holds every int.
@Suite struct IndexSeekNumberTests {
    /// `n` is indexed and holds ints on Gadgets, floats on Widgets.
    static let schema = """
        version: 1
        statuses: [live]
        classes:
          Gadget:
            attributes:
              n: {type: int, indexed: true}
          Widget:
            attributes:
              n: {type: float, indexed: true}
        """

    static let ints: [Int64] = [0, 1, 2, -3, 1 << 53, (1 << 53) + 1, (1 << 53) + 3, Int64.max, Int64.min, Int64.max - 1]
    static let floats: [Double] = [
        0.0, -0.0, 2.0, 2.5, -3.0, 9_007_199_254_740_992.0, 9_007_199_254_740_996.0, 9.223372036854775807e18,
        -9.223372036854775808e18, .infinity, -.infinity, 1e300, .nan,
    ]

    /// The values compared against the stored ones: every stored value as an int and as a float where it is one,
    /// and random neighbours.
    static func probes() -> [Value] {
        var probes: [Value] = ints.map { .int($0) } + floats.map { .float($0) }
        probes += ints.compactMap { Double(exactly: $0) }.map { .float($0) }
        probes += floats.compactMap { Int64(exactly: $0) }.map { .int($0) }
        var random = SplitMix64(seed: 53)
        for _ in 0..<40 {
            let base = ints[random.below(ints.count)]
            let near = base &+ Int64(random.below(5)) &- 2
            probes.append(.int(near))
            probes.append(.float(Double(near)))
        }
        return probes
    }

    #if arch(x86_64) || arch(i386)
    /// An oracle independent of CIQL's own comparison: every Int64 and Double is exact as a Float80.
    static func exact(_ v: Value) -> Float80? {
        switch v {
        case .int(let i): Float80(i)
        case .float(let d): d.isNaN ? nil : Float80(d)
        default: nil
        }
    }
    #endif

    @Test("seek on an indexed number = scan, for ints, floats, -0.0, NaN and values past 2^53")
    func seekEqualsScan() throws {
        let db = try FixtureDatabase(sample: false, schema: try Schema.parse(yaml: Self.schema))
        var stored: [(id: String, value: Value)] = []
        for (i, n) in Self.ints.enumerated() {
            _ = try db.rows("CREATE (:Gadget {id: $id, n: $n})", ["id": .string("g\(i)"), "n": .int(n)])
            stored.append(("g\(i)", .int(n)))
        }
        for (i, f) in Self.floats.enumerated() {
            _ = try db.rows("CREATE (:Widget {id: $id, n: $n})", ["id": .string("w\(i)"), "n": .float(f)])
            stored.append(("w\(i)", .float(f)))
        }
        let plan = try db.rows("EXPLAIN MATCH (g) WHERE g.n = $v RETURN g.id", ["v": .int(2)])
        #expect("\(plan)".contains("NodeIndexSeek"), "\(plan)")
        for probe in Self.probes() {
            let parameters = ["v": probe]
            func ids(_ text: String) throws -> [String] {
                try db.rows(text, parameters).map { "\($0[0])" }
            }
            let scan = try ids("MATCH (g) WHERE g.n = $v OR false RETURN g.id ORDER BY g.id")
            #expect(try ids("MATCH (g) WHERE g.n = $v RETURN g.id ORDER BY g.id") == scan, "\(probe)")
            #expect(try ids("MATCH (g {n: $v}) RETURN g.id ORDER BY g.id") == scan, "\(probe)")
            #expect(try ids("MATCH (g:Widget) WHERE $v = g.n RETURN g.id ORDER BY g.id")
                == scan.filter { $0.contains("w") }, "\(probe)")
            #if arch(x86_64) || arch(i386)
            let wanted = Self.exact(probe)
            func expected(_ holds: (Float80, Float80) -> Bool) -> [String] {
                stored.filter { s in
                    guard let w = wanted, let x = Self.exact(s.value) else { return false }
                    return holds(x, w)
                }.map { "\(Value.string($0.id))" }.sorted()
            }
            #expect(scan == expected(==), "\(probe)")
            #expect(try ids("MATCH (g) WHERE g.n < $v RETURN g.id ORDER BY g.id") == expected(<), "\(probe) <")
            #expect(try ids("MATCH (g) WHERE g.n > $v RETURN g.id ORDER BY g.id") == expected(>), "\(probe) >")
            #expect(try ids("MATCH (g) WHERE g.n >= $v RETURN g.id ORDER BY g.id") == expected(>=), "\(probe) >=")
            #endif
        }
    }
}
