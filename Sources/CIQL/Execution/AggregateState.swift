import CIQLValues
import CIQLSyntax
import Foundation
import GraphStorage

/// The running state of one aggregate over one group.
struct AggregateState {
    let spec: AggregateSpec
    private var count = 0
    private var intSum: Int64 = 0
    private var floatSum = 0.0
    private var sawFloat = false
    private var sawDuration = false
    private var durationSum = TemporalDuration.zero
    private var extreme: Value?
    private var values: [Value] = []
    private var seen: Set<GroupingKey> = []
    /// DISTINCT over nodes (closures: `count(DISTINCT x)` of half a million CIs) without a key per value.
    private var seenNodes = NodeIDSet()
    private var parameter: Value?

    init(_ spec: AggregateSpec) { self.spec = spec }

    /// Folds in one value; returns about how many bytes the state now holds more (collect, DISTINCT, percentiles).
    mutating func add(_ value: Value?, parameter p: Value?, _ ctx: ExecutionContext) throws -> Int {
        guard let value else {
            count += 1  // count(*)
            return 0
        }
        if value.isNull { return 0 }
        var held = 0
        if spec.distinct {
            if case .node(let nid) = value {
                guard seenNodes.insert(nid) else { return 0 }
                held += 8
            } else {
                guard seen.insert(GroupingKey(value)).inserted else { return 0 }
                held += 16 + value.estimatedBytes
            }
        }
        count += 1
        switch spec.function {
        case .count: break
        case .sum, .avg:
            switch value {
            case .int(let i):
                // avg() is a float, so only sum() of integers can overflow.
                let (r, overflow) = intSum.addingReportingOverflow(i)
                if overflow && spec.function == .sum && !sawFloat {
                    throw ExecutionContext.integerOverflow("sum()", spec.location)
                }
                intSum = r
                floatSum += Double(i)
            case .float(let d):
                sawFloat = true
                floatSum += d
            case .duration(let d):
                sawDuration = true
                guard let sum = durationSum + d else {
                    throw CIQLError(.runtime, .arithmetic(.integerOverflow), "duration overflow in \(spec.function.displayName)()", at: spec.location)
                }
                durationSum = sum
            default:
                throw ctx.typeError("\(spec.function.displayName)() needs numbers", value, spec.location)
            }
        case .min, .max:
            if let e = extreme {
                let c = Value.orderedCompare(value, e)
                if spec.function == .min ? c == .ascending : c == .descending { extreme = value }
            } else {
                extreme = value
            }
        case .collect:
            values.append(value)
            held += value.estimatedBytes
        case .percentiledisc, .percentilecont, .stdev, .stdevp:
            guard value.isNumber else {
                throw ctx.typeError("\(spec.function.displayName)() needs numbers", value, spec.location)
            }
            values.append(value)
            held += value.estimatedBytes
            if parameter == nil { parameter = p }
        }
        return held
    }

    func result(_ ctx: ExecutionContext) throws -> Value {
        switch spec.function {
        case .count: return .int(Int64(count))
        case .sum:
            if sawDuration { return .duration(durationSum) }
            return sawFloat ? .float(floatSum) : .int(intSum)
        case .avg:
            if count == 0 { return .null }
            if sawDuration {
                guard let mean = durationSum.scaled(by: 1 / Double(count)) else {
                    throw CIQLError(.runtime, .arithmetic(.integerOverflow), "duration overflow in avg()", at: spec.location)
                }
                return .duration(mean)
            }
            return .float(floatSum / Double(count))
        case .min, .max: return extreme ?? .null
        case .collect:
            let list = Value.list(values)
            try ctx.checkBuilt(list, "collect()", spec.location)
            return list
        case .stdev, .stdevp:
            let n = values.count
            let sample = spec.function == .stdev
            guard n > (sample ? 1 : 0) else { return .float(0) }
            let xs = values.map(\.asDouble)
            let mean = xs.reduce(0, +) / Double(n)
            let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return .float((ss / Double(sample ? n - 1 : n)).squareRoot())
        case .percentiledisc, .percentilecont:
            guard !values.isEmpty else { return .null }
            guard let p = parameter, p.isNumber, (0...1).contains(p.asDouble) else {
                throw CIQLError(.runtime, .argument(.numberOutOfRange), "\(spec.function.displayName)() needs a percentile between 0.0 and 1.0", at: spec.location)
            }
            let sorted = values.sorted { Value.orderedCompare($0, $1) == .ascending }
            let q = p.asDouble
            if spec.function == .percentiledisc {
                let i = q == 0 ? 0 : Int((q * Double(sorted.count)).rounded(.up)) - 1
                return sorted[max(0, min(sorted.count - 1, i))]
            }
            let pos = q * Double(sorted.count - 1)
            let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
            let frac = pos - Double(lo)
            return .float(sorted[lo].asDouble + (sorted[hi].asDouble - sorted[lo].asDouble) * frac)
        }
    }
}
