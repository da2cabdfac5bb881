import CIQLSyntax
import CIQLValues

/// The bounds on values built at run time (see `Value.maximumNesting` and `Value.maximumRepeatedElements`): every
/// expression that makes a list or map of other values (literals, `+`, comprehensions, map projections, `collect()`)
/// checks the value it made, so no value past them is ever built.
extension ExecutionContext {
    /// `items` as a list, checked (`checkBuilt`).
    func nestedList(_ items: [Value], _ what: @autoclosure () -> String, _ at: SourceLocation) throws -> Value {
        let list = Value.list(items)
        try checkBuilt(list, what(), at)
        return list
    }

    /// An error at `at` when `built`, a list or map an expression has just made of other values, nests deeper than a
    /// value may, or holds its lists and maps again too much (checking each part alone misses `a + a`). Looks only
    /// into lists and maps, and not at all into a list of plain values.
    func checkBuilt(_ built: Value, _ what: @autoclosure () -> String, _ at: SourceLocation?) throws {
        guard built.isContainer else { return }
        let measure = built.measureNesting(upTo: Value.maximumNesting)
        if measure.repeatsTooMuch {
            throw CIQLError(
                .runtime, .limit(.tooLarge),
                "\(what()) would hold the same lists or maps again more than \(Value.maximumRepeatedElements) "
                    + "elements' worth (as [l, l] holds l twice); a value that large cannot be printed or compared", at: at)
        }
        if measure.depth > Value.maximumNesting { throw Self.nestingError(what(), at) }
    }

    static func nestingError(_ what: String, _ at: SourceLocation?) -> CIQLError {
        CIQLError(
            .runtime, .limit(.nestingDepth),
            "\(what) would nest lists and maps more than \(Value.maximumNesting) deep; a value may nest them at most "
                + "\(Value.maximumNesting) deep", at: at)
    }

    /// An error when a parameter nests deeper than a value may (a JSON parameter may nest 256 deep).
    static func checkNesting(ofParameters parameters: [String: Value]) throws {
        for (name, value) in parameters where value.isContainer && value.nesting() > Value.maximumNesting {
            throw CIQLError(
                .runtime, .limit(.nestingDepth),
                "parameter $\(name) nests lists and maps more than \(Value.maximumNesting) deep; a value may nest them "
                    + "at most \(Value.maximumNesting) deep")
        }
    }
}
