import CIQLValues
import CIQLSyntax
/// One aggregate of a grouping: the function, its argument and where the result goes.
struct AggregateSpec {
    var function: AggregateFunction
    /// nil for `count(*)`.
    var argument: CompiledExpression?
    /// percentileDisc/percentileCont's second argument.
    var parameter: CompiledExpression?
    var distinct: Bool
    var slot: Int
    var location: SourceLocation
}

/// Groups rows by the key slots and folds each group with the aggregates (implicit grouping: every
/// non-aggregate item is a key). Reads all its input before producing a row.
final class AggregateOperator: PlanOperator {
    let keys: [(slot: Int, expression: CompiledExpression)]
    let aggregates: [AggregateSpec]
    private var output: [Row] = []
    private var index = 0
    private var done = false
    private var memory = MemoryAccount()

    init(_ input: PlanOperator, keys: [(slot: Int, expression: CompiledExpression)], aggregates: [AggregateSpec], detail: String) {
        self.keys = keys
        self.aggregates = aggregates
        super.init(keys.isEmpty ? "Aggregate" : "GroupAggregate", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        output = []
        index = 0
        done = false
        memory.releaseAll(ctx)
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        if !done {
            try run(ctx)
            done = true
        }
        guard index < output.count else { return nil }
        defer { index += 1 }
        return output[index]
    }

    private func run(_ ctx: ExecutionContext) throws {
        var groups: [[GroupingKey]: Int] = [:]
        /// One key (`WITH c.class AS k, count(*) AS n`): groups without an array per row.
        var groupsOne: [GroupingKey: Int] = [:]
        var firstRows: [Row] = []
        var states: [[AggregateState]] = []
        var keyValues: [GroupingKey] = []
        while var row = try input.next(ctx) {
            try ctx.checkCancelled()
            var g = firstRows.count
            if keys.count == 1 {
                let key = keys[0]
                let v = try ctx.evaluate(key.expression, &row)
                row[key.slot] = v
                g = groupsOne[GroupingKey(v), default: firstRows.count]
                if g == firstRows.count { groupsOne[GroupingKey(v)] = g }
            } else if !keys.isEmpty {
                // Reused between rows: a new array only after its last one became a group's key.
                keyValues.removeAll(keepingCapacity: true)
                for key in keys {
                    let v = try ctx.evaluate(key.expression, &row)
                    row[key.slot] = v
                    keyValues.append(GroupingKey(v))
                }
                g = groups[keyValues, default: firstRows.count]
                if g == firstRows.count { groups[keyValues] = g }
            } else if !firstRows.isEmpty {
                g = 0  // one group: no key to hash per row
            }
            let isNew = g == firstRows.count
            if isNew {
                states.append(aggregates.map { AggregateState($0) })
                try memory.charge(2 * row.estimatedBytes + 64 * aggregates.count, for: "grouping", ctx)
            }
            for (i, spec) in aggregates.enumerated() {
                let v = try spec.argument.map { try ctx.evaluate($0, &row) }
                let p = try spec.parameter.map { try ctx.evaluate($0, &row) }
                let held = try states[g][i].add(v, parameter: p, ctx)
                if held > 0 { try memory.charge(held, for: "\(spec.function.displayName)()", ctx) }
            }
            if isNew {
                // The group's row keeps only what is read after grouping (its keys and what ORDER BY sees).
                for slot in clearedInGroups { row[slot] = .null }
                firstRows.append(row)
            }
        }
        if firstRows.isEmpty, keys.isEmpty {
            // No rows and no grouping keys: one row of empty aggregates (count 0, sum 0, collect []).
            var row = Row(repeating: .null, count: rowWidth)
            for spec in aggregates { row[spec.slot] = try AggregateState(spec).result(ctx) }
            output = [row]
            return
        }
        output.reserveCapacity(firstRows.count)
        for (g, var row) in firstRows.enumerated() {
            for (i, spec) in aggregates.enumerated() { row[spec.slot] = try states[g][i].result(ctx) }
            output.append(row)
        }
    }

    /// The row width, set by the planner (an empty input has no row to copy).
    var rowWidth = 0
    /// Slots cleared in each group's row: the variables before the grouping that nothing reads after it.
    var clearedInGroups: [Int] = []
}

/// Drops rows whose given slots equal those of an earlier row.
final class DistinctOperator: PlanOperator {
    let slots: [Int]
    private var seen: Set<[GroupingKey]> = []
    /// One slot (`RETURN DISTINCT x.id`): keys without an array per row.
    private var seenOne: Set<GroupingKey> = []
    /// The key of the row at hand, reused between rows: only a row not seen before costs an array.
    private var probe: [GroupingKey] = []
    private var memory = MemoryAccount()

