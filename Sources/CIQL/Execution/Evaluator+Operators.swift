import CIQLValues
import CIQLSyntax
import Foundation
import GraphStorage
import LinearRegex

/// The binary operators: comparison, arithmetic, string and list predicates.
extension ExecutionContext {
    func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, _ at: SourceLocation) throws -> Value {
        // NaN is a number that is neither less, greater nor equal to any number (itself included).
        if a.isNaN && b.isNumber || a.isNumber && b.isNaN, [.less, .greater, .lessOrEqual, .greaterOrEqual].contains(op) {
            return .bool(false)
        }
        switch op {
        case .equal: return Value.equals(a, b).map(Value.bool) ?? .null
        case .notEqual: return Value.equals(a, b).map { .bool(!$0) } ?? .null
        case .less: return Value.compare(a, b).map { .bool($0 == .ascending) } ?? .null
        case .greater: return Value.compare(a, b).map { .bool($0 == .descending) } ?? .null
        case .lessOrEqual: return Value.compare(a, b).map { .bool($0 != .descending) } ?? .null
        case .greaterOrEqual: return Value.compare(a, b).map { .bool($0 != .ascending) } ?? .null
        case .add: return try add(a, b, at)
        case .subtract, .multiply, .divide, .modulo, .power: return try arithmetic(op, a, b, at)
        case .in: return try membership(a, b, at)
        case .startsWith, .endsWith, .contains:
            guard case .string(let s) = a, case .string(let t) = b else {
                if a.isNull || b.isNull { return .null }
                return .null
            }
            switch op {
            case .startsWith: return .bool(Value.codePoints(of: s, startWith: t))
            case .endsWith: return .bool(Value.codePoints(of: s, endWith: t))
            default: return .bool(Value.codePoints(of: s, contain: t))
            }
        case .regexMatch:
            guard case .string(let s) = a, case .string(let pattern) = b else { return .null }
            return .bool(try regex(pattern, at).wholeMatch(s, check: checkLimits))
        case .and, .or, .xor: throw CIQLError(.runtime, .internalError, "internal: logical operator evaluated as binary", at: at)
        }
    }

    /// The compiled pattern, from the statement's cache (bounded: patterns computed per row can't grow it forever).
    private func regex(_ pattern: String, _ at: SourceLocation) throws -> LinearRegex {
        if let cached = regexCache[pattern] { return cached }
        do {
            let r = try LinearRegex(pattern)
            if regexCache.count >= 256 { regexCache.removeAll(keepingCapacity: true) }
            regexCache[pattern] = r
            return r
        } catch {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "invalid regular expression '\(pattern)' at position \(error.position): \(error.message)", at: at)
        }
    }

    private func membership(_ a: Value, _ b: Value, _ at: SourceLocation) throws -> Value {
        switch b {
        case .null: return .null
        case .list(let items):
            var unknown = false
            for (i, item) in items.enumerated() {
                // A long list makes one row slow: count it against the time limit as it goes.
                if i & 1023 == 1023 { try checkCancelled() }
                switch Value.equals(a, item) {
                case .some(true): return .bool(true)
                case nil: unknown = true
                case .some(false): break
                }
            }
            return unknown ? .null : .bool(false)
        default: throw typeError("IN needs a list on its right", b, at)
        }
    }

    private func add(_ a: Value, _ b: Value, _ at: SourceLocation) throws -> Value {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.list(x), .list(y)):
            try checkValueSize(24 * (x.count + y.count), for: "a list built with +")
            let joined = Value.list(x + y)
            try checkBuilt(joined, "this list", at)
            return joined
        case let (.list(x), y):
            let joined = Value.list(x + [y])
            if y.isContainer { try checkBuilt(joined, "this list", at) }
            return joined
        case let (x, .list(y)):
            let joined = Value.list([x] + y)
            if x.isContainer { try checkBuilt(joined, "this list", at) }
            return joined
        case let (.string(x), .string(y)):
            try checkValueSize(x.utf8.count + y.utf8.count, for: "a string built with +")
            return .string(x + y)
        case let (.string(x), y) where y.isNumber: return .string(x + ValueText.plain(y))
        case let (x, .string(y)) where x.isNumber: return .string(ValueText.plain(x) + y)
        case let (.temporal(t), .duration(d)), let (.duration(d), .temporal(t)):
            guard let r = TemporalArithmetic.add(t, d) else {
                throw CIQLError(.runtime, .arithmetic(.integerOverflow), "\(TemporalText.format(t)) + \(d) is out of range", at: at)
            }
            return .temporal(r)
        case let (.duration(x), .duration(y)):
            guard let r = x + y else { throw CIQLError(.runtime, .arithmetic(.integerOverflow), "duration overflow in \(x) + \(y)", at: at) }
            return .duration(r)
        default: return try arithmetic(.add, a, b, at)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ at: SourceLocation) throws -> Value {
        switch (a, b) {
        case (.null, _), (_, .null): return .null
        case let (.int(x), .int(y)):
            let r: (Int64, Bool)
            switch op {
            case .add: r = x.addingReportingOverflow(y)
            case .subtract: r = x.subtractingReportingOverflow(y)
            case .multiply: r = x.multipliedReportingOverflow(by: y)
            case .divide:
                guard y != 0 else { throw CIQLError(.runtime, .arithmetic(.divisionByZero), "division by zero", at: at) }
                r = x.dividedReportingOverflow(by: y)
            case .modulo:
                guard y != 0 else { throw CIQLError(.runtime, .arithmetic(.divisionByZero), "division by zero in %", at: at) }
                // x % -1 is 0 for every x (Swift reports Int64.min % -1 as an overflow).
                r = y == -1 ? (0, false) : x.remainderReportingOverflow(dividingBy: y)
            case .power: return .float(Foundation.pow(Double(x), Double(y)))
            default: r = (0, true)
            }
            if r.1 { throw Self.integerOverflow("\(x) \(op.rawValue) \(y)", at) }
            return .int(r.0)
        case (.temporal(let t), .duration(let d)) where op == .subtract:
            guard let r = TemporalArithmetic.subtract(t, d) else {
                throw CIQLError(.runtime, .arithmetic(.integerOverflow), "\(TemporalText.format(t)) - \(d) is out of range", at: at)
            }
            return .temporal(r)
        case (.duration(let x), .duration(let y)) where op == .subtract:
            guard let r = y.negated.flatMap({ x + $0 }) else {
                throw CIQLError(.runtime, .arithmetic(.integerOverflow), "duration overflow in \(x) - \(y)", at: at)
            }
            return .duration(r)
        case (.duration(let d), let f) where op == .multiply && f.isNumber: return .duration(try scale(d, f, divide: false, at))
        case (let f, .duration(let d)) where op == .multiply && f.isNumber: return .duration(try scale(d, f, divide: false, at))
        case (.duration(let d), let f) where op == .divide && f.isNumber: return .duration(try scale(d, f, divide: true, at))
        default:
            guard a.isNumber, b.isNumber else {
                let bad = a.isNumber ? b : a
                throw typeError("'\(op.rawValue)' needs numbers", bad, at)
            }
            let x = a.asDouble, y = b.asDouble
            switch op {
            case .add: return .float(x + y)
            case .subtract: return .float(x - y)
            case .multiply: return .float(x * y)
            case .divide: return .float(x / y)
            case .modulo: return .float(x.truncatingRemainder(dividingBy: y))
            default: return .float(pow(x, y))
            }
        }
    }
}

