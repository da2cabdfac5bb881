import CIQLValues
import CIQLSyntax
import GraphStorage

/// An expression with its variables resolved to row slots and its functions looked up: what the
/// evaluator runs for every row.
indirect enum CompiledExpression {
    case constant(Value)
    case slot(Int)
    case parameter(String, SourceLocation)
    case property(CompiledExpression, String, SourceLocation)
    case list([CompiledExpression], SourceLocation)
    case map([(String, CompiledExpression)], SourceLocation)
    case mapProjection(slot: Int, items: [CompiledMapItem], SourceLocation)
    case `subscript`(CompiledExpression, CompiledExpression, SourceLocation)
    case slice(CompiledExpression, CompiledExpression?, CompiledExpression?, SourceLocation)
    case not(CompiledExpression, SourceLocation)
    case negate(CompiledExpression, SourceLocation)
    case and(CompiledExpression, CompiledExpression, SourceLocation)
    case or(CompiledExpression, CompiledExpression, SourceLocation)
    case xor(CompiledExpression, CompiledExpression, SourceLocation)
    case binary(BinaryOperator, CompiledExpression, CompiledExpression, SourceLocation)
    case isNull(CompiledExpression, negated: Bool)
    /// True when the node's class is one of `labels` (the named classes and their subclasses).
    case hasLabels(CompiledExpression, required: [Set<String>], SourceLocation)
    case function(BuiltinFunction, [CompiledExpression], SourceLocation)
    case caseWhen(subject: CompiledExpression?, branches: [(CompiledExpression, CompiledExpression)], otherwise: CompiledExpression?)
    case listComprehension(slot: Int, list: CompiledExpression, where: CompiledExpression?, map: CompiledExpression?, SourceLocation)
    case quantifier(Quantifier, slot: Int, list: CompiledExpression, where: CompiledExpression?, SourceLocation)
    case reduce(accumulator: Int, initial: CompiledExpression, slot: Int, list: CompiledExpression, map: CompiledExpression, SourceLocation)
    /// A pattern run for the current row: EXISTS, pattern predicates and pattern comprehensions.
    case subquery(Subquery)
    /// A named path assembled from the slots of its nodes and relations.
    case buildPath([PathPiece])
}

/// One piece of a named path: a node, a single relation, or a variable-length relation list.
enum PathPiece {
    case node(Int)
    case relation(Int)
    case relationList(Int)
}

enum CompiledMapItem {
    case property(String)
    case literal(String, CompiledExpression)
    case variable(String, Int)
    case allProperties
}

/// A sub-plan evaluated per row: its leaf is an `ArgumentOperator` fed with the current row.
final class Subquery {
    enum Result {
        /// true when the plan yields at least one row.
        case exists
        /// The list of `map` over every row the plan yields.
        case collect(CompiledExpression, SourceLocation)
    }

    let plan: PlanOperator
    let result: Result

    init(plan: PlanOperator, result: Result) {
        self.plan = plan
        self.result = result
    }
}
