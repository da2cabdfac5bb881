import ArgumentParser
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage
import JSONLines
import Shell
import Spreadsheets
import Verification

/// Parses arguments, runs the command and maps every error to a message on stderr and an exit code.
enum CommandRunner {
    static func run(_ arguments: [String]) -> Int32 {
        // A writer stuck behind another process's write says so after a second (see `WriteLockWait`).
        GraphStore.defaultWriteLockWait = WriteLockWait(notice: { Console.error($0) })
        if let query = QueryInvocation(quickParsing: arguments) {
            return perform { try query.run() }
        }
        if let repeated = repeatedGlobalOption(in: arguments) {
            Console.error("error[\(CIQLError.Code.usage(.invalidArgument))]: \(repeated) is given twice (before the "
                + "command and after it, or twice before it); give it once")
            return 2
        }
        if let unknown = unknownCommand(in: arguments) {
            Console.error("error[\(CIQLError.Code.usage(.invalidArgument))]: unknown command '\(unknown)'; "
                + "see 'cmdb --help' for the commands")
            return 2
        }
        var command: any ParsableCommand
        do {
            command = try CMDBCommand.parseAsRoot(
                joiningNegativeNumbers(movingGlobalOptions(shellByDefault(arguments))))
        } catch {
            let code = CMDBCommand.exitCode(for: error)
            if code == .success {
                Console.out(CMDBCommand.fullMessage(for: error))
                return 0
            }
            Console.error(usageMessage(error))
            return 2
        }
        return perform { try command.run() }
    }

    /// Runs a parsed command and maps what it throws to a message on stderr and an exit code.
    private static func perform(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            try Console.finishOutput()
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error as CommandFailure where error.isRendered {
            Console.error(error.message)
            return error.exitCode
        } catch let error as ImportError {
            return report(error)
        } catch let error as ImportProblems {
            // Every bad line (a dry run), then the summary.
            for problem in error.problems { if let line = ErrorReport.of(problem) { Console.error(line.headline) } }
            return report(error)
        } catch let error as SpreadsheetError {
            return report(error)
        } catch let error as SchemaError {
            return report(error)
        } catch let error as VerificationInputError {
            return report(error)
        } catch let error as AuditRuleError {
            return report(error)
        } catch let error as SchemaViolations {
            return report(error)
        } catch let error as StorageError {
            return report(error)
        } catch let error as OutputSinkError {
            // The reader went away (e.g. `| head`): not an error worth a message.
            return report(error)
        } catch let error as ValidationError {
            return report(error)
        } catch let error as CommandFailure {
            return report(error)
        } catch let error as CIQLError {
            return report(error)
        } catch {
            // Help and usage errors that ArgumentParser raises while running (e.g. `cmdb --help`).
            switch CMDBCommand.exitCode(for: error) {
            case .success:
                Console.out(CMDBCommand.fullMessage(for: error))
                return 0
            case .validationFailure:
                Console.error(usageMessage(error))
                return 2
            default:
                return report(error)
            }
        }
    }

    /// ArgumentParser's message for a usage error, with our code in front: `error[Usage.InvalidArgument]: …`
    /// and the usage lines after it.
    private static func usageMessage(_ error: any Error) -> String {
        let message = CMDBCommand.fullMessage(for: error)
        let text = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
        return "error[\(CIQLError.Code.usage(.invalidArgument))]: " + text
    }

    /// Prints the error's report on stderr and returns its exit code (0, silently, for a closed pipe).
    private static func report(_ error: any Error) -> Int32 {
        guard let report = ErrorReport.of(error) else { return 0 }
        Console.error(report.text)
        return report.exitCode
    }
}

/// `cmdb` with no command (at most `--db DIR`) on a terminal opens the REPL; without one it shows the usage.
func shellByDefault(_ arguments: [String], hasTerminal: Bool = ShellConfiguration.hasTerminal) -> [String] {
    guard hasTerminal else { return arguments }
    let onlyDatabase =
        arguments.isEmpty || (arguments.count == 2 && arguments[0] == "--db")
        || (arguments.count == 1 && arguments[0].hasPrefix("--db="))
    return onlyDatabase ? ["shell"] + arguments : arguments
}

/// The options a command may also be given before its name.
let globalOptions = ["--db", "--timeout", "--max-memory"]

