import CIQLValues
import CIQLSyntax
import Glibc

/// A pull-based operator: `open` with the argument row, then `next` until nil.
///
/// Operators form a tree; most have one input. Rows stream through, so `LIMIT` stops the work below
/// it and memory stays flat unless an operator must see everything (sort, aggregation, eager writes).
class PlanOperator {
    /// The operator's name in EXPLAIN and PROFILE output.
    let name: String
    /// What it works on, e.g. `(s:Server)` or `n.criticality >= 4`.
    var detail: String
    var children: [PlanOperator]
    /// PROFILE: rows produced and time spent inside (including the inputs), in nanoseconds.
    private(set) var rowsProduced = 0
    private(set) var nanoseconds: UInt64 = 0
    var profiling = false
    /// Slots set to null in every row this operator passes on: the planner's `SlotLayout` gave them back here
    /// (their variables went out of scope), so rows do not keep their values alive.
    private(set) var clearedSlots: [Int] = []

    init(_ name: String, detail: String = "", children: [PlanOperator] = []) {
        self.name = name
        self.detail = detail
        self.children = children
    }

    /// Starts (or restarts) the operator for one argument row.
    func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        for child in children { try child.open(argument, ctx) }
    }

    /// The next row, or nil when there are no more. Every row any operator passes on counts towards the
    /// statement's cancellation and time-limit check, so no pipeline (`UNWIND … UNWIND …`) runs unchecked.
    final func next(_ ctx: ExecutionContext) throws -> Row? {
        guard profiling else {
            guard var row = try produce(ctx) else { return nil }
            rowsProduced &+= 1
            try ctx.checkCancelled()
            for slot in clearedSlots { row[slot] = .null }
            return row
        }
        let start = Self.now()
        let produced = try produce(ctx)
        nanoseconds &+= Self.now() &- start
        guard var row = produced else { return nil }
        rowsProduced &+= 1
        try ctx.checkCancelled()
        for slot in clearedSlots { row[slot] = .null }
        return row
    }

    /// Adds `slots` to those cleared in every row passed on (see `clearedSlots`).
    func clearsSlots(_ slots: Set<Int>) {
        clearedSlots = Set(clearedSlots).union(slots).sorted()
    }

    /// Subclasses produce their rows here.
    func produce(_ ctx: ExecutionContext) throws -> Row? { nil }

    var input: PlanOperator { children[0] }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Every operator in the tree, depth first, with its depth.
    func walk(depth: Int = 0, _ body: (PlanOperator, Int) -> Void) {
        body(self, depth)
        for child in children { child.walk(depth: depth + 1, body) }
    }

    func setProfiling(_ on: Bool) { walk { op, _ in op.profiling = on } }
}

/// The row an operator passes on for one of the outputs it derives from the input row `current`: a copy while more
/// outputs will come from `current`, and `current` itself (left empty) for the last one, so that writing the new
/// values into it copies nothing (an input row with one match, as an id seek or a chain of single relations has,
/// costs no row copy at all).
@inline(__always)
func outputRow(from current: inout Row, isLast: Bool) -> Row {
    guard isLast else { return current }
    var row: Row = []
    swap(&row, &current)
    return row
}

/// The leaf of every plan: yields the argument row once (the empty row at the top level, the outer
/// row inside OPTIONAL MATCH and pattern predicates).
final class ArgumentOperator: PlanOperator {
    private var argument: Row?

    init() { super.init("Argument") }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws { self.argument = argument }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        defer { argument = nil }
        return argument
    }
}

/// Keeps the rows for which the predicate is true.
final class FilterOperator: PlanOperator {
    let predicate: CompiledExpression

    init(_ input: PlanOperator, _ predicate: CompiledExpression, detail: String) {
        self.predicate = predicate
        super.init("Filter", detail: detail, children: [input])
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while var row = try input.next(ctx) {
            if try ctx.evaluate(predicate, &row).isTrue { return row }
        }
        return nil
    }
}

/// Computes expressions into slots, in the row it is given (no other allocation per row).
final class ProjectOperator: PlanOperator {
    let items: [(slot: Int, expression: CompiledExpression)]
    /// The values of one row, kept between rows for its capacity.
    private var values: [Value] = []

