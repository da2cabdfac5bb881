import CIQLResults
import CIQL
import CIQLValues
import CMDB
import ImpactAnalysis
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import JSONLines
import NIOCore

/// The `/v1` JSON API, `/healthz`, `/metrics` and `/openapi.json`. Every route is listed in `OpenAPIDocument`,
/// which a test holds to the routes.
struct APIRoutes {
    let engine: ServerEngine
    let metrics: ServerMetrics

    func register(on router: Router<CMDBRequestContext>) {
        let limit = engine.configuration.maximumBodyBytes
        router.get("/healthz") { _, _ in
            JSONBody.response(Array("{\"status\":\"ok\"}\n".utf8))
        }
        router.get("/openapi.json") { _, _ in
            JSONBody.response(Array(OpenAPIDocument.json.utf8))
        }
        router.get("/metrics") { [engine, metrics] _, context in
            _ = try context.require(.admin, for: "/metrics")
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render(store: engine.database.store))))
        }

        let v1 = router.group("v1")
        v1.post("query") { [engine] request, context in
            let caller = try context.require(.reader, for: "a query")
            let body = try await JSONBody.object(request, limit: limit)
            guard let statement = try body.string("statement", required: true) else { throw APIError.badRequest("\"statement\" is missing") }
            var parameters: [String: Value] = [:]
            switch body["parameters"] {
            case nil, .null?: break
            case .object(let o)?: for m in o.members { parameters[m.key] = Value(json: m.value) }
            default: throw APIError.badRequest("\"parameters\" must be an object")
            }
            let request = QueryRequest(statement: statement, parameters: parameters, change: try body.string("change"))
            return JSONBody.response(try await engine.query(request, caller: caller).bytes)
        }
        v1.get("cis/{id}") { [engine] _, context in
            _ = try context.require(.reader, for: "reading a CI")
            let id = try context.pathParameter("id")
            guard let bytes = try await engine.ci(id) else { throw APIError.notFound("no CI '\(id)'") }
            return JSONBody.response(bytes)
        }
        v1.get("cis/{id}/history") { [engine] _, context in
            _ = try context.require(.reader, for: "reading a CI's history")
            let id = try context.pathParameter("id")
            guard let bytes = try await engine.history(id) else { throw APIError.notFound("no CI '\(id)'") }
            return JSONBody.response(bytes)
        }
        v1.post("impact") { [engine] request, context in
            _ = try context.require(.reader, for: "impact analysis")
            let body = try await JSONBody.object(request, limit: limit)
            return JSONBody.response(try await engine.impactJSON(
                targets: try body.strings("targets"), depth: try body.int("depth"), window: try body.string("window"),
                change: try body.string("change")))
        }
        v1.get("changes") { [engine] _, context in
            _ = try context.require(.reader, for: "the change list")
            return JSONBody.response(try await engine.plannedChanges())
        }
        v1.post("changes") { [engine] request, context in
            let caller = try context.require(.editor, for: "planning a change")
            let body = try await JSONBody.object(request, limit: limit)
            let bytes = try await engine.planChange(
                reference: try body.string("ref", required: true) ?? "", cis: try body.strings("cis"),
                window: try body.string("window", required: true) ?? "", description: try body.string("description"),
                caller: caller)
            return JSONBody.response(bytes, status: .created)
        }
        v1.delete("changes/{ref}") { [engine] _, context in
            let caller = try context.require(.editor, for: "cancelling a change")
            try await engine.cancelChange(reference: try context.pathParameter("ref"), caller: caller)
            return Response(status: .noContent)
        }
        v1.post("import") { [engine] request, context in
            let caller = try context.require(.editor, for: "import")
            // Refuse before reading the body: the change reference is checked first.
            let change = try FormQuery(parameters: request.uri.query).single("change")
            _ = try engine.changeReference(change, nil)
            let spool = try await BodySpool.receive(request, limit: engine.configuration.maximumImportBytes)
            defer { spool.close() }
            return JSONBody.response(try await engine.importLines(path: spool.path, bytes: spool.size, change: change, caller: caller))
        }
        v1.post("verify") { [engine] request, context in
            let caller = try context.require(.editor, for: "verify")
            let query = try FormQuery(parameters: request.uri.query)
            let apply = try Self.flag(try query.single("apply"), "apply")
            let change = try query.single("change")
            _ = try engine.changeReference(change, nil)
            let spool = try await BodySpool.receive(request, limit: engine.configuration.maximumImportBytes)
            defer { spool.close() }
            return JSONBody.response(try await engine.verify(path: spool.path, apply: apply, change: change, caller: caller))
        }
        v1.post("schema") { [engine] request, context in
            let caller = try context.require(.admin, for: "applying a schema")
            let change = try FormQuery(parameters: request.uri.query).single("change")
            _ = try engine.changeReference(change, nil)
            let bytes = try await JSONBody.collect(request, limit: limit)
            guard let yaml = String(validating: bytes, as: UTF8.self) else {
                throw APIError.badRequest("the schema in the body is not UTF-8 text", code: "Request.Invalid")
            }
            return JSONBody.response(
                try await engine.applySchema(yaml: ByteOrderMark.skipped(in: yaml), change: change, caller: caller))
        }
        v1.get("audit/runs") { [engine] _, context in
            _ = try context.require(.reader, for: "audit runs")
            return JSONBody.response(try await engine.auditRuns(run: nil) ?? [])
        }
        v1.get("audit/runs/{run}") { [engine] _, context in
            _ = try context.require(.reader, for: "audit runs")
            let text = try context.pathParameter("run")
            guard let run = Int(text) else { throw APIError.badRequest("the run number must be an integer, not '\(text)'") }
            guard let bytes = try await engine.auditRuns(run: run) else { throw APIError.notFound("no audit run \(run)") }
            return JSONBody.response(bytes)
        }
    }
}

extension APIRoutes {
    /// A query parameter that is a flag: absent, `true` or `false`.
    static func flag(_ text: String?, _ name: String) throws -> Bool {
        switch text {
        case nil, "false"?: return false
        case "true"?, ""?: return true
        case let other?: throw APIError.badRequest("?\(name)= must be true or false, not '\(other)'")
        }
    }
}

/// A request body written to an unlinked temporary file, so a large import is streamed, not held in memory.
/// (The file is the server's own; nothing in the API names a path.)
struct BodySpool {
    let descriptor: Int32
    let size: Int
    var path: String { "/proc/self/fd/\(descriptor)" }

    static func receive(_ request: Request, limit: Int) async throws -> BodySpool {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw JSONBody.tooLarge(limit)
        }
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/cmdb-import-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw APIError(.internalServerError, "Storage.InputOutput", "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        var size = 0
        do {
            for try await buffer in request.body {
                size += buffer.readableBytes
                guard size <= limit else { throw JSONBody.tooLarge(limit) }
                try buffer.withUnsafeReadableBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw APIError(.internalServerError, "Storage.NoSpace", "cannot spool the body: \(String(cString: strerror(errno)))")
                        }
                        offset += n
                    }
                }
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return BodySpool(descriptor: fd, size: size)
    }

    func close() { Glibc.close(descriptor) }
}
