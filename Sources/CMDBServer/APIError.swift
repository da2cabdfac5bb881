import CIQL
import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage
import HTTPTypes
import Hummingbird
import ImpactAnalysis
import JSONLines
import Verification

/// An error as the API answers it: an HTTP status and `{"error":{"code","message","line","column"}}`.
///
/// Codes are stable: the engine's codes (`CIQLError.Code`: `SyntaxError.UndefinedVariable`,
/// `SchemaError.UnknownClass`, `InputError.InvalidLine`, `Storage.Locked`, …) and the server's own for HTTP
/// (`Auth.Unauthorized`, `Auth.Forbidden`, `Request.ChangeRequired`, `Limit.Timeout`, …); the README lists them.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var line: Int?
    var column: Int?
    /// The `Allow` header of a 405: the methods the path answers.
    var allow: String?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.line = line
        self.column = column
    }

    static func badRequest(_ message: String, code: String = "Request.Invalid") -> APIError {
        APIError(.badRequest, code, message)
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, "NotFound", message) }

    /// An error Hummingbird raised itself, in the API's form.
    static func from(http error: HTTPError) -> APIError {
        let message = error.body.flatMap { $0.isEmpty ? nil : $0 } ?? error.status.reasonPhrase
        switch error.status.code {
        case 404: return .notFound(message)
        case 413: return APIError(error.status, "Limit.BodyTooLarge", message)
        case 500...: return APIError(error.status, "Internal.Error", message)
        default: return APIError(error.status, "Request.Invalid", message)
        }
    }

    static let unauthorized = APIError(
        .unauthorized, "Auth.Unauthorized", "a valid token is needed: send 'Authorization: Bearer TOKEN' (cmdb token create NAME --role reader)")

    static func forbidden(_ role: Role, needs: Role, _ what: String) -> APIError {
        APIError(.forbidden, "Auth.Forbidden", "\(what) needs the \(needs.rawValue) role; this token has the \(role.rawValue) role")
    }

    static func timeout(_ seconds: Double) -> APIError {
        APIError(
            .serviceUnavailable, "Limit.Timeout",
            "the statement ran longer than the server's limit of \(formatSeconds(seconds)) s and was stopped; nothing was written")
    }

    /// The JSON body.
    var body: [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.writeRaw("{\"error\":{\"code\":")
        w.writeString(code)
        w.writeRaw(",\"message\":")
        w.writeString(message)
        w.writeRaw(",\"line\":")
        if let line { w.writeInt(Int64(line)) } else { w.writeRaw("null") }
        w.writeRaw(",\"column\":")
        if let column { w.writeInt(Int64(column)) } else { w.writeRaw("null") }
        w.writeRaw("}}\n")
        return w.bytes
    }

    /// The API form of any error the engine throws.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as CIQLError:
            let status: HTTPResponse.Status = e.code.type == "Storage" ? .serviceUnavailable : e.code.type == "Internal" ? .internalServerError : .badRequest
            return APIError(status, "\(e.code)", e.message, line: e.location?.line, column: e.location?.column)
        case let e as ImportError:
            let code = CIQLError.Code(e)
            return APIError(.badRequest, "\(code)", "line \(e.line): \(e.message); nothing was imported", line: e.line, column: e.column)
        case let e as SchemaError:
            return APIError(.badRequest, "\(CIQLError.Code(e.reason))", e.message, line: e.line, column: e.column)
        case let e as SchemaViolations:
            return APIError(.badRequest, "\(CIQLError.Code.schema(.existingDataViolates))", e.description)
        case let e as VerificationInputError:
            return APIError(
                .badRequest,
                "\(e.schemaReason.map { CIQLError.Code($0) } ?? .input(e.kind == .auditRules ? .invalidAuditRule : .invalidSnapshot))",
                (e.line.map { "line \($0): " } ?? "") + e.message + "; nothing was changed", line: e.line, column: e.column)
        case let e as JobTimeoutError:
            return APIError(.serviceUnavailable, "Limit.Timeout", "\(e)")
        case let e as PlanningError:
            return APIError(.badRequest, "Request.Invalid", e.message)
        case let e as StorageError:
            let code = "\(CIQLError.Code(e))"
            switch e.code {
            case .keyTooLong, .nestingTooDeep: return APIError(.badRequest, code, e.message)
            case .constraint: return APIError(.conflict, code, e.message)
            case .locked, .readersFull: return APIError(.serviceUnavailable, code, e.message)
            default: return APIError(.internalServerError, code, e.message)
            }
        default:
            return APIError(.internalServerError, "Internal.Error", "\(error)")
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(s)
}
