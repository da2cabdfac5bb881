import CIQLValues
import CIQLSyntax
import GraphStorage
import Synchronization

/// Plans of read-only statements by shape (their tokens with literal values left out), so a statement that
/// differs from an earlier one only in its literals runs without being parsed or planned again.
///
/// A literal becomes a hidden parameter only where the plan cannot depend on its value: a pattern's property
/// map, a `WHERE`, `UNWIND`, and the aliased items of a `WITH`/`RETURN` without `ORDER BY` or aggregation (where
/// the planner compares printed expressions and names columns by their text). Every other literal is pinned: the
/// entry serves only statements that spell it the same way. So a cached plan gives exactly what a fresh plan of
/// the same text gives. Types are part of the shape (`{id: 'a'}` and `{id: 1}` are planned apart).
///
/// A bounded LRU. Cleared when the database's names or indexed properties change (the planner reads both); it is
/// checked only when the snapshot moved since the last look. An entry is taken out while its plan runs (operators
/// keep state), so two threads never share one; a shape keeps up to `copiesPerShape` plans, so threads running
/// the same shape at once (the server's readers) each take one instead of planning it again.
///
/// `@unchecked Sendable`: all mutable state is reached only under `lock`; plans are not Sendable, and each entry
/// is handed to one thread at a time (`take` removes it, `put` returns it).
final class PlanCache: @unchecked Sendable {
    /// A plan and what it was made from (a class: it moves in and out of the cache once per statement).
    final class Entry {
        let statement: Statement
        let plan: QueryPlan
        /// Per literal of the shape, in order: its hidden parameter, or nil when pinned.
        let parameterNames: [String?]
        /// How many of them are hidden parameters.
        let hiddenParameterCount: Int
        /// Each literal's spelling; pinned ones must match.
        let spellings: [String]
        /// The offsets of the statement's tokens relative to its first, to move error locations to a later
        /// statement of the same shape.
        let tokenOffsets: [Int]
        /// Offset of the statement's first token in its text.
        let base: Int

        init(
            statement: Statement, plan: QueryPlan, parameterNames: [String?], spellings: [String], tokenOffsets: [Int],
            base: Int
        ) {
            self.statement = statement
            self.plan = plan
            self.parameterNames = parameterNames
            self.hiddenParameterCount = parameterNames.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
            self.spellings = spellings
            self.tokenOffsets = tokenOffsets
            self.base = base
        }

        /// Whether this plan serves a statement with these literals: its pinned ones spelt the same.
        func serves(_ literals: [StatementShapes.Literal]) -> Bool {
            guard spellings.count == literals.count else { return false }
            for i in literals.indices where parameterNames[i] == nil && spellings[i] != literals[i].spelling {
                return false
            }
            return true
        }
    }

    /// The idle plans of one shape, and when the shape was last used.
    private final class Shelf {
        var plans: [Entry]
        var lastUse: UInt64

        init(_ plans: [Entry], lastUse: UInt64) {
            self.plans = plans
            self.lastUse = lastUse
        }
    }

    /// What the planner read from the database, besides the schema the engine was made with.
    struct Fingerprint: Equatable {
        var nameCount: Int
        var indexedKeys: [String]
    }

    /// A shape key, hashed as one block of bytes (an `[UInt8]` hashes byte by byte, which showed in profiles of
    /// scripts of short lookups).
    struct Key: Hashable {
        let bytes: [UInt8]
        /// The bytes' hash, computed once: a key made once per shape is looked up once per statement.
        private let hash: Int

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var hasher = Hasher()
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            hash = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
    }

    private struct State {
        /// Per shape: its idle plans (taken ones are out), and when the shape was last used.
        var entries: [Key: Shelf] = [:]
        var clock: UInt64 = 0
        /// The snapshot the fingerprint was last compared at.
        var checkedAt: Int = -1
        var fingerprint: Fingerprint?
        var hits = 0, misses = 0
    }

    /// Prefix of hidden parameter names; a statement whose own parameters use it bypasses the cache.
    static let hiddenPrefix = "\u{0}literal "
    let capacity: Int
    /// Idle plans kept per shape.
    static let copiesPerShape = 8
    private let lock = Mutex(())
    private var unguardedState = State()

    private func withState<R>(_ body: (inout State) -> R) -> R {
        lock.withLock { _ in body(&unguardedState) }
    }

