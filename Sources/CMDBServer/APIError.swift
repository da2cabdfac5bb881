import CIQLSyntax
import CMDB
import ConfigurationSchema
import GraphStorage
import HTTPTypes
import ImpactAnalysis
import JSONLines
import Verification

/// An error as the API answers it: an HTTP status and `{"error":{"code","message","line","column"}}`.
///
/// Codes are stable: CIQL errors by their kind (`SyntaxError`, `SemanticError`, `RuntimeError`), our own
/// otherwise (`Auth.Unauthorized`, `Auth.Forbidden`, `Limit.Timeout`, `Storage.Locked`, …); the README lists them.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var line: Int?
    var column: Int?

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

    static let unauthorized = APIError(
        .unauthorized, "Auth.Unauthorized", "a valid token is needed: send 'Authorization: Bearer TOKEN' (cmdb token create NAME --role reader)")

    static func forbidden(_ role: Role, needs: Role, _ what: String) -> APIError {
        APIError(.forbidden, "Auth.Forbidden", "\(what) needs the \(needs.rawValue) role; this token is a \(role.rawValue)")
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
            let code: String
            switch e.kind {
            case .syntax: code = "SyntaxError"
            case .semantic: code = "SemanticError"
            case .runtime: code = "RuntimeError"
            }
            return APIError(.badRequest, code, e.message, line: e.location?.line, column: e.location?.column)
        case let e as ImportError:
            return APIError(.badRequest, "Import.InvalidLine", "line \(e.line): \(e.message); nothing was imported", line: e.line, column: e.column)
        case let e as SchemaError:
            return APIError(.badRequest, "SchemaError", e.message, line: e.line, column: e.column)
        case let e as SchemaViolations:
            return APIError(.badRequest, "SchemaError.Violation", e.description)
        case let e as PlanningError:
            return APIError(.badRequest, "Request.Invalid", e.message)
        case let e as StorageError:
            switch e.code {
            case .keyTooLong: return APIError(.badRequest, "Storage.KeyTooLong", e.message)
            case .constraint: return APIError(.conflict, "Storage.Constraint", e.message)
            case .locked: return APIError(.serviceUnavailable, "Storage.Locked", e.message)
            case .readersFull: return APIError(.serviceUnavailable, "Storage.ReadersFull", e.message)
            default: return APIError(.internalServerError, "Storage.Error", e.message)
            }
        default:
            return APIError(.internalServerError, "Internal", "\(error)")
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(s)
}
