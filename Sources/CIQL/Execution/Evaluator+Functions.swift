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
        case .datetime:
            if args.isEmpty { return .datetime(statementTime) }
            return try toDateTime(a, at)
        case .duration:
            switch a {
            case .null: return .null
            case .string(let s):
                guard let d = CIQLDuration.parse(s) else {
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
            if f == .reverse, case .string(let s) = a { return .string(String(s.reversed())) }
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
            case .string, .int, .float, .bool, .datetime, .duration: return .string(ValueText.plain(a))
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
            case .tolower: return .string(s.lowercased())
            case .toupper: return .string(s.uppercased())
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
        return .list(count <= 0 ? [] : stride(from: ints[0], through: ints[1], by: Int64.Stride(step)).map(Value.int))
    }

    private func toInteger(_ a: Value, orNull: Bool, _ at: SourceLocation) throws -> Value {
        switch a {
        case .int: return a
        case .float(let d):
            return Int64(checked: d).map(Value.int) ?? .null
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            if let i = Int64(t) { return .int(i) }
            if let d = Double(t), let i = Int64(checked: d) { return .int(i) }
            return .null
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

    func toDateTime(_ a: Value, _ at: SourceLocation) throws -> Value {
        switch a {
        case .null: return .null
        case .datetime: return a
        case .string(let s):
            guard let t = ISODateTime.parse(s) else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "'\(s)' is not an ISO 8601 datetime (e.g. '2026-11-01T00:00:00Z')", at: at)
            }
            return .datetime(t)
        case .map(let m):
            func part(_ k: String, _ d: Int64) throws -> Int64 {
                guard let v = m[k] else { return d }
                guard case .int(let i) = v else { throw typeError("datetime field '\(k)' must be an integer", v, at) }
                return i
            }
            let y = try part("year", 1970), mo = try part("month", 1), d = try part("day", 1)
            guard (1...12).contains(mo), d >= 1, d <= ISODateTime.daysInMonth(Int(y), Int(mo)), abs(y) < 100_000 else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "\(y)-\(mo)-\(d) is not a date", at: at)
            }
            let days = Int64(ISODateTime.daysFromCivil(Int(y), Int(mo), Int(d)))
            let h = try part("hour", 0), mi = try part("minute", 0), s = try part("second", 0)
            let ms = try part("millisecond", 0), us = try part("microsecond", 0), ns = try part("nanosecond", 0)
            guard (0...23).contains(h), (0...59).contains(mi), (0...59).contains(s), (0...999).contains(ms),
                (0...999_999).contains(us), (0...999_999_999).contains(ns)
            else {
                throw CIQLError(.runtime, .argument(.invalidArgumentValue), "\(h):\(mi):\(s) is not a time of day", at: at)
            }
            let time = h * 3_600_000_000 + mi * 60_000_000 + s * 1_000_000 + ms * 1000 + us + ns / 1000
            return .datetime(days * 86_400_000_000 + time - (try offsetMicros(m["timezone"], at)))
        default: throw typeError("datetime() needs a string or a map", a, at)
        }
    }

    /// A `timezone` field as an offset from UTC in microseconds: `'Z'`, `'+01:00'`, `'-0530'` (datetimes are
    /// kept in UTC, so a named zone, whose offset depends on the date, is refused rather than ignored).
    private func offsetMicros(_ zone: Value?, _ at: SourceLocation) throws -> Int64 {
        guard let zone, !zone.isNull else { return 0 }
        guard case .string(let text) = zone else { throw typeError("datetime field 'timezone' must be a string", zone, at) }
        if text == "Z" || text == "UTC" { return 0 }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard let sign = text.first, sign == "+" || sign == "-", digits.count == 4 || digits.count == 2,
            let n = Int64(digits), digits.allSatisfy(\.isNumber)
        else {
            throw CIQLError(.runtime, .argument(.invalidArgumentValue), "timezone '\(text)' is not an offset like '+01:00' (CIQL keeps datetimes in UTC)", at: at)
        }
        let minutes = digits.count == 2 ? n * 60 : (n / 100) * 60 + n % 100
        return (sign == "-" ? -1 : 1) * minutes * 60_000_000
    }

    private func durationFromMap(_ m: ValueMap, _ at: SourceLocation) throws -> CIQLDuration {
        var d = CIQLDuration()
        for (key, v) in m.entries {
            guard v.isNumber else { throw typeError("duration field '\(key)' must be a number", v, at) }
            let x = v.asDouble
            let scale: Double
            switch key {
            case "years": scale = 12
            case "months", "days", "microseconds": scale = 1
            case "weeks": scale = 7
            case "hours": scale = 3_600_000_000
            case "minutes": scale = 60_000_000
            case "seconds": scale = 1_000_000
            case "milliseconds": scale = 1000
            default: throw CIQLError(.runtime, .argument(.invalidArgumentValue), "unknown duration field '\(key)'", at: at)
            }
            guard let n = Int64(checked: x * scale) else { throw CIQLError(.runtime, .argument(.numberOutOfRange), "duration field '\(key)' is out of range", at: at) }
            switch key {
            case "years", "months": d.months &+= n
            case "weeks", "days": d.days &+= n
            default: d.microseconds &+= n
            }
        }
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
            return .string(search.isEmpty ? s : s.replacing(search, with: try string(2)))
        case .substring:
            let start = try int(1)
            let chars = Array(s)
            guard start < chars.count else { return .string("") }
            let length = args.count > 2 ? try int(2) : chars.count - start
            return .string(String(chars[start..<min(chars.count, start + min(length, chars.count))]))
        case .left: return .string(String(s.prefix(try int(1))))
        case .right: return .string(String(s.suffix(try int(1))))
        default:
            let sep = try string(1)
            if sep.isEmpty { return .list(s.map { .string(String($0)) }) }
            return .list(s.split(separator: sep, omittingEmptySubsequences: false).map { .string(String($0)) })
        }
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
