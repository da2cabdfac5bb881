public import CIQLValues
import CIQLSyntax
public import ConfigurationSchema
public import GraphStorage

/// A procedure `CALL name(args) YIELD …` can run: its output columns and what it computes.
public struct ProcedureDefinition: Sendable {
    public var name: String
    /// Argument names, for messages (`impact(targets, options)`).
    public var parameters: [String]
    /// How many trailing arguments may be left out.
    public var optionalParameters: Int
    public var outputs: [String]
    /// Runs the procedure once; returns its rows, one value per output.
    public var run: @Sendable (_ arguments: [Value], _ context: ProcedureContext) throws -> ProcedureRows

    /// A procedure that returns its rows as arrays, one value per output.
    public init(
        name: String, parameters: [String], optionalParameters: Int = 0, outputs: [String],
        run: @escaping @Sendable ([Value], ProcedureContext) throws -> [[Value]]
    ) {
        self.init(name: name, parameters: parameters, optionalParameters: optionalParameters, outputs: outputs,
                  rows: { (arguments, context) in ProcedureRows(try run(arguments, context)) })
    }

    /// A procedure that hands out its rows' values one at a time (see `ProcedureRows`).
    public init(
        name: String, parameters: [String], optionalParameters: Int = 0, outputs: [String],
        rows: @escaping @Sendable ([Value], ProcedureContext) throws -> ProcedureRows
    ) {
        self.name = name
        self.parameters = parameters
        self.optionalParameters = optionalParameters
        self.outputs = outputs
        self.run = rows
    }
}

/// The rows of one procedure call, read a value at a time, so that a call with hundreds of thousands of rows
/// (a datacenter's impact) does not build an array for each.
public struct ProcedureRows {
    public let count: Int
    /// The value of `output` (an index into the definition's outputs) in `row`; called for the yielded outputs
    /// only, in row order.
    let value: (_ row: Int, _ output: Int) throws -> Value

    public init(count: Int, value: @escaping (_ row: Int, _ output: Int) throws -> Value) {
        self.count = count
        self.value = value
    }

    /// Rows given as arrays; an output past a row's end is null.
    public init(_ rows: [[Value]]) {
        self.init(count: rows.count) { (row, output) in output < rows[row].count ? rows[row][output] : .null }
    }

    static var none: ProcedureRows { ProcedureRows(count: 0) { (_, _) in .null } }
}

/// What a procedure may read: the statement's transaction (one consistent snapshot) and the schema.
public struct ProcedureContext {
    public let transaction: GraphTransaction
    public let schema: Schema
    /// The outputs the statement yields: a procedure may leave the others null rather than compute them.
    public let yielded: Set<String>
    /// Whether the statement can tell the order of the rows apart. False when the call feeds straight into a
    /// `WITH` or `RETURN` whose every item is a `count`, which makes one row whatever the order: a procedure may
    /// then return its rows in any order.
    public let ordered: Bool
    /// Throws `Limit.Cancelled` or `Limit.Timeout` when the statement was cancelled or ran past its time limit:
    /// long-running procedures call it now and then (it reads the clock, so not on every step).
    public let checkInterrupted: () throws -> Void
}

/// Runs a procedure for each input row and binds the yielded columns.
final class ProcedureCallOperator: PlanOperator {
    let definition: ProcedureDefinition
    let arguments: [CompiledExpression]
    /// (output index, slot) for each yielded column.
    let yields: [(Int, Int)]
    let location: SourceLocation
    let ordered: Bool
    private let yielded: Set<String>
    private var results = ProcedureRows.none
    private var index = 0
    /// The row handed out last, changed in place for the next one (no copy when the consumer let it go).
    private var output: Row = []

    init(
        _ input: PlanOperator, _ definition: ProcedureDefinition, arguments: [CompiledExpression], yields: [(Int, Int)],
        ordered: Bool, at: SourceLocation
    ) {
        self.definition = definition
        self.arguments = arguments
        self.yields = yields
        self.ordered = ordered
        self.location = at
        yielded = Set(yields.map { definition.outputs[$0.0] })
        super.init("ProcedureCall", detail: definition.name, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        results = .none
        index = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while index >= results.count {
            guard var row = try input.next(ctx) else {
                // A cached plan keeps its operators: let go of the last call's rows (a whole impact result).
                results = .none
                output = []
                return nil
            }
            var values: [Value] = []
            for a in arguments { values.append(try ctx.evaluate(a, &row)) }
            guard let tx = ctx.live?.tx else {
                throw CIQLError(.runtime, .history(.invalidAsOf), "\(definition.name) works on the current graph, not AS OF a past one", at: location)
            }
            let context = ProcedureContext(
                transaction: tx, schema: ctx.schema, yielded: yielded, ordered: ordered,
                checkInterrupted: { try ctx.checkLimits() })
            results = try reported { try definition.run(values, context) }
            index = 0
            output = row
        }
        let row = index
        index += 1
        if row & 1023 == 1023 { try ctx.checkLimits() }
        for (o, slot) in yields { output[slot] = try reported { try results.value(row, o) } }
        return output
    }

    /// `body`'s result; a storage or other error it throws as a CIQL error naming the procedure.
    private func reported<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as CIQLError {
            // A procedure's own errors (a bad option, an unknown CI) are placed at its CALL.
            if error.location == nil { error.location = location }
            throw error
        } catch let error as StorageError {
            throw CIQLError(.runtime, CIQLError.Code(error), "\(definition.name): \(error.message)", at: location)
        } catch {
            throw CIQLError(.runtime, .runtime(.executionFailed), "\(definition.name): \(error)", at: location)
        }
    }