/// `cmdb --db DIR import x` is the documented order; the subcommands own `--db` (and `--timeout`,
/// `--max-memory`), so these given before the subcommand move after it.
func movingGlobalOptions(_ arguments: [String]) -> [String] {
    var leading: [String] = []
    var rest = arguments[...]
    let global = globalOptions
    while let first = rest.first, let name = global.first(where: { first == $0 || first.hasPrefix($0 + "=") }) {
        if first == name {
            guard rest.count >= 2 else { break }
            leading.append(contentsOf: rest.prefix(2))
            rest = rest.dropFirst(2)
        } else if first.hasPrefix(name + "=") {
            leading.append(first)
            rest = rest.dropFirst()
        } else {
            break
        }
    }
    guard !leading.isEmpty, !rest.isEmpty else { return arguments }
    // Options must come before a `--` terminator, if the user wrote one.
    if let dashes = rest.firstIndex(of: "--") {
        return Array(rest[..<dashes]) + leading + Array(rest[dashes...])
    }
    return Array(rest) + leading
}

/// An option given before the command and again after it, or twice before it (`cmdb --db a import --db b f`): moved
/// after the command, one would silently override the other (a write to the wrong database), so it is refused.
func repeatedGlobalOption(in arguments: [String]) -> String? {
    var rest = arguments[...]
    var leading: [String] = []
    while let first = rest.first, let name = globalOptions.first(where: { first == $0 || first.hasPrefix($0 + "=") }) {
        if leading.contains(name) { return name }
        if first == name {
            guard rest.count >= 2 else { break }
            rest = rest.dropFirst(2)
        } else {
            rest = rest.dropFirst()
        }
        leading.append(name)
    }
    let options = rest.prefix { $0 != "--" }
    return leading.first { name in options.contains { $0 == name || $0.hasPrefix(name + "=") } }
}

/// The first word after the leading `--db DIR` when it names no command (`cmdb --db p frobnicate`), else nil.
///
/// Without this the parser, having moved `--db` after the word, would complain about `--db` instead.
func unknownCommand(in arguments: [String]) -> String? {
    var rest = arguments[...]
    while let first = rest.first {
        if first == "--db" {
            rest = rest.dropFirst(2)
        } else if first.hasPrefix("--db=") {
            rest = rest.dropFirst()
        } else {
            break
        }
    }
    guard rest.count < arguments.count, let word = rest.first, !word.hasPrefix("-") else { return nil }
    let known = CMDBCommand.configuration.subcommands.map { $0._commandName }
    return known.contains(word) || word == "help" ? nil : word
}

/// Options whose value is a number that may be negative (then refused with a message that says why).
private let numericOptions: Set<String> = ["--depth", "--stale-days", "--changes", "--cis", "--seed"]

/// `--depth -5` → `--depth=-5`: the parser would take `-5` for an option and say the value is missing; joined,
/// the command's own check says what the value must be.
func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
    var result: [String] = []
    var i = arguments.startIndex
    while i < arguments.endIndex {
        let argument = arguments[i]
        if argument == "--" {
            result.append(contentsOf: arguments[i...])
            break
        }
        if numericOptions.contains(argument), i + 1 < arguments.endIndex,
            arguments[i + 1].count > 1, arguments[i + 1].hasPrefix("-"),
            arguments[i + 1].dropFirst().allSatisfy(\.isNumber)
        {
            result.append(argument + "=" + arguments[i + 1])
            i += 2
            continue
        }
        result.append(argument)
        i += 1
    }
    return result
}

/// An error a command reports with its own exit code and code.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32
    var code: CIQLError.Code
    /// Whether `message` is already the whole report (`error[CODE] …` lines, as for CIQL errors with their caret).
    var isRendered = false

    init(message: String, exitCode: Int32, code: CIQLError.Code? = nil, isRendered: Bool = false) {
        self.message = message
        self.exitCode = exitCode
        self.code = code ?? (exitCode == 2 ? .usage(.invalidArgument) : .usage(.environment))
        self.isRendered = isRendered
    }

    static func badInput(_ message: String, code: CIQLError.Code = .usage(.invalidArgument)) -> CommandFailure {
        CommandFailure(message: message, exitCode: 2, code: code)
    }

    static func environment(_ message: String, code: CIQLError.Code = .usage(.environment)) -> CommandFailure {
        CommandFailure(message: message, exitCode: 3, code: code)
    }
}