extension ExecutionContext {
    /// The error for an integer result outside the 64-bit range (CIQL integers never wrap).
    static func integerOverflow(_ what: String, _ at: SourceLocation) -> CIQLError {
        CIQLError(.runtime, .arithmetic(.integerOverflow), "integer overflow in \(what): the result is outside -9223372036854775808...9223372036854775807", at: at)
    }

    /// `duration * number`, `duration / number`: exact for integer factors, fractions cascading down otherwise.
    fileprivate func scale(_ d: TemporalDuration, _ f: Value, divide: Bool, _ at: SourceLocation) throws -> TemporalDuration {
        let result: TemporalDuration?
        if case .int(let k) = f, !divide {
            result = d.multiplied(by: k)
        } else {
            let x = f.asDouble
            if divide && x == 0 { throw CIQLError(.runtime, .arithmetic(.divisionByZero), "division of a duration by zero", at: at) }
            result = d.scaled(by: divide ? 1 / x : x)
        }
        guard let result else { throw CIQLError(.runtime, .arithmetic(.integerOverflow), "duration overflow in \(d) \(divide ? "/" : "*") \(ValueText.plain(f))", at: at) }
        return result
    }
}

extension Value {
    var isNumber: Bool {
        switch self {
        case .int, .float: true
        default: false
        }
    }

    var asDouble: Double {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        default: .nan
        }
    }
}

extension Value {
    var isNaN: Bool {
        if case .float(let d) = self { return d.isNaN }
        return false
    }
}

extension Int64 {
    /// The integer part of a finite double within range, else nil.
    init?(checked d: Double) {
        guard d.isFinite, d > -9.2e18, d < 9.2e18 else { return nil }
        self = Int64(d.rounded(.towardZero))
    }
}