    init(_ input: PlanOperator, _ items: [(slot: Int, expression: CompiledExpression)], detail: String) {
        self.items = items
        super.init("Project", detail: detail, children: [input])
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        guard var row = try input.next(ctx) else { return nil }
        if items.count == 1 {
            let item = items[0]
            row[item.slot] = try ctx.evaluate(item.expression, &row)
            return row
        }
        // Evaluate everything first, then assign: each item reads the row as it came in.
        values.removeAll(keepingCapacity: true)
        for item in items { values.append(try ctx.evaluate(item.expression, &row)) }
        for (i, item) in items.enumerated() { row[item.slot] = values[i] }
        values.removeAll(keepingCapacity: true)
        return row
    }
}

/// `UNWIND list AS x`: one row per element; null or an empty list gives no rows.
final class UnwindOperator: PlanOperator {
    let list: CompiledExpression
    let slot: Int
    private var current: Row = []
    private var pending: [Value] = []
    private var index = 0

    init(_ input: PlanOperator, _ list: CompiledExpression, slot: Int, detail: String) {
        self.list = list
        self.slot = slot
        super.init("Unwind", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        pending = []
        index = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while index >= pending.count {
            guard var row = try input.next(ctx) else { return nil }
            switch try ctx.evaluate(list, &row) {
            case .null: pending = []
            case .list(let l): pending = l
            case let other: pending = [other]
            }
            index = 0
            current = row
        }
        var row = outputRow(from: &current, isLast: index + 1 == pending.count)
        row[slot] = pending[index]
        index += 1
        return row
    }
}

/// Reads all input rows before passing the first on: separates reads from the writes after them.
final class EagerOperator: PlanOperator {
    private var rows: [Row] = []
    private var index = 0
    private var filled = false
    /// Reads its input when opened, so writes below it happen even when nothing pulls a row (`LIMIT 0`).
    private let readsWhenOpened: Bool
    private var memory = MemoryAccount()

    init(_ input: PlanOperator, readsWhenOpened: Bool = false) {
        self.readsWhenOpened = readsWhenOpened
        super.init("Eager", children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        rows = []
        index = 0
        filled = false
        memory.releaseAll(ctx)
        try super.open(argument, ctx)
        if readsWhenOpened { try fill(ctx) }
    }

    private func fill(_ ctx: ExecutionContext) throws {
        while let row = try input.next(ctx) {
            rows.append(row)
            try memory.charge(row.estimatedBytes, for: "reading all rows before writing", ctx)
        }
        filled = true
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        if !filled { try fill(ctx) }
        guard index < rows.count else { return nil }
        defer { index += 1 }
        return rows[index]
    }
}

/// `OPTIONAL MATCH`: the inner plan's rows for each input row, or the input row with the pattern's
/// new variables set to null when the inner plan finds nothing.
final class OptionalOperator: PlanOperator {
    let inner: PlanOperator
    let introducedSlots: [Int]
    private var current: Row?
    private var foundAny = false

    init(_ input: PlanOperator, inner: PlanOperator, introducedSlots: [Int]) {
        self.inner = inner
        self.introducedSlots = introducedSlots
        super.init("Optional", children: [input, inner])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        current = nil
        try input.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while true {
            if current != nil {
                if let row = try inner.next(ctx) {
                    foundAny = true
                    return row
                }
                if !foundAny, var row = current {
                    current = nil
                    for slot in introducedSlots { row[slot] = .null }
                    return row
                }
                current = nil
            }
            guard let row = try input.next(ctx) else { return nil }
            current = row
            foundAny = false
            try inner.open(row, ctx)
        }
    }
}

/// Runs an internal check (relation uniqueness within a pattern, path building) on each row.
final class RowCheckOperator: PlanOperator {
    let check: (inout Row) throws -> Bool

    init(_ input: PlanOperator, _ name: String, detail: String, _ check: @escaping (inout Row) throws -> Bool) {
        self.check = check
        super.init(name, detail: detail, children: [input])
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while var row = try input.next(ctx) {
            if try check(&row) { return row }
        }
        return nil
    }
}
