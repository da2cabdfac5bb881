import Foundation
import HTTPTypes
import Hummingbird
import JSONLines
import Logging
import NIOCore

/// Per-request state: who is calling (from a bearer token or a web sign-in), for the routes' role checks and the
/// access log.
struct CMDBRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var caller: Caller?
    /// How the caller signed in: by header (API) or cookie (web view).
    var signedInByCookie = false

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The caller, who must hold at least `role`: 401 when nobody signed in, 403 when the role is too low.
    func require(_ role: Role, for what: String) throws -> Caller {
        guard let caller else { throw APIError.unauthorized }
        guard caller.role >= role else { throw APIError.forbidden(caller.role, needs: role, what) }
        return caller
    }
}

extension APIError: HTTPResponseError {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"cmdb\"" }
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// JSON answers and request bodies.
enum JSONBody {
    static func response(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The request body, refused with 413 `Limit.BodyTooLarge` past `limit` bytes.
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge(limit)
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else { throw tooLarge(limit) }
            bytes += buffer.readableBytesView
        }
        return bytes
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "Limit.BodyTooLarge", "the request body is larger than the server's limit of \(limit) bytes")
    }

    /// The request body as a JSON object.
    static func object(_ request: Request, limit: Int) async throws -> JSONObject {
        let bytes = try await collect(request, limit: limit)
        let value: JSONValue
        do {
            value = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw APIError.badRequest("the body is not JSON: \(error)", code: "Request.InvalidJSON")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("the body must be a JSON object", code: "Request.InvalidJSON")
        }
        return object
    }
}

extension JSONObject {
    func string(_ key: String, required: Bool = false) throws -> String? {
        switch self[key] {
        case nil, .null?:
            if required { throw APIError.badRequest("\"\(key)\" is missing") }
            return nil
        case .string(let s)?: return s
        default: throw APIError.badRequest("\"\(key)\" must be a string")
        }
    }

    func int(_ key: String) throws -> Int? {
        switch self[key] {
        case nil, .null?: return nil
        case .int(let i)?: return Int(i)
        default: throw APIError.badRequest("\"\(key)\" must be an integer")
        }
    }

    func strings(_ key: String) throws -> [String] {
        switch self[key] {
        case nil, .null?: return []
        case .string(let s)?: return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case .array(let a)?:
            return try a.map {
                guard case .string(let s) = $0 else { throw APIError.badRequest("\"\(key)\" must be a list of CI ids") }
                return s
            }
        default: throw APIError.badRequest("\"\(key)\" must be a list of CI ids")
        }
    }
}

extension CMDBRequestContext {
    /// The path parameter `name` (`{id}`, `{ref}`), percent-decoded once: the router matches the path as sent, so
    /// `/v1/cis/app%20x` names the CI `app x` and `/v1/cis/a%2Fb` the CI `a/b`. A `%` not followed by two hex
    /// digits, or bytes that are not UTF-8, are 400 `Request.Invalid`.
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = PercentDecoding.decode(raw) else {
            throw APIError.badRequest(
                "the path segment '\(raw)' is not valid percent-encoded UTF-8 (encode its bytes as %XX, each % as %25)")
        }
        return decoded
    }
}

/// Percent-decoding of one path segment (RFC 3986 §2.1), strictly: every `%` starts a two-hex-digit escape, and the
/// bytes must be UTF-8. `+` stays `+` (it means a space only in form bodies).
enum PercentDecoding {
    static func decode(_ segment: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(segment.utf8.count)
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
