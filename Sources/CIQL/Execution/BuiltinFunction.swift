import CIQLSyntax
/// The scalar functions CIQL knows, by lower-cased name, with their arities.
enum BuiltinFunction: String, CaseIterable {
    // Graph elements
    case id, elementid, labels, `class`, type, keys, properties, startnode, endnode, nodes, relationships, length
    // Lists
    case size, head, last, tail, range, reverse, coalesce
    // Conversion
    case tostring, tointeger, tofloat, toboolean, tostringornull, tointegerornull, tofloatornull, tobooleanornull
    // Strings
    case tolower, toupper, trim, ltrim, rtrim, replace, substring, left, right, split
    // Numbers
    case abs, ceil, floor, round, sign, sqrt, exp, log, log10, sin, cos, tan, asin, acos, atan, atan2, pi, e, rand
    case degrees, radians
    // Time
    case date, localtime, time, localdatetime, datetime, duration, timestamp
    case datetruncate = "date.truncate", localtimetruncate = "localtime.truncate", timetruncate = "time.truncate"
    case localdatetimetruncate = "localdatetime.truncate", datetimetruncate = "datetime.truncate"
    case datetimefromepoch = "datetime.fromepoch", datetimefromepochmillis = "datetime.fromepochmillis"
    case durationbetween = "duration.between", durationinmonths = "duration.inmonths"
    case durationindays = "duration.indays", durationinseconds = "duration.inseconds"
    // Predicates
    case exists, isempty
    /// `valueType(x)`: the type's name.
    case valuetype

    /// The name as users write it, for messages.
    var displayName: String {
        switch self {
        case .elementid: "elementId"
        case .startnode: "startNode"
        case .endnode: "endNode"
        case .tostring: "toString"
        case .tointeger: "toInteger"
        case .tofloat: "toFloat"
        case .toboolean: "toBoolean"
        case .tostringornull: "toStringOrNull"
        case .tointegerornull: "toIntegerOrNull"
        case .tofloatornull: "toFloatOrNull"
        case .tobooleanornull: "toBooleanOrNull"
        case .tolower: "toLower"
        case .toupper: "toUpper"
        case .isempty: "isEmpty"
        case .valuetype: "valueType"
        case .datetimefromepoch: "datetime.fromEpoch"
        case .datetimefromepochmillis: "datetime.fromEpochMillis"
        case .durationinmonths: "duration.inMonths"
        case .durationindays: "duration.inDays"
        case .durationinseconds: "duration.inSeconds"
        default: rawValue
        }
    }

    /// The number of arguments accepted.
    var arity: ClosedRange<Int> {
        switch self {
        case .pi, .e, .rand, .timestamp: 0...0
        case .date, .localtime, .time, .localdatetime, .datetime, .duration: 0...1
        case .datetruncate, .localtimetruncate, .timetruncate, .localdatetimetruncate, .datetimetruncate: 2...3
        case .datetimefromepoch, .durationbetween, .durationinmonths, .durationindays, .durationinseconds: 2...2
        case .range: 2...3
        case .substring: 2...3
        case .replace: 3...3
        case .left, .right, .split, .atan2: 2...2
        case .round: 1...3
        case .coalesce: 1...Int.max
        default: 1...1
        }
    }

    /// The functions whose name is a Cypher alias of another.
    static func named(_ name: String) -> BuiltinFunction? {
        let lower = name.lowercased()
        switch lower {
        case "lower": return .tolower
        case "upper": return .toupper
        case "str": return .tostring
        case "ceiling": return .ceil
        default:
            // `date.statement()`, `datetime.transaction()`, `localtime.realtime()`: the current time, as `date()`.
            for suffix in [".statement", ".transaction", ".realtime"] where lower.hasSuffix(suffix) {
                if let base = BuiltinFunction(rawValue: String(lower.dropLast(suffix.count))), base.temporalKind != nil {
                    return base
                }
            }
            return BuiltinFunction(rawValue: lower)
        }
    }

    /// The temporal type a constructor or `truncate` makes.
    var temporalKind: TemporalKind? {
        switch self {
        case .date, .datetruncate: .date
        case .localtime, .localtimetruncate: .localtime
        case .time, .timetruncate: .time
        case .localdatetime, .localdatetimetruncate: .localdatetime
        case .datetime, .datetimetruncate: .datetime
        default: nil
        }
    }

    static var allNames: [String] { allCases.map(\.displayName) + AggregateFunction.allCases.map(\.displayName) }
}

/// The aggregating functions: they fold the rows of a group into one value.
enum AggregateFunction: String, CaseIterable {
    case count, sum, avg, min, max, collect, percentiledisc, percentilecont, stdev, stdevp

    var displayName: String {
        switch self {
        case .percentiledisc: "percentileDisc"
        case .percentilecont: "percentileCont"
        case .stdev: "stDev"
        case .stdevp: "stDevP"
        default: rawValue
        }
    }

    static func named(_ name: String) -> AggregateFunction? { AggregateFunction(rawValue: name.lowercased()) }
}