    init(_ input: PlanOperator, slots: [Int], detail: String) {
        self.slots = slots
        super.init("Distinct", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        // A cached plan runs again for the next statement of its shape: a small set keeps its storage for it.
        Self.empty(&seen)
        Self.empty(&seenOne)
        memory.releaseAll(ctx)
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while let row = try input.next(ctx) {
            let inserted: Bool
            if slots.count == 1 {
                inserted = seenOne.insert(GroupingKey(row[slots[0]])).inserted
            } else {
                probe.removeAll(keepingCapacity: true)
                for slot in slots { probe.append(GroupingKey(row[slot])) }
                inserted = !seen.contains(probe) && seen.insert(probe).inserted
            }
            if inserted {
                try memory.charge(slots.reduce(48) { $0 &+ row[$1].estimatedBytes }, for: "DISTINCT", ctx)
                return row
            }
        }
        return nil
    }

    /// Empties `set`, keeping its storage when it held no more than a few hundred keys.
    private static func empty<Key>(_ set: inout Set<Key>) {
        set.removeAll(keepingCapacity: set.capacity <= 512)
    }
}

/// `ORDER BY`: sorts all input rows (stable), keeping only the first `limit` when one is known.
final class SortOperator: PlanOperator {
    let keys: [(expression: CompiledExpression, descending: Bool)]
    /// `ORDER BY … SKIP s LIMIT n` keeps s + n rows, not all of them.
    let skip: CompiledExpression?
    let limit: CompiledExpression?
    private var rows: [Row] = []
    private var index = 0
    private var done = false
    private var memory = MemoryAccount()

    init(
        _ input: PlanOperator, keys: [(expression: CompiledExpression, descending: Bool)], skip: CompiledExpression?,
        limit: CompiledExpression?, detail: String
    ) {
        self.keys = keys
        self.skip = skip
        self.limit = limit
        super.init(limit == nil ? "Sort" : "Top", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        rows = []
        index = 0
        done = false
        memory.releaseAll(ctx)
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        if !done {
            var keyed: [([Value], Int, Row)] = []
            var n = 0
            var cap = Int.max
            if let limit {
                var empty: Row = []
                let skipped = try skip.map { try Self.count($0, &empty, ctx, what: "SKIP") } ?? 0
                let (sum, overflow) = try Self.count(limit, &empty, ctx, what: "LIMIT").addingReportingOverflow(skipped)
                cap = overflow ? .max : sum
            }
            while var row = try input.next(ctx) {
                try ctx.checkCancelled()
                var k: [Value] = []
                for key in keys { k.append(try ctx.evaluate(key.expression, &row)) }
                for slot in clearedAfterKeys { row[slot] = .null }
                keyed.append((k, n, row))
                try memory.charge(k.estimatedBytes + row.estimatedBytes, for: "ORDER BY", ctx)
                n += 1
                if cap < Int.max / 4, keyed.count > max(1024, cap * 2) {
                    keyed.sort(by: less)
                    // Give back the share of the rows dropped.
                    memory.release(memory.bytes / keyed.count * (keyed.count - cap), ctx)
                    keyed.removeLast(keyed.count - cap)
                }
            }
            keyed.sort(by: less)
            if keyed.count > cap { keyed.removeLast(keyed.count - cap) }
            rows = keyed.map(\.2)
            done = true
        }
        guard index < rows.count else { return nil }
        defer { index += 1 }
        return rows[index]
    }

    /// Slots cleared in each row once its keys are computed: what only the keys read (see `SlotLayout`).
    var clearedAfterKeys: [Int] = []

    private func less(_ a: ([Value], Int, Row), _ b: ([Value], Int, Row)) -> Bool {
        for (i, key) in keys.enumerated() {
            let c = Value.orderedCompare(a.0[i], b.0[i])
            if c != .equal { return key.descending ? c == .descending : c == .ascending }
        }
        return a.1 < b.1
    }

    /// Evaluates a SKIP/LIMIT count: a non-negative integer, else an error naming it.
    static func count(_ e: CompiledExpression, _ row: inout Row, _ ctx: ExecutionContext, what: String) throws -> Int {
        switch try ctx.evaluate(e, &row) {
        case .int(let i) where i >= 0: return Int(clamping: i)
        case let v:
            let isInteger = if case .int = v { true } else { false }
            let code: CIQLError.Code = isInteger ? .syntax(.negativeIntegerArgument) : .syntax(.invalidArgumentType)
            throw CIQLError(.runtime, code, "\(what) needs a non-negative integer, found \(ValueText.literal(v))")
        }
    }
}

/// `SKIP n` and `LIMIT n`: the count is evaluated once when the operator opens.
final class SliceOperator: PlanOperator {
    let skip: CompiledExpression?
    let limit: CompiledExpression?
    private var toSkip = 0
    private var remaining = Int.max