    /// Whether the order of a call's rows can be told apart by `next`, the clause after it: not when it is a
    /// `WITH` or `RETURN` whose every item is `count(…)` or `count(*)` (one row, the same for any order). `min` and
    /// `max` are left out: they keep the first of values they rank equal (1 and 1.0, canonically equivalent
    /// strings), so their answer can depend on the order.
    static func rowsAreOrdered(before next: Clause?) -> Bool {
        let projection: Projection
        switch next?.kind {
        case .return(let p)?, .with(let p, _)?: projection = p
        default: return true
        }
        guard !projection.includesAll, !projection.items.isEmpty else { return true }
        return !projection.items.allSatisfy { item in
            switch item.expression.kind {
            case .countStar: return true
            case .function(let name, _, let arguments):
                return AggregateFunction.named(name.text) == .count
                    && !arguments.contains(where: \.containsAggregate)
            default: return false
            }
        }
    }
}

extension Planner {
    /// Plans `call`; `next` is the clause after it, if any (see `ProcedureContext.ordered`).
    func planCall(
        _ call: ProcedureCall, _ input: PlanOperator, _ scope: inout Scope, standalone: Bool, next: Clause?
    ) throws -> PlanOperator {
        guard let definition = procedures[call.name.text.lowercased()] else {
            var message = "unknown procedure '\(call.name.text)'"
            if let close = closestSpelling(to: call.name.text, in: procedures.values.map(\.name)) {
                message += " (did you mean '\(close)'?)"
            } else {
                message += "; procedures: " + procedures.values.map(\.name).sorted().joined(separator: ", ")
            }
            throw CIQLError(.semantic, .procedure(.procedureNotFound), message, at: call.name.location)
        }
        let args = call.arguments ?? []
        let maximum = definition.parameters.count, minimum = maximum - definition.optionalParameters
        guard (minimum...maximum).contains(args.count) else {
            throw CIQLError(.semantic, .syntax(.invalidNumberOfArguments), "\(definition.name)(\(definition.parameters.joined(separator: ", "))) takes \(minimum == maximum ? "\(maximum)" : "\(minimum) to \(maximum)") argument(s), not \(args.count)", at: call.name.location)
        }
        let compiled = try args.map { try compile($0, scope) }
        var yields: [(Int, Int)] = []
        let items: [YieldItem]
        if let yield = call.yield, !call.yieldsAll {
            items = yield
        } else {
            guard standalone || call.yieldsAll else {
                throw CIQLError(.semantic, .syntax(.unexpectedSyntax), "CALL \(definition.name) inside a query needs YIELD (its columns: \(definition.outputs.joined(separator: ", ")))", at: call.name.location)
            }
            items = definition.outputs.map { YieldItem(field: Name($0, at: call.name.location), alias: nil) }
        }
        for item in items {
            guard let index = definition.outputs.firstIndex(of: item.field.text) else {
                var message = "\(definition.name) has no column '\(item.field.text)'"
                if let close = closestSpelling(to: item.field.text, in: definition.outputs) { message += " (did you mean '\(close)'?)" }
                throw CIQLError(.semantic, .syntax(.undefinedVariable), message + "; it yields \(definition.outputs.joined(separator: ", "))", at: item.field.location)
            }
            if scope[item.variable.text] != nil {
                throw CIQLError(.semantic, .syntax(.variableAlreadyBound), "variable '\(item.variable.text)' is already defined", at: item.variable.location)
            }
            let slot = layout.allocate()
            scope[item.variable.text] = Variable(slot: slot, kind: .value)
            yields.append((index, slot))
        }
        var op: PlanOperator = ProcedureCallOperator(
            input, definition, arguments: compiled, yields: yields,
            ordered: ProcedureCallOperator.rowsAreOrdered(before: next), at: call.name.location)
        if let filter = call.where_ {
            op = FilterOperator(op, try compile(filter, scope), detail: describe(filter))
        }
        return op
    }
}
