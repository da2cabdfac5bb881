import ArgumentParser
import CIQL
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage
import JSONLines
import Spreadsheets
import Verification

/// What the command line says about an error that ends a command: its stable code, the place, the message,
/// and the exit code. Every message on stderr reads `error[CODE] place: message` (or `error[CODE]: message`
/// without a place), so scripts can match the code; `--format json` output carries the same code.
struct ErrorReport {
    var code: CIQLError.Code
    /// `file:line`, `file:line:column`, or nil.
    var place: String?
    var message: String
    var exitCode: Int32
    /// Lines after the message (the CIQL statement with a caret, "nothing was imported").
    var notes: [String] = []

    /// The first line: `error[SchemaError.UnknownClass] cmdb.jsonl:3: unknown class 'Sever'`.
    var headline: String {
        if let place { return "error[\(code)] \(place): \(message)" }
        return "error[\(code)]: \(message)"
    }

    var text: String { ([headline] + notes).joined(separator: "\n") }

    /// The report of an error a command raised; nil for errors that are not failures (help, a closed pipe).
    static func of(_ error: any Error) -> ErrorReport? {
        switch error {
        case let error as CommandFailure:
            return ErrorReport(code: error.code, place: nil, message: error.message, exitCode: error.exitCode)
        case let error as ImportError:
            let place = error.column.map { "\(error.file):\(error.line):\($0)" } ?? "\(error.file):\(error.line)"
            return ErrorReport(
                code: CIQLError.Code(error), place: place,
                message: error.message, exitCode: 2, notes: ["nothing was imported"])
        case let error as ImportProblems:
            let count = error.problems.count
            var message = "\(count) problem\(count == 1 ? "" : "s") on \(error.badLines) line\(error.badLines == 1 ? "" : "s")"
            if error.isTruncated { message += "; stopped at --max-errors \(count), there may be more" }
            return ErrorReport(code: .input(.invalidLine), place: nil, message: message + "; nothing was written",
                exitCode: 2)
        case let error as SpreadsheetError:
            var place = error.file
            if let line = error.line { place += ":\(line)" + (error.column.map { ":\($0)" } ?? "") }
            let code: CIQLError.Code
            switch error.kind {
            case .spreadsheet: code = .input(.invalidLine)
            case .mapping: code = .input(.invalidMapping)
            case .unreadable: code = .input(.unreadableFile)
            case .unexportable: code = .input(.unexportableValue)
            }
            return ErrorReport(code: code, place: place,
                message: (error.columnName.map { "column '\($0)': " } ?? "") + error.message, exitCode: 2)
        case let error as SchemaError:
            let place = error.line.map { "\($0):\(error.column ?? 1)" }
            return ErrorReport(code: CIQLError.Code(error.reason), place: place, message: error.message, exitCode: 2)
        case let error as FutureTransactionError:
            return ErrorReport(code: .history(.invalidAsOf), place: nil, message: error.message, exitCode: 2)
        case let error as SchemaViolations:
            return ErrorReport(code: .schema(.existingDataViolates), place: nil, message: "\(error)", exitCode: 2)
        case let error as VerificationInputError:
            var place = error.file
            if let line = error.line { place += ":\(line)" + (error.column.map { ":\($0)" } ?? "") }
            return ErrorReport(
                code: error.schemaReason.map { CIQLError.Code($0) }
                    ?? .input(error.kind == .auditRules ? .invalidAuditRule : .invalidSnapshot), place: place,
                message: error.message, exitCode: 2,
                notes: ["nothing was changed"])
        case let error as AuditRuleError:
            return ErrorReport(
                code: (error.cause as? AuditQueryError)?.code ?? .input(.invalidAuditRule),
                place: "\(error.rule.file):\(error.rule.line)",
                message: "rule '\(error.rule.name)': \(error.message)", exitCode: 2)
        case let error as StorageError:
            let badInput = error.code == .keyTooLong || error.code == .constraint || error.code == .nestingTooDeep
            return ErrorReport(code: CIQLError.Code(error), place: nil, message: error.message, exitCode: badInput ? 2 : 3)
        case let error as CIQLError:
            return ErrorReport(
                code: error.code, place: error.location?.description, message: error.message,
                exitCode: error.code.type == "Storage" ? 3 : 2)
        case let error as OutputSinkError:
            if error.isBrokenPipe { return nil }
            return ErrorReport(code: .usage(.outputFailed), place: nil, message: error.message, exitCode: 3)
        case let error as FileReadError:
            return ErrorReport(code: .input(.unreadableFile), place: nil, message: error.description, exitCode: 3)
        case let error as JobTimeoutError:
            return ErrorReport(code: .limit(.timeout), place: nil, message: error.description, exitCode: 2)
        case let error as ValidationError:
            return ErrorReport(code: .usage(.invalidArgument), place: nil, message: error.message, exitCode: 2)
        default:
            return ErrorReport(code: .usage(.environment), place: nil, message: "\(error)", exitCode: 3)
        }
    }
}