    init(_ input: PlanOperator, skip: CompiledExpression?, limit: CompiledExpression?, detail: String) {
        self.skip = skip
        self.limit = limit
        super.init(limit == nil ? "Skip" : "Limit", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        var row = argument
        toSkip = try skip.map { try SortOperator.count($0, &row, ctx, what: "SKIP") } ?? 0
        remaining = try limit.map { try SortOperator.count($0, &row, ctx, what: "LIMIT") } ?? .max
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        guard remaining > 0 else { return nil }
        while toSkip > 0 {
            guard try input.next(ctx) != nil else { return nil }
            toSkip -= 1
        }
        guard let row = try input.next(ctx) else { return nil }
        remaining -= 1
        return row
    }
}

/// `UNION [ALL]`: the rows of each part in turn; each part projects into the same output slots.
final class UnionOperator: PlanOperator {
    private var part = 0

    init(_ parts: [PlanOperator]) { super.init("Union", children: parts) }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        part = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while part < children.count {
            if let row = try children[part].next(ctx) { return row }
            part += 1
        }
        return nil
    }
}

/// `MATCH (n[:Class]) RETURN class(n), n.status, count(*)`: answered from the store's live counts per
/// (class, status) instead of reading every node.
final class CountStoreOperator: PlanOperator {
    enum Key {
        case label, status
    }

    let keys: [(slot: Int, key: Key)]
    let countSlots: [Int]
    /// The classes counted (nil: all).
    let labels: Set<String>?
    private var rows: [Row] = []
    private var index = 0
    private var width = 0

    init(keys: [(slot: Int, key: Key)], countSlots: [Int], labels: Set<String>?, detail: String) {
        self.keys = keys
        self.countSlots = countSlots
        self.labels = labels
        super.init("CountStore", detail: detail, children: [ArgumentOperator()])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        width = argument.count
        rows = []
        index = 0
        var groups: [[GroupingKey]: (Row, Int64)] = [:]
        var order: [[GroupingKey]] = []
        for (label, status, count) in try ctx.source.countsByLabelAndStatus() where count > 0 {
            if let labels, !(label.map(labels.contains) ?? false) { continue }
            var row = Row(repeating: .null, count: width)
            for (slot, key) in keys {
                switch key {
                case .label: row[slot] = label.map(Value.string) ?? .null
                case .status: row[slot] = status.isEmpty ? .null : .string(status)
                }
            }
            let groupKey = keys.map { GroupingKey(row[$0.slot]) }
            if let existing = groups[groupKey] {
                groups[groupKey] = (existing.0, existing.1 + Int64(count))
            } else {
                groups[groupKey] = (row, Int64(count))
                order.append(groupKey)
            }
        }
        for key in order {
            guard let group = groups[key] else { continue }
            var row = group.0
            for slot in countSlots { row[slot] = .int(group.1) }
            rows.append(row)
        }
        if rows.isEmpty, keys.isEmpty {
            var row = Row(repeating: .null, count: width)
            for slot in countSlots { row[slot] = .int(0) }
            rows = [row]
        }
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        guard index < rows.count else { return nil }
        defer { index += 1 }
        return rows[index]
    }
}
