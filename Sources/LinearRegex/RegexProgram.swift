/// One step of the automaton a pattern compiles to (Thompson's construction).
enum RegexInstruction: Sendable {
    /// Consume one scalar that passes the test, then go on at the next instruction.
    case consume(ScalarTest)
    /// Go on at both instructions.
    case split(Int, Int)
    case jump(Int)
    /// Go on at the next instruction only where the assertion holds.
    case assert(RegexAssertion)
    case match
}

/// The compiled automaton and its simulation, which keeps at most one thread per instruction: the work per input
/// scalar is bounded by the program's size, so matching is linear in the input whatever the pattern.
struct RegexProgram: Sendable {
    private(set) var instructions: [RegexInstruction] = []

    /// The number of instructions `node` compiles to, saturating at `Int.max` (checked before compiling, so a
    /// pattern like `(a{1000}){1000}` is refused without building it).
    static func size(of node: RegexNode) -> Int {
        func add(_ a: Int, _ b: Int) -> Int {
            let (r, o) = a.addingReportingOverflow(b)
            return o ? .max : r
        }
        func times(_ a: Int, _ b: Int) -> Int {
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o ? .max : r
        }
        switch node {
        case .empty: return 0
        case .scalar, .assertion: return 1
        case .concatenation(let items): return items.reduce(0) { add($0, size(of: $1)) }
        case .alternation(let branches):
            return add(branches.reduce(0) { add($0, size(of: $1)) }, times(2, branches.count - 1))
        case .repetition(let body, let minimum, let maximum):
            let s = size(of: body)
            let required = times(minimum, s)
            guard let maximum else { return add(required, add(s, 2)) }
            return add(required, times(maximum - minimum, add(s, 1)))
        }
    }

    init(_ node: RegexNode) {
        emit(node)
        instructions.append(.match)
    }

    private mutating func emit(_ node: RegexNode) {
        switch node {
        case .empty: break
        case .scalar(let test): instructions.append(.consume(test))
        case .assertion(let a): instructions.append(.assert(a))
        case .concatenation(let items): for item in items { emit(item) }
        case .alternation(let branches):
            var exits: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i == branches.count - 1 {
                    emit(branch)
                } else {
                    let split = instructions.count
                    instructions.append(.split(split + 1, -1))
                    emit(branch)
                    exits.append(instructions.count)
                    instructions.append(.jump(-1))
                    instructions[split] = .split(split + 1, instructions.count)
                }
            }
            for e in exits { instructions[e] = .jump(instructions.count) }
        case .repetition(let body, let minimum, let maximum):
            for _ in 0..<minimum { emit(body) }
            if let maximum {
                // e? nested (maximum - minimum) times; every split leaves to the common end.
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(instructions.count)
                    instructions.append(.split(instructions.count + 1, -1))
                    emit(body)
                }
                for s in splits { instructions[s] = .split(s + 1, instructions.count) }
            } else {
                let loop = instructions.count
                instructions.append(.split(loop + 1, -1))
                emit(body)
                instructions.append(.jump(loop))
                instructions[loop] = .split(loop + 1, instructions.count)
            }
        }
    }

    // MARK: - Simulation

    /// Whether the automaton accepts `scalars` (`anchored`: the whole of it; else some part of it). `check` runs
    /// every `interval` scalars and may throw to stop a long match.
    func matches(
        _ scalars: [Unicode.Scalar], anchored: Bool, interval: Int, _ check: () throws -> Void
    ) rethrows -> Bool {
        var current = ThreadList(capacity: instructions.count)
        var next = ThreadList(capacity: instructions.count)
        var stack: [Int] = []
        addThread(0, to: &current, at: 0, in: scalars, stack: &stack)
        var position = 0
        while position < scalars.count {
            if !anchored {
                if current.contains(instructions.count - 1) { return true }
                addThread(0, to: &current, at: position, in: scalars, stack: &stack)
            } else if current.isEmpty {
                return false
            }
            if position % interval == interval - 1 { try check() }
            let scalar = scalars[position]
            next.removeAll()
            for pc in current.members {
                if case .consume(let test) = instructions[pc], test.accepts(scalar) {
                    addThread(pc + 1, to: &next, at: position + 1, in: scalars, stack: &stack)
                }
            }
            swap(&current, &next)
            position += 1
        }
        if !anchored { addThread(0, to: &current, at: position, in: scalars, stack: &stack) }
        return current.contains(instructions.count - 1)
    }

    /// Adds the thread at `pc` and every thread its jumps, splits and holding assertions lead to.
    private func addThread(
        _ pc: Int, to list: inout ThreadList, at position: Int, in scalars: [Unicode.Scalar], stack: inout [Int]
    ) {
        stack.append(pc)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch instructions[pc] {
            case .jump(let target): stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assert(let assertion):
                if assertion.holds(at: position, in: scalars) { stack.append(pc + 1) }
            case .consume, .match: break
            }
        }
    }
}

/// A set of instruction indexes with constant-time insert, membership and clearing (a sparse set).
private struct ThreadList {
    private(set) var members: [Int] = []
    private var slot: [Int]

    init(capacity: Int) {
        slot = Array(repeating: 0, count: capacity)
        members.reserveCapacity(capacity)
    }

    var isEmpty: Bool { members.isEmpty }

    func contains(_ pc: Int) -> Bool {
        let s = slot[pc]
        return s < members.count && members[s] == pc
    }

    /// Adds `pc`; false when it was there already.
    mutating func insert(_ pc: Int) -> Bool {
        if contains(pc) { return false }
        slot[pc] = members.count
        members.append(pc)
        return true
    }

    mutating func removeAll() { members.removeAll(keepingCapacity: true) }
}

extension ScalarTest {
    func accepts(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .literal(let expected, let alternatives):
            return scalar == expected || !alternatives.isEmpty && alternatives.contains(scalar)
        case .any(let matchesLineTerminators): return matchesLineTerminators || !scalar.isLineTerminator
        case .set(let set): return set.contains(scalar)
        }
    }
}

extension RegexAssertion {
    func holds(at position: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = position > 0 ? scalars[position - 1] : nil
        let after = position < scalars.count ? scalars[position] : nil
        // Between the \r and \n of a \r\n no line starts or ends.
        let insideCRLF = before == "\r" && after == "\n"
        switch self {
        case .inputStart: return position == 0
        case .inputEnd: return position == scalars.count
        case .lineStart(let multiline):
            if position == 0 { return true }
            guard multiline, let before, before.isLineTerminator, after != nil else { return false }
            return !insideCRLF
        case .lineEnd(let multiline):
            if position == scalars.count { return true }
            guard let after, after.isLineTerminator, !insideCRLF else { return false }
            if multiline { return true }
            // Without (?m): only before the final line terminator (a \r\n counts as one).
            let rest = scalars.count - position
            return rest == 1 || rest == 2 && after == "\r" && scalars[position + 1] == "\n"
        case .wordBoundary(let negated):
            let boundary = (before?.isWordForBoundary ?? false) != (after?.isWordForBoundary ?? false)
            return boundary != negated
        }
    }
}

extension Unicode.Scalar {
    /// What `\b` counts as part of a word: letters, digits and `_`.
    fileprivate var isWordForBoundary: Bool {
        isASCIIWord || value >= 0x80 && (properties.isAlphabetic || properties.numericType == .decimal)
    }
}
