import CIQLValues
import CIQLSyntax
import Foundation
import GraphStorage

/// Scalar function calls. Null in gives null out unless a function says otherwise (coalesce, size…).
extension ExecutionContext {
    func call(_ f: BuiltinFunction, _ args: [Value], _ at: SourceLocation) throws -> Value {
        let a = args.first ?? .null
        switch f {
        case .coalesce: return args.first(where: { !$0.isNull }) ?? .null
        case .pi: return .float(.pi)
        case .e: return .float(M_E)
        case .rand: return .float(Double.random(in: 0..<1))
        case .timestamp: return .int(statementTime / 1000)
        case .date, .localtime, .time, .localdatetime, .datetime:
            return try constructTemporal(f.temporalKind ?? .datetime, args, at)
        case .datetruncate, .localtimetruncate, .timetruncate, .localdatetimetruncate, .datetimetruncate,
            .datetimefromepoch, .datetimefromepochmillis, .durationbetween, .durationinmonths, .durationindays,
            .durationinseconds:
            return try temporalFunction(f, args, at)
        case .duration:
            switch a {
            case .null: return .null
            case .string(let s):
                guard let d = ISO8601Parser.duration(s) else {
                    if ISO8601Parser.durationIsOutOfRange(s) {
                        throw CIQLError(.runtime, .argument(.invalidArgumentValue),
                            "the duration '\(s)' is out of range (at most 2^63 - 1 seconds, days or months)", at: at)
                    }
                    throw CIQLError(.runtime, .argument(.invalidArgumentValue), "'\(s)' is not an ISO 8601 duration (e.g. 'P1DT2H')", at: at)
                }
                return .duration(d)
            case .map(let m): return .duration(try durationFromMap(m, at))
            case .duration: return a
            default: throw typeError("duration() needs a string or a map", a, at)
            }
        case .exists: return .bool(!a.isNull)
        case .valuetype: return .string(a.typeName)
        default: break
        }
        if a.isNull { return .null }
        switch f {
        case .id:
            switch a {
            case .node(let nid): return .int(Int64(bitPattern: nid))
            case .relationship(let r): return .int(Int64(bitPattern: r.from &* 65_537 &+ r.to))
            default: throw typeError("id() needs a node or relation", a, at)
            }
        case .elementid, .class:
            guard case .node(let nid) = a else {
                if f == .elementid, case .relationship(let r) = a { return .string("\(r.from):\(r.type):\(r.to)") }
                throw typeError("\(f.displayName)() needs a node", a, at)
            }
            guard let n = try node(nid) else { return .null }
            return f == .class ? (n.label.map(Value.string) ?? .null) : .string(n.externalID)
        case .labels:
            guard case .node(let nid) = a else { throw typeError("labels() needs a node", a, at) }
            guard let n = try node(nid) else { try deleted(a, at); return .null }
            return .list(n.label.map { [.string($0)] } ?? [])
        case .type:
            guard case .relationship(let r) = a else { throw typeError("type() needs a relation", a, at, .type(.invalidArgumentValue)) }
            return .string(r.type)
        case .keys:
            if case .node = a {} else if case .relationship = a {} else if case .map = a {} else {
                throw typeError("keys() needs a node, relation or map", a, at)
            }
            return .list(try allProperties(a, at).keys.map(Value.string))
        case .properties: return .map(try allProperties(a, at))
        case .startnode, .endnode:
            guard case .relationship(let r) = a else { throw typeError("\(f.displayName)() needs a relation", a, at) }
            return .node(f == .startnode ? r.from : r.to)
        case .nodes, .relationships:
            guard case .path(let p) = a else { throw typeError("\(f.displayName)() needs a path", a, at) }
            return .list(f == .nodes ? p.nodes.map(Value.node) : p.relationships.map(Value.relationship))
        case .length:
            switch a {
            case .path(let p): return .int(Int64(p.relationships.count))
            case .string(let s): return .int(Int64(s.count))
            case .list(let l): return .int(Int64(l.count))
            default: throw typeError("length() needs a path", a, at)
            }
        case .size:
            switch a {
            case .list(let l): return .int(Int64(l.count))
            case .string(let s): return .int(Int64(s.count))
            case .map(let m): return .int(Int64(m.count))
            default: throw typeError("size() needs a list or string", a, at)
            }
        case .isempty:
            switch a {
            case .list(let l): return .bool(l.isEmpty)
            case .string(let s): return .bool(s.isEmpty)
            case .map(let m): return .bool(m.count == 0)
            default: throw typeError("isEmpty() needs a list, string or map", a, at)
            }
        case .head, .last, .tail, .reverse:
            if f == .reverse, case .string(let s) = a { return try builtString(String(s.reversed()), f) }
            guard case .list(let l) = a else { throw typeError("\(f.displayName)() needs a list", a, at) }
            switch f {
            case .head: return l.first ?? .null
            case .last: return l.last ?? .null
            case .tail: return .list(Array(l.dropFirst()))
            default: return .list(l.reversed())
            }
        case .range: return try range(args, at)
        case .tostring, .tostringornull:
            switch a {
            case .string, .int, .float, .bool, .temporal, .duration: return .string(ValueText.plain(a))
            default:
                if f == .tostringornull { return .null }
                throw typeError("toString() cannot convert this value", a, at, .type(.invalidArgumentValue))
            }
        case .tointeger, .tointegerornull: return try toInteger(a, orNull: f == .tointegerornull, at)
        case .tofloat, .tofloatornull: return try toFloat(a, orNull: f == .tofloatornull, at)
        case .toboolean, .tobooleanornull:
            switch a {
            case .bool: return a
            case .string(let s):
                switch s.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: return .null
                }
            case .int(let i): return .bool(i != 0)
            default:
                if f == .tobooleanornull { return .null }
                throw typeError("toBoolean() cannot convert this value", a, at, .type(.invalidArgumentValue))
            }
        case .tolower, .toupper, .trim, .ltrim, .rtrim:
            guard case .string(let s) = a else { throw typeError("\(f.displayName)() needs a string", a, at) }
            switch f {
            case .tolower: return try builtString(s.lowercased(), f)
            case .toupper: return try builtString(s.uppercased(), f)
            case .trim: return .string(s.trimmingCharacters(in: .whitespaces))
            case .ltrim: return .string(String(s.drop(while: { $0 == " " || $0 == "\t" })))
            default:
                var t = Substring(s)
                while t.last == " " || t.last == "\t" { t.removeLast() }
                return .string(String(t))
            }
        case .replace, .substring, .left, .right, .split: return try stringFunction(f, args, at)
        default: return try mathFunction(f, args, at)
        }
    }

    /// A string a function made anew in one pass (at most a few times its argument, itself within the budget),
    /// checked against the memory budget like every value an expression builds.
    private func builtString(_ s: String, _ f: BuiltinFunction) throws -> Value {
        try checkValueSize(40 &+ s.utf8.count, for: "\(f.displayName)()")
        return .string(s)
    }

    private func range(_ args: [Value], _ at: SourceLocation) throws -> Value {
        var ints: [Int64] = []
        for v in args {
            guard case .int(let i) = v else {
                if v.isNull { return .null }
                throw typeError("range() needs integers", v, at, .argument(.invalidArgumentType))
            }
            ints.append(i)
        }
        let step = ints.count > 2 ? ints[2] : 1
        guard step != 0 else { throw CIQLError(.runtime, .argument(.numberOutOfRange), "range() step must not be zero", at: at) }
        let span = step > 0 ? ints[1].subtractingReportingOverflow(ints[0]) : ints[0].subtractingReportingOverflow(ints[1])
        guard !span.overflow, step != .min else { throw CIQLError(.runtime, .limit(.tooLarge), "range() is too large", at: at) }
        let count = span.partialValue / (step > 0 ? step : -step) + 1
        guard count <= 10_000_000 else { throw CIQLError(.runtime, .limit(.tooLarge), "range() would make \(count) elements", at: at) }
        try checkValueSize(24 * Int(clamping: count), for: "range()")
        guard count > 0 else { return .list([]) }
        var out: [Value] = []
        out.reserveCapacity(Int(count))
        for (i, v) in stride(from: ints[0], through: ints[1], by: Int64.Stride(step)).enumerated() {
            if i & 0xFFFF == 0xFFFF { try checkLimits() }
            out.append(.int(v))
        }
        return .list(out)
    }

    private func toInteger(_ a: Value, orNull: Bool, _ at: SourceLocation) throws -> Value {
        // A float beyond the integer range (or NaN, or infinite) has no integer: toIntegerOrNull() says null,
        // toInteger() says why.
        func outOfIntegerRange(_ d: Double) throws -> Value {
            if orNull || d.isNaN { return .null }
            throw CIQLError(.runtime, .argument(.numberOutOfRange), "toInteger(\(d)): the number is outside the integer range -9223372036854775808...9223372036854775807", at: at)
        }
        switch a {
        case .int: return a
        case .float(let d):
            if let i = Int64(checked: d) { return .int(i) }
            return try outOfIntegerRange(d)
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            if let i = Int64(t) { return .int(i) }
            guard let d = Double(t) else { return .null }
            if let i = Int64(checked: d) { return .int(i) }
            return try outOfIntegerRange(d)
        case .bool(let b): return .int(b ? 1 : 0)
        default:
            if orNull { return .null }
            throw typeError("toInteger() cannot convert this value", a, at, .type(.invalidArgumentValue))
        }
    }

    private func toFloat(_ a: Value, orNull: Bool, _ at: SourceLocation) throws -> Value {
        switch a {
        case .float: return a
        case .int(let i): return .float(Double(i))
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map(Value.float) ?? .null
        default:
            if orNull { return .null }
            throw typeError("toFloat() cannot convert this value", a, at, .type(.invalidArgumentValue))
        }
    }

    private func durationFromMap(_ m: ValueMap, _ at: SourceLocation) throws -> TemporalDuration {
        var b = TemporalDuration.Builder()
        for (key, v) in m.entries {
            guard v.isNumber else { throw typeError("duration field '\(key)' must be a number", v, at) }
            let unitNanos: Int64
            switch key {
            case "years", "quarters", "months":
                let scale: Int64 = key == "years" ? 12 : key == "quarters" ? 3 : 1
                if case .int(let i) = v { b.add(months: i, scale: scale) } else { b.add(months: v.asDouble * Double(scale)) }
                continue
            case "weeks", "days":
                let scale: Int64 = key == "weeks" ? 7 : 1
                if case .int(let i) = v { b.add(days: i, scale: scale) } else { b.add(days: v.asDouble * Double(scale)) }
                continue
            case "hours": unitNanos = 3_600_000_000_000
            case "minutes": unitNanos = 60_000_000_000
            case "seconds": unitNanos = 1_000_000_000
            case "milliseconds": unitNanos = 1_000_000
            case "microseconds": unitNanos = 1000
            case "nanoseconds": unitNanos = 1
            default: throw CIQLError(.runtime, .argument(.invalidArgumentValue), "unknown duration field '\(key)'", at: at)
            }
            if case .int(let i) = v {
                b.add(time: i, unitNanos: unitNanos)
            } else if unitNanos >= 1_000_000_000 {
                b.add(seconds: v.asDouble * Double(unitNanos / 1_000_000_000))
            } else {
                b.add(nanos: v.asDouble * Double(unitNanos))
            }
        }
        guard let d = b.duration else { throw CIQLError(.runtime, .argument(.numberOutOfRange), "the duration is out of range", at: at) }
        return d
    }

    private func stringFunction(_ f: BuiltinFunction, _ args: [Value], _ at: SourceLocation) throws -> Value {
        if args.contains(where: \.isNull) { return .null }
        guard case .string(let s) = args[0] else { throw typeError("\(f.displayName)() needs a string", args[0], at) }
        func int(_ i: Int) throws -> Int {
            guard case .int(let v) = args[i] else { throw typeError("\(f.displayName)() needs an integer", args[i], at) }
            guard v >= 0 else { throw CIQLError(.runtime, .argument(.numberOutOfRange), "\(f.displayName)() needs a non-negative length", at: at) }
            return Int(clamping: v)
        }
        func string(_ i: Int) throws -> String {
            guard case .string(let v) = args[i] else { throw typeError("\(f.displayName)() needs a string", args[i], at) }
            return v
        }
        switch f {
        case .replace:
            let search = try string(1)
            return search.isEmpty ? .string(s) : .string(try replacing(search, in: s, with: try string(2)))
        case .substring:
            // Walks to the start and end (no array of every character, which took 16 bytes per character).
            let start = try int(1)
            guard let from = s.index(s.startIndex, offsetBy: start, limitedBy: s.endIndex) else { return .string("") }
            let length = args.count > 2 ? try int(2) : Int.max
            let to = s.index(from, offsetBy: length, limitedBy: s.endIndex) ?? s.endIndex
            return .string(String(s[from..<to]))
        case .left: return .string(String(s.prefix(try int(1))))
        case .right: return .string(String(s.suffix(try int(1))))
        default: return .list(try splitting(s, at: try string(1)))
        }
    }

    /// `replace(s, search, replacement)`, built piece by piece: what it has built counts against the memory budget
    /// (one value may not exceed it) and each piece against the time limit, so a replacement that multiplies the
    /// string stops at the limit instead of growing past it.
    private func replacing(_ search: String, in s: String, with replacement: String) throws -> String {
        var out = ""
        var rest = s[...]
        while let found = rest.firstRange(of: search) {
            out += rest[..<found.lowerBound]
            out += replacement
            rest = rest[found.upperBound...]
            try checkValueSize(40 &+ out.utf8.count &+ rest.utf8.count, for: "replace()")
            try checkCancelled()
        }
        out += rest
        return out
    }

    /// `split(s, separator)` (each character when the separator is empty), one piece at a time: the list built so
    /// far counts against the memory budget and each piece against the time limit.
    private func splitting(_ s: String, at separator: String) throws -> [Value] {
        var out: [Value] = []
        var bytes = 32
        func append(_ piece: Substring) throws {
            bytes &+= 40 &+ piece.utf8.count
            try checkValueSize(bytes, for: "split()")
            try checkCancelled()
            out.append(.string(String(piece)))
        }
        if separator.isEmpty {
            var i = s.startIndex
            while i < s.endIndex {
                let next = s.index(after: i)
                try append(s[i..<next])
                i = next
            }
            return out
        }
        var rest = s[...]
        while let found = rest.firstRange(of: separator) {
            try append(rest[..<found.lowerBound])
            rest = rest[found.upperBound...]
        }
        try append(rest)
        return out
    }

    private func mathFunction(_ f: BuiltinFunction, _ args: [Value], _ at: SourceLocation) throws -> Value {
        if args.contains(where: \.isNull) { return .null }
        for v in args where !v.isNumber { throw typeError("\(f.displayName)() needs a number", v, at) }
        let a = args[0]
        let x = a.asDouble
        switch f {
        case .abs:
            if case .int(let i) = a {
                guard i != .min else { throw CIQLError(.runtime, .arithmetic(.integerOverflow), "integer overflow in abs", at: at) }
                return .int(Swift.abs(i))
            }
            return .float(Swift.abs(x))
        case .sign:
            if case .int(let i) = a { return .int(i.signum()) }
            return .int(x > 0 ? 1 : (x < 0 ? -1 : 0))
        case .ceil: return .float(x.rounded(.up))
        case .floor: return .float(x.rounded(.down))
        case .round:
            if args.count == 1 { return .float((x + 0.5).rounded(.down) == x + 0.5 && x < 0 ? x.rounded(.up) : x.rounded()) }
            let digits = args[1].asDouble
            let scale = pow(10, digits)
            return .float((x * scale).rounded() / scale)
        case .sqrt: return .float(x.squareRoot())
        case .exp: return .float(Foundation.exp(x))
        case .log: return .float(Foundation.log(x))
        case .log10: return .float(Foundation.log10(x))
        case .sin: return .float(Foundation.sin(x))
        case .cos: return .float(Foundation.cos(x))
        case .tan: return .float(Foundation.tan(x))
        case .asin: return .float(Foundation.asin(x))
        case .acos: return .float(Foundation.acos(x))
        case .atan: return .float(Foundation.atan(x))
        case .atan2: return .float(Foundation.atan2(x, args[1].asDouble))
        case .degrees: return .float(x * 180 / .pi)
        case .radians: return .float(x * .pi / 180)
        default: throw CIQLError(.runtime, .internalError, "internal: \(f.displayName)() has no implementation", at: at)
        }
    }
}
