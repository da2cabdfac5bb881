/// The part of Gherkin the openCypher TCK uses: a feature with an optional background, scenarios and scenario
/// outlines (expanded once per row of their `Examples`), steps with a doc string or a table.
struct GherkinFeature {
    var name: String
    /// The path under `features/`, e.g. `clauses/match/Match1.feature`.
    var file: String
    var scenarios: [GherkinScenario]
}

struct GherkinScenario {
    var name: String
    /// The line of the `Scenario` keyword, for reports.
    var line: Int
    /// The background's steps followed by the scenario's own.
    var steps: [GherkinStep]
}

struct GherkinStep {
    /// `Given`, `When`, `Then`; `And` and `But` take the keyword of the step before them.
    var keyword: String
    /// The text after the keyword, e.g. `executing query:`.
    var text: String
    var docString: String?
    /// Table rows, cells unescaped (`\|`, `\\`, `\n`).
    var table: [[String]]?
}

enum GherkinError: Error, CustomStringConvertible {
    case malformed(file: String, line: Int, String)

    var description: String {
        switch self {
        case .malformed(let file, let line, let message): "\(file):\(line): \(message)"
        }
    }
}

enum Gherkin {
    /// Parses one `.feature` file.
    static func parse(_ text: String, file: String) throws -> GherkinFeature {
        // Split on scalars: in Swift "\r\n" is one Character, so splitting a CRLF file on "\n" finds no line
        // ends and the whole file reads as one line (nine TCK files have CRLF endings).
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            String(String.UnicodeScalarView($0)).trimmingSuffix("\r")
        }
        var feature = GherkinFeature(name: "", file: file, scenarios: [])
        var background: [GherkinStep] = []
        var inBackground = false
        var current: (name: String, line: Int, outline: Bool, steps: [GherkinStep])?
        var examples: [[[String]]] = []
        var inExamples = false
        var i = 0

        func finish() throws {
            guard let scenario = current else { return }
            current = nil
            if !scenario.outline {
                feature.scenarios.append(GherkinScenario(name: scenario.name, line: scenario.line, steps: background + scenario.steps))
                return
            }
            guard !examples.isEmpty else {
                throw GherkinError.malformed(file: file, line: scenario.line, "a Scenario Outline without Examples")
            }
            var n = 0
            for table in examples {
                guard let header = table.first else { continue }
                for row in table.dropFirst() {
                    n += 1
                    var values: [String: String] = [:]
                    for (k, v) in zip(header, row) { values[k] = v }
                    let steps = (background + scenario.steps).map { substitute($0, values) }
                    feature.scenarios.append(
                        GherkinScenario(name: "\(scenario.name) (example \(n))", line: scenario.line, steps: steps))
                }
            }
            examples = []
        }

        func addStep(_ step: GherkinStep) throws {
            if inBackground {
                background.append(step)
            } else if current != nil {
                current?.steps.append(step)
            } else {
                throw GherkinError.malformed(file: file, line: i + 1, "a step outside a scenario")
            }
        }

        var lastKeyword = "Given"
        while i < lines.count {
            let line = lines[i].trimmingWhitespace()
            i += 1
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("@") { continue }
            if let rest = line.dropPrefix("Feature:") {
                feature.name = rest.trimmingWhitespace()
            } else if line.hasPrefix("Background:") {
                inBackground = true
            } else if let rest = line.dropPrefix("Scenario Outline:") ?? line.dropPrefix("Scenario Template:") {
                try finish()
                inBackground = false
                inExamples = false
                current = (rest.trimmingWhitespace(), i, true, [])
                lastKeyword = "Given"  // a scenario's first `And` continues the background's `Given`
            } else if let rest = line.dropPrefix("Scenario:") {
                try finish()
                inBackground = false
                inExamples = false
                current = (rest.trimmingWhitespace(), i, false, [])
                lastKeyword = "Given"
            } else if line.hasPrefix("Examples:") {
                inExamples = true
                examples.append([])
            } else if line.hasPrefix("|") {
                let row = tableRow(line)
                if inExamples {
                    examples[examples.count - 1].append(row)
                } else if inBackground {
                    try appendRow(row, to: &background, file: file, line: i)
                } else if var scenario = current {
                    try appendRow(row, to: &scenario.steps, file: file, line: i)
                    current = scenario
                } else {
                    throw GherkinError.malformed(file: file, line: i, "a table outside a step")
                }
            } else if line.hasPrefix("\"\"\"") {
                let indent = lines[i - 1].prefix(while: { $0 == " " || $0 == "\t" }).count
                var body: [String] = []
                while i < lines.count, !lines[i].trimmingWhitespace().hasPrefix("\"\"\"") {
                    body.append(String(lines[i].dropFirst(min(indent, lines[i].prefix(while: { $0 == " " }).count))))
                    i += 1
                }
                guard i < lines.count else { throw GherkinError.malformed(file: file, line: i, "an unterminated doc string") }
                i += 1
                let doc = body.joined(separator: "\n")
                if inBackground, !background.isEmpty {
                    background[background.count - 1].docString = doc
                } else if var scenario = current, !scenario.steps.isEmpty {
                    scenario.steps[scenario.steps.count - 1].docString = doc
                    current = scenario
                } else {
                    throw GherkinError.malformed(file: file, line: i, "a doc string outside a step")
                }
            } else if let (keyword, text) = stepKeyword(line) {
                let resolved = (keyword == "And" || keyword == "But") ? lastKeyword : keyword
                lastKeyword = resolved
                try addStep(GherkinStep(keyword: resolved, text: text))
            } else if current == nil, !inBackground {
                continue  // the feature's free-text description
            } else {
                throw GherkinError.malformed(file: file, line: i, "cannot read '\(line)'")
            }
        }
        try finish()
        return feature
    }

    private static func appendRow(_ row: [String], to steps: inout [GherkinStep], file: String, line: Int) throws {
        guard !steps.isEmpty else { throw GherkinError.malformed(file: file, line: line, "a table outside a step") }
        steps[steps.count - 1].table = (steps[steps.count - 1].table ?? []) + [row]
    }

    private static func stepKeyword(_ line: String) -> (String, String)? {
        for keyword in ["Given", "When", "Then", "And", "But"] where line.hasPrefix(keyword + " ") {
            return (keyword, String(line.dropFirst(keyword.count + 1)))
        }
        return nil
    }

    /// The cells of `| a | b |`, trimmed, with Gherkin's escapes (`\|`, `\\`, `\n`) resolved.
    static func tableRow(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var chars = Array(line.dropFirst())[...]
        while let c = chars.popFirst() {
            if c == "\\", let next = chars.first {
                chars.removeFirst()
                switch next {
                case "|": cell.append("|")
                case "\\": cell.append("\\")
                case "n": cell.append("\n")
                default: cell.append("\\"); cell.append(next)
                }
            } else if c == "|" {
                cells.append(cell.trimmingWhitespace())
                cell = ""
            } else {
                cell.append(c)
            }
        }
        return cells
    }

    /// The step with `<name>` placeholders replaced by an example row's values.
    private static func substitute(_ step: GherkinStep, _ values: [String: String]) -> GherkinStep {
        func fill(_ text: String) -> String {
            var out = text
            for (k, v) in values { out = out.replacing("<\(k)>", with: v) }
            return out
        }
        var step = step
        step.text = fill(step.text)
        step.docString = step.docString.map(fill)
        step.table = step.table?.map { $0.map(fill) }
        return step
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }

    func dropPrefix(_ prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
}
