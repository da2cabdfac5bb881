import CIQLSyntax
import CIQLValues

/// The nesting limit of values built at run time (see `Value.maximumNesting`): every expression that puts a value
/// inside a list or map checks the value it puts there, so a value deeper than the limit is never built.
extension ExecutionContext {
    /// `items` as a list; an error at `at` when one of them is already as deep as a value may be.
    func nestedList(_ items: [Value], _ what: @autoclosure () -> String, _ at: SourceLocation) throws -> Value {
        let inner = Value.maximumNesting - 1
        try check(Value.measureDeepest(items, upTo: inner), within: inner, what(), at)
        return .list(items)
    }

    /// An error at `at` when `element`, put into a list or map, would make it nest deeper than a value may, or hold
    /// lists and maps again more than `Value.maximumRepeatedElements` elements' worth.
    /// Looks only into lists and maps: anything else costs one test.
    func checkNesting(of element: Value, in what: @autoclosure () -> String, _ at: SourceLocation?) throws {
        guard element.isContainer else { return }
        let inner = Value.maximumNesting - 1
        try check(element.measureNesting(upTo: inner), within: inner, what(), at)
    }

    /// An error at `at` when `built`, a list or map an expression has just made of other values (concatenated,
    /// collected, mapped), nests deeper than a value may or holds its lists and maps again too much: checking each
    /// part alone misses `a + a` and a list of one shared value many times.
    func checkBuilt(_ built: Value, _ what: @autoclosure () -> String, _ at: SourceLocation?) throws {
        guard built.isContainer else { return }
        try check(built.measureNesting(upTo: Value.maximumNesting), within: Value.maximumNesting, what(), at)
    }

    private func check(_ measure: Value.NestingMeasure, within inner: Int, _ what: String, _ at: SourceLocation?) throws {
        if measure.repeatsTooMuch {
            throw CIQLError(
                .runtime, .limit(.tooLarge),
                "\(what) would hold the same lists or maps again more than \(Value.maximumRepeatedElements) elements' "
                    + "worth (as [l, l] holds l twice); a value that large cannot be printed or compared", at: at)
        }
        if measure.depth > inner { throw Self.nestingError(what, at) }
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
