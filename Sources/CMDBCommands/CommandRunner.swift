import ArgumentParser
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
        var command: any ParsableCommand
        do {
            command = try CMDBCommand.parseAsRoot(movingGlobalOptions(shellByDefault(arguments)))
        } catch {
            let code = CMDBCommand.exitCode(for: error)
            if code == .success {
                Console.out(CMDBCommand.fullMessage(for: error))
                return 0
            }
            Console.error(CMDBCommand.fullMessage(for: error))
            return 2
        }
        do {
            try command.run()
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch let error as CommandFailure {
            Console.error("error: \(error.message)")
            return error.exitCode
        } catch let error as ImportError {
            Console.error("error: \(error)")
            Console.error("nothing was imported")
            return 2
        } catch let error as ImportProblems {
            for problem in error.problems { Console.error("\(problem)") }
            let count = error.problems.count
            var summary = "error: \(count) problem\(count == 1 ? "" : "s") on \(error.badLines) line"
                + "\(error.badLines == 1 ? "" : "s")"
            if error.isTruncated { summary += "; stopped at --max-errors \(count), there may be more" }
            Console.error(summary + "; nothing was written")
            return 2
        } catch let error as SpreadsheetError {
            Console.error("error: \(error)")
            return 2
        } catch let error as SchemaError {
            Console.error("error: \(error)")
            return 2
        } catch let error as VerificationInputError {
            Console.error("error: \(error)")
            Console.error("nothing was changed")
            return 2
        } catch let error as AuditRuleError {
            Console.error("error: \(error)")
            return 2
        } catch let error as SchemaViolations {
            Console.error("error: \(error)")
            return 2
        } catch let error as StorageError {
            Console.error("error: \(error.message)")
            return error.code == .keyTooLong || error.code == .constraint ? 2 : 3
        } catch let error as OutputSinkError {
            // The reader went away (e.g. `| head`): not an error worth a message.
            if error.isBrokenPipe { return 0 }
            Console.error("error: \(error.message)")
            return 3
        } catch let error as ValidationError {
            Console.error("error: \(error.message)")
            return 2
        } catch {
            // Help and usage errors that ArgumentParser raises while running (e.g. `cmdb --help`).
            switch CMDBCommand.exitCode(for: error) {
            case .success:
                Console.out(CMDBCommand.fullMessage(for: error))
                return 0
            case .validationFailure:
                Console.error(CMDBCommand.fullMessage(for: error))
                return 2
            default:
                Console.error("error: \(error)")
                return 3
            }
        }
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

/// `cmdb --db DIR import x` is the documented order; the subcommands own `--db`, so a `--db` given before
/// the subcommand moves after it.
func movingGlobalOptions(_ arguments: [String]) -> [String] {
    var leading: [String] = []
    var rest = arguments[...]
    while let first = rest.first, first.hasPrefix("--db") {
        if first == "--db" {
            guard rest.count >= 2 else { break }
            leading.append(contentsOf: rest.prefix(2))
            rest = rest.dropFirst(2)
        } else if first.hasPrefix("--db=") {
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

/// An error a command reports with its own exit code.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32

    static func badInput(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 2) }
    static func environment(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 3) }
}
