import CIQL
package import CIQLResults
import CIQLSyntax
import GraphStorage

/// A line starting with `:` at the start of a statement: the shell's own commands, as in cypher-shell.
package enum MetaCommand: Equatable, Sendable {
    case help
    case quit
    /// `:timing` toggles; `:timing on|off` sets.
    case timing(Bool?)
    case format(ResultFormat)
    /// `:timeout` shows the statement time limit; `:timeout SECONDS` sets it (0 or off: none).
    case timeout(TimeoutSetting)
    /// `:param name => expression`: the expression is CIQL, evaluated once.
    case setParameter(name: String, expression: String)
    /// `:param` or `:params`: list them.
    case listParameters
    /// `:param clear` (or `:params clear`).
    case clearParameters
    /// `:change REF` sets the change reference for the writes that follow; `:change off` clears it; `:change` shows.
    case change(Change)
    case schema
    case impact([String])
    case history(String)
    case describe(String)

    package enum TimeoutSetting: Equatable, Sendable {
        case show, off
        case seconds(Double)
    }

    package enum Change: Equatable, Sendable {
        case show, clear
        case set(String)
    }

    /// The command names, for `:help` and completion.
    package static let names = [
        "change", "describe", "exit", "format", "help", "history", "impact", "param", "params", "quit", "schema",
        "timeout", "timing",
    ]
    package static let formats = ResultFormat.allCases.map(\.rawValue)

    /// What went wrong reading a meta-command; the message says what would be right.
    package struct ParseError: Error, Equatable, Sendable {
        package var message: String

        package init(message: String) { self.message = message }
    }

    /// Parses a line that starts with `:`.
    package static func parse(_ line: String) throws(ParseError) -> MetaCommand {
        var text = line.trimmingWhitespace()
        if text.hasPrefix(":") { text.removeFirst() }
        if text.hasSuffix(";") { text = String(text.dropLast()).trimmingWhitespace() }
        let name = String(text.prefix { !$0.isWhitespace }).lowercased()
        let rest = String(text.dropFirst(name.count)).trimmingWhitespace()
        let words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
        switch name {
        case "help", "h", "?": return .help
        case "quit", "exit", "q": return .quit
        case "timing":
            switch rest.lowercased() {
            case "": return .timing(nil)
            case "on": return .timing(true)
            case "off": return .timing(false)
            default: throw ParseError(message: ":timing takes on or off, not '\(rest)'")
            }
        case "timeout":
            if rest.isEmpty { return .timeout(.show) }
            if ["off", "none", "0"].contains(rest.lowercased()) { return .timeout(.off) }
            let number = rest.lowercased().hasSuffix("s") ? String(rest.dropLast()) : rest
            guard let seconds = Double(number), seconds > 0, seconds.isFinite else {
                throw ParseError(message: ":timeout takes a number of seconds (e.g. :timeout 30) or off, not '\(rest)'")
            }
            return .timeout(.seconds(seconds))
        case "format":
            guard let format = ResultFormat(rawValue: rest.lowercased()) else {
                throw ParseError(message: ":format takes one of \(formats.joined(separator: ", "))"
                    + (rest.isEmpty ? "" : ", not '\(rest)'"))
            }
            return .format(format)
        case "param", "params":
            if rest.isEmpty { return .listParameters }
            if rest.lowercased() == "clear" { return .clearParameters }
            guard let arrow = rest.firstRange(of: "=>") else {
                throw ParseError(message: "write :param name => value, e.g. :param team => 'platform-team'")
            }
            var parameter = rest[..<arrow.lowerBound].trimmingWhitespace()
            if parameter.hasPrefix("$") { parameter.removeFirst() }
            let expression = rest[arrow.upperBound...].trimmingWhitespace()
            guard !parameter.isEmpty, parameter.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                parameter.first?.isNumber == false
            else {
                throw ParseError(message: "'\(parameter)' is not a parameter name (letters, digits and _)")
            }
            guard !expression.isEmpty else { throw ParseError(message: ":param \(parameter) => needs a value after '=>'") }
            return .setParameter(name: parameter, expression: expression)
        case "change":
            if ChangeReference.given(rest) == nil { return .change(.show) }
            if let problem = ChangeReference.problem(with: rest) { throw ParseError(message: ":change: \(problem)") }
            if ["off", "none", "clear"].contains(rest.lowercased()) { return .change(.clear) }
            guard words.count == 1 else { throw ParseError(message: ":change takes one change reference, e.g. :change CHG0001234") }
            return .change(.set(rest))
        case "schema": return .schema
        case "impact":
            let ids = try ciIDs(in: rest, command: name)
            guard !ids.isEmpty else { throw ParseError(message: ":impact needs one or more CI ids") }
            return .impact(ids)
        case "history", "describe":
            let ids = try ciIDs(in: rest, command: name)
            guard ids.count == 1, let id = ids.first else {
                throw ParseError(message: ":\(name) needs one CI id, e.g. :\(name) web-01")
            }
            return name == "history" ? .history(id) : .describe(id)
        default:
            var message = "unknown command ':\(name)'"
            if let close = names.first(where: { $0.hasPrefix(name) && !name.isEmpty }) { message += " (did you mean ':\(close)'?)" }
            throw ParseError(message: message + "; :help lists the commands")
        }
    }

    /// The CI ids of a command's arguments: a bare word as it is, a quoted one (`'two words'`, `'evil\u001B'`) as the
    /// CIQL string it is, escapes and all, which is how tab completion writes an id that cannot stand bare.
    private static func ciIDs(in text: String, command: String) throws(ParseError) -> [String] {
        var ids: [String] = []
        var rest = Substring(text)
        while let start = rest.firstIndex(where: { !$0.isWhitespace }) {
            rest = rest[start...]
            guard let quote = rest.first, quote == "'" || quote == "\"" else {
                let word = rest.prefix { !$0.isWhitespace }
                ids.append(String(word))
                rest = rest[word.endIndex...]
                continue
            }
            var end = rest.index(after: rest.startIndex)
            var escaped = false
            while end < rest.endIndex, escaped || rest[end] != quote {
                escaped = !escaped && rest[end] == "\\"
                end = rest.index(after: end)
            }
            guard end < rest.endIndex else {
                throw ParseError(message: ":\(command): \(rest.prefix { !$0.isWhitespace }) has no closing quote")
            }
            let literal = String(rest[...end])
            do {
                ids.append(try CIQLLexer.stringLiteralValue(literal))
            } catch {
                throw ParseError(message: ":\(command): \(literal) is not a CIQL string: \(error.message)")
            }
            rest = rest[rest.index(after: end)...]
            if let next = rest.first, !next.isWhitespace {
                throw ParseError(message: ":\(command): put a space after \(literal)")
            }
        }
        return ids
    }

    /// The text of `:help`.
    package static let helpText = """
        Statements end with ';' and may span lines. Tab completes keywords, classes (after ':'), relation
        types (in [...]), properties (after '.'), parameters (after '$') and CI ids (inside quotes).
        Up-arrow walks the history. Ctrl-C cancels the running statement (or clears the line); Ctrl-D leaves.

          :help                      this text
          :quit, :exit               leave (or Ctrl-D)
          :param name => value       set $name to a CIQL value, e.g. :param ids => ['web-01', 'db-01']
          :params [clear]            list (or clear) the parameters
          :change REF | off          record the writes that follow under this change reference
          :format table|json|jsonl|csv   how results are shown
          :timing [on|off]           show how long each statement took
          :timeout [SECONDS|off]     show or set each statement's time limit (default 300)
          :schema                    the classes and relation types
          :describe CI               a CI with its relations in both directions
          :history CI                every version of a CI: when, who, which change, what changed
          :impact CI...              what breaks if these CIs go down
        """
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