    init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// Forgets every plan when what the planner read changed since `tx`'s snapshot was last seen.
    func validate(_ tx: GraphTransaction) throws {
        let snapshot = tx.snapshotID
        if withState({ $0.checkedAt == snapshot }) { return }
        let now = Fingerprint(nameCount: tx.nameCount, indexedKeys: try tx.indexedProperties())
        withState { s in
            if s.fingerprint != now {
                s.entries.removeAll()
                s.fingerprint = now
            }
            s.checkedAt = snapshot
        }
    }

    /// Whether a statement of this shape was planned before (so it parses).
    func contains(_ key: Key) -> Bool { withState { $0.entries[key] != nil } }

    /// Takes the entry for `key` out of the cache when its pinned literals match `literals`; give it back with
    /// `put` when its plan has run.
    func take(_ key: Key, _ literals: [StatementShapes.Literal]) -> Entry? {
        withState { s -> Entry? in
            guard let shelf = s.entries[key], let index = shelf.plans.lastIndex(where: { $0.serves(literals) }) else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            return shelf.plans.remove(at: index)
        }
    }

    /// Stores `entry` under `key`, dropping the least recently used entry when full.
    func put(_ key: Key, _ entry: Entry) {
        withState { s in
            s.clock += 1
            if let shelf = s.entries[key] {
                if shelf.plans.count >= Self.copiesPerShape { shelf.plans.removeFirst() }
                shelf.plans.append(entry)
                shelf.lastUse = s.clock
                return
            }
            s.entries[key] = Shelf([entry], lastUse: s.clock)
            if s.entries.count > capacity, let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                s.entries[oldest.key] = nil
            }
        }
    }

    /// Plans held, and lookups that found one or not (for tests).
    var statistics: (count: Int, hits: Int, misses: Int) {
        withState { ($0.entries.count, $0.hits, $0.misses) }
    }

    /// The hidden parameter of literal number `index`.
    static func parameterName(_ index: Int) -> String { hiddenPrefix + String(index) }
}

extension StatementShapes.Literal.Value {
    var value: Value {
        switch self {
        case .int(let i): .int(i)
        case .float(let d): .float(d)
        case .string(let s): .string(s)
        }
    }
}

/// Where literals may become parameters without changing a plan (see `PlanCache`).
enum LiteralRegions {
    /// The offsets of the literals of `query` that may become parameters.
    static func parameterisable(_ query: Query) -> Set<Int> {
        var found = Set<Int>()
        for part in query.parts {
            for clause in part.clauses {
                switch clause.kind {
                case .match(_, let pattern, let condition):
                    for p in pattern { collect(p.element, &found) }
                    if let condition { collect(condition, &found) }
                case .with(let projection, let condition):
                    collect(projection, &found)
                    if let condition { collect(condition, &found) }
                case .return(let projection):
                    collect(projection, &found)
                case .unwind(let e, _):
                    collect(e, &found)
                case .call(let call):
                    // A procedure's arguments are evaluated when it runs (`CALL impact(['hv-001'])`).
                    for argument in call.arguments ?? [] { collect(argument, &found) }
                default:
                    break
                }
            }
        }
        return found
    }

    private static func collect(_ projection: Projection, _ found: inout Set<Int>) {
        guard projection.orderBy.isEmpty, !projection.items.contains(where: { $0.expression.containsAggregate })
        else { return }
        for item in projection.items where item.alias != nil { collect(item.expression, &found) }
    }

    private static func collect(_ element: PatternElement, _ found: inout Set<Int>) {
        if let map = element.start.properties { collect(map, &found) }
        for step in element.steps {
            if let map = step.relationship.properties { collect(map, &found) }
            if let map = step.node.properties { collect(map, &found) }
        }
    }

    /// Literals in the expression forms listed; anything else (subqueries, comprehensions, CASE) stays pinned.
    private static func collect(_ e: Expression, _ found: inout Set<Int>) {
        switch e.kind {
        case .int, .float, .string: found.insert(e.location.offset)
        case .property(let base, _): collect(base, &found)
        case .list(let items): for x in items { collect(x, &found) }
        case .map(let entries): for x in entries { collect(x.value, &found) }
        case .unary(_, let x): collect(x, &found)
        case .binary(_, let a, let b):
            collect(a, &found)
            collect(b, &found)
        case .isNull(let x, _): collect(x, &found)
        case .function(_, _, let arguments): for x in arguments { collect(x, &found) }
        default: break
        }
    }
}
