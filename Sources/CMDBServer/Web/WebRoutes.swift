import CIQL
import CIQLValues
import Foundation
import HTTPTypes
import Hummingbird
import ImpactAnalysis
import JSONLines
import NIOCore

/// The web view at `/`: sign in with a token, search CIs, a CI's page, impact with its graph, a query console.
/// Plain server-rendered HTML; forms and links only, so it works with the keyboard and without JavaScript.
struct WebRoutes {
    let engine: ServerEngine
    let tokens: TokenCache
    let sessions: WebSessions
    /// Session cookies are `Secure` under TLS, and behind a TLS-terminating proxy named by `--public-url https://…`.
    var secure: Bool { engine.configuration.secureCookies }
    var forgery: FormForgery {
        FormForgery(
            publicOrigin: engine.configuration.publicOrigin,
            scheme: engine.configuration.tlsCertificatePath == nil ? "http" : "https")
    }

    /// Whether `path` is one of the web view's pages, the only ones the session cookie signs in to.
    static func serves(_ path: String) -> Bool {
        ["/", "/signin", "/signout", "/search", "/impact", "/query"].contains(path) || path.hasPrefix("/ci/")
            || path.hasPrefix("/static/")
    }

    func register(on router: Router<CMDBRequestContext>) {
        router.get("/static/cmdb.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: HTML.stylesheet)))
        }
        router.get("/") { _, context in
            guard let caller = context.caller else { return signInPage(error: nil) }
            return searchPage(caller: caller, query: "", results: nil)
        }
        router.post("/signin") { [tokens, sessions, secure, engine, forgery] request, _ in
            let fields: FormQuery
            do {
                // A sign-in from another origin would sign the browser in as someone else (login forgery).
                try forgery.checkOrigin(request)
                fields = try FormQuery(body: try await JSONBody.collect(request, limit: engine.configuration.maximumBodyBytes))
            } catch let error as APIError where error.status == .forbidden {
                return Self.refusedPage(error, caller: nil)
            } catch let error as APIError where error.status == .badRequest {
                return signInPage(error: error.message, status: .badRequest)
            }
            let secret = (fields.first("token") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let token = tokens.token(forSecret: secret) else {
                return signInPage(error: "That token is not valid (it may have been revoked). Ask an admin: cmdb token create NAME --role reader.")
            }
            let id = sessions.start(hash: token.hash)
            return HTML.redirect("/search", cookie: WebSessions.setCookie(id, secure: secure))
        }
        router.post("/signout") { [sessions, secure, engine, forgery] request, context in
            do {
                try forgery.checkOrigin(request)
                let fields = try FormQuery(body: try await JSONBody.collect(request, limit: engine.configuration.maximumBodyBytes))
                try forgery.checkToken(fields, context: context)
            } catch let error as APIError where error.status == .forbidden || error.status == .badRequest {
                return Self.refusedPage(error, caller: context.caller)
            }
            if let id = WebSessions.cookie(in: request) { sessions.end(id) }
            return HTML.redirect("/", cookie: WebSessions.clearCookie(secure: secure))
        }
        router.get("/search") { request, context in
            guard let caller = context.caller else { return HTML.redirect("/") }
            let form: FormQuery
            do {
                form = try FormQuery(request.uri.query)
            } catch {
                return HTML.page(title: "Search", signedInAs: caller, HTML.error(APIError.from(error)), status: .badRequest)
            }
            let q = (form.first("q") ?? "").trimmingCharacters(in: .whitespaces)
            guard !q.isEmpty else { return searchPage(caller: caller, query: "", results: nil) }
            return searchPage(caller: caller, query: q, results: await table(
                "MATCH (n) WHERE n.id = $q OR toLower(n.id) CONTAINS $lq OR toLower(n.name) CONTAINS $lq "
                    + "OR toLower(class(n)) = $lq RETURN n.id AS id, class(n) AS class, n.name AS name, n.status AS status "
                    + "ORDER BY id LIMIT 200",
                ["q": .string(q), "lq": .string(q.lowercased())], caller))
        }
        router.get("/ci/{id}") { _, context in
            guard let caller = context.caller else { return HTML.redirect("/") }
            let id: String
            do {
                id = try context.pathParameter("id")
            } catch {
                return HTML.page(title: "Not a CI address", signedInAs: caller, HTML.error(APIError.from(error)), status: .badRequest)
            }
            return try await ciPage(caller: caller, id: id)
        }
        router.get("/impact") { request, context in
            guard let caller = context.caller else { return HTML.redirect("/") }
            return await impactPage(caller: caller, request: request)
        }
        router.get("/query") { _, context in
            guard let caller = context.caller else { return HTML.redirect("/") }
            return queryPage(caller: caller, statement: "", change: "", result: nil)
        }
        router.post("/query") { [engine, forgery] request, context in
            guard let caller = context.caller else { return HTML.redirect("/") }
            let fields: FormQuery
            do {
                try forgery.checkOrigin(request)
                fields = try FormQuery(body: try await JSONBody.collect(request, limit: engine.configuration.maximumBodyBytes))
                try forgery.checkToken(fields, context: context)
            } catch let error as APIError where error.status == .forbidden {
                return Self.refusedPage(error, caller: caller)
            } catch let error as APIError where error.status == .badRequest {
                return queryPage(caller: caller, statement: "", change: "", result: .failure(error), status: .badRequest)
            }
            let statement = fields.first("statement") ?? "", change = fields.first("change") ?? ""
            let result: Result<JSONResultSink, APIError>
            do {
                let checked = try engine.check(statement)
                result = .success(try await engine.query(
                    QueryRequest(statement: statement, parameters: [:], change: change.isEmpty ? nil : change), checked: checked,
                    caller: caller, keepCells: true))
            } catch {
                result = .failure(APIError.from(error))
            }
            return queryPage(caller: caller, statement: statement, change: change, result: result)
        }
    }

    // MARK: - Pages

    /// A form post refused as forged (403 `Request.Forged`): nothing ran.
    static func refusedPage(_ error: APIError, caller: Caller?) -> Response {
        HTML.page(title: "Refused", signedInAs: caller, HTML.error(error) + "<p>Nothing was run or changed.</p>", status: error.status)
    }

    func signInPage(error: String?, status: HTTPResponse.Status = .unauthorized) -> Response {
        var body = ""
        if let error { body += "<div class=\"error\" role=\"alert\">\(HTML.escape(error))</div>" }
        body += """
            <p>Sign in with the token an administrator gave you. It is kept in a cookie for this browser session only.</p>
            <form method="post" action="/signin">
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" required autofocus>
            <button type="submit">Sign in</button>
            </form>
            """
        return HTML.page(title: "Sign in", signedInAs: nil, body, status: error == nil ? .ok : status)
    }

    func searchPage(caller: Caller, query: String, results: Result<JSONResultSink, APIError>?) -> Response {
        var body = """
            <form method="get" action="/search" role="search">
            <label for="q">CI id, name or class</label>
            <input id="q" name="q" type="search" value="\(HTML.escape(query))" autofocus>
            <button type="submit">Search</button>
            </form>
            """
        switch results {
        case nil: break
        case .failure(let e)?: body += HTML.error(e)
        case .success(let sink)?:
            body += sink.cells.isEmpty
                ? "<p class=\"note\">No CI matches “\(HTML.escape(query))”.</p>"
                : HTML.table(caption: "\(sink.cells.count) CIs" + (sink.cells.count == 200 ? " (the first 200)" : ""),
                    columns: sink.columns, rows: sink.cells, linkColumns: [0])
        }
        return HTML.page(title: "Search CIs", signedInAs: caller, body)
    }

    func ciPage(caller: Caller, id: String) async throws -> Response {
        guard let nodeBytes = try await engine.ci(id),
            case .object(let node)? = try? nodeBytes.withUnsafeBytes({ try JSONParser.parse($0) })
        else {
            return HTML.page(title: "No such CI", signedInAs: caller,
                "<p class=\"note\">There is no CI with id “\(HTML.escape(id))”. <a href=\"/search?q=\(HTML.urlComponent(id))\">Search for it</a>.</p>",
                status: .notFound)
        }
        var rows: [[String]] = []
        for key in ["id", "class", "name", "status"] { rows.append([key, text(node[key])]) }
        if case .object(let attrs)? = node["attrs"] {
            for m in attrs.members.sorted(by: { $0.key < $1.key }) { rows.append([m.key, text(m.value)]) }
        }
        var body = "<p><a href=\"/impact?target=\(HTML.urlComponent(id))\">Impact of taking \(HTML.escape(id)) down</a></p>"
        body += "<h2>Attributes</h2>" + HTML.table(caption: nil, columns: ["attribute", "value"], rows: rows)
        let params: [String: Value] = ["id": .string(id)]
        body += "<h2>Depends on (outgoing relations)</h2>" + section(await table(
            "MATCH (n {id: $id})-[r]->(m) RETURN type(r) AS relation, m.id AS ci, class(m) AS class, m.name AS name "
                + "ORDER BY relation, ci LIMIT 500", params, caller), link: [1], empty: "No outgoing relations.")
        body += "<h2>Depended on by (incoming relations)</h2>" + section(await table(
            "MATCH (n {id: $id})<-[r]-(m) RETURN type(r) AS relation, m.id AS ci, class(m) AS class, m.name AS name "
                + "ORDER BY relation, ci LIMIT 500", params, caller), link: [1], empty: "No incoming relations.")
        body += "<h2>History</h2>" + section(await table(
            "CALL history($id) YIELD tx, at, actor, change, operation, changes RETURN tx, at, actor, change, operation, changes",
            params, caller), link: [], empty: "No history.")
        return HTML.page(title: "\(text(node["class"])) \(id)", signedInAs: caller, body)
    }

    func impactPage(caller: Caller, request: Request) async -> Response {
        let form: FormQuery
        do {
            form = try FormQuery(request.uri.query)
        } catch {
            return HTML.page(title: "Impact", signedInAs: caller, HTML.error(APIError.from(error)), status: .badRequest)
        }
        let targetsText = form.first("targets") ?? ""
        // `target` (repeatable) names one CI by its whole id, which may hold spaces or commas: the CI page's link.
        let wholeIDs = form.all("target").filter { !$0.isEmpty }
        let window = (form.first("window") ?? "").trimmingCharacters(in: .whitespaces)
        let depthText = (form.first("depth") ?? "").trimmingCharacters(in: .whitespaces)
        let change = (form.first("change") ?? "").trimmingCharacters(in: .whitespaces)
        var body = """
            <form method="get" action="/impact">
            <label for="targets">CIs going down (ids, separated by commas or spaces)</label>
            <input id="targets" name="targets" type="text" value="\(HTML.escape(targetsText))"\(wholeIDs.isEmpty ? " required" : "") autofocus>
            \(wholeIDs.map { "<input type=\"hidden\" name=\"target\" value=\"\(HTML.escape($0))\">" }.joined())
            \(wholeIDs.isEmpty ? "" : "<p>Targets from the link: " + wholeIDs.map(HTML.link(ci:)).joined(separator: ", ") + "</p>")
            <label for="window">Change window (optional; the planned window of the change below when empty), START/END, e.g. 2026-12-01T02:00/2026-12-01T04:00</label>
            <input id="window" name="window" type="text" value="\(HTML.escape(window))">
            <label for="depth">List CIs up to this distance (optional)</label>
            <input id="depth" name="depth" type="text" inputmode="numeric" value="\(HTML.escape(depthText))">
            <label for="change">The change being assessed (optional): its planned change is no collision, and its planned window is checked when none is given</label>
            <input id="change" name="change" type="text" value="\(HTML.escape(change))">
            <button type="submit">Analyse</button>
            </form>
            """
        let targets = wholeIDs + targetsText.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        guard !targets.isEmpty else { return HTML.page(title: "Impact", signedInAs: caller, body) }
        do {
            guard depthText.isEmpty || Int(depthText) != nil else { throw APIError.badRequest("the depth must be a whole number") }
            let report = try await engine.impactReport(
                targets: targets, depth: Int(depthText), window: window.isEmpty ? nil : window, change: change.isEmpty ? nil : change)
            // Graphviz runs as a child process: off the event loop, on a reader thread, outside the map gate.
            let svg = try await engine.offload { ImpactGraph.svg(report) }
            body += impactSections(report, svg: svg)
        } catch {
            // The form again with the error, under the error's status (400 for a bad field, 503 for a timeout…).
            let failure = APIError.from(error)
            return HTML.page(title: "Impact", signedInAs: caller, body + HTML.error(failure), status: failure.status)
        }
        return HTML.page(title: "Impact", signedInAs: caller, body)
    }

    func impactSections(_ r: ImpactReport, svg: String) -> String {
        var out = "<h2>Risk</h2><p class=\"risk\">\(r.risk.score) — \(HTML.escape(r.risk.band))</p>"
        if !r.risk.terms.isEmpty { out += "<ul>" + r.risk.terms.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>" }
        let down = r.impacted.filter { $0.level == .down }.count
        out += "<p>\(r.targets.count) target\(r.targets.count == 1 ? "" : "s"); \(r.impacted.count) CIs impacted: \(down) down, \(r.impacted.count - down) degraded.</p>"
        out += "<h2>Business services</h2>" + (r.services.isEmpty ? "<p class=\"note\">No business service is affected.</p>"
            : HTML.table(caption: nil, columns: ["service", "name", "level", "criticality", "maintenance window"],
                rows: r.services.map { [$0.item.id, $0.item.name ?? "", $0.level.rawValue + ($0.isTarget ? " (target)" : ""),
                    $0.item.criticality.map(String.init) ?? "", $0.maintenanceWindow ?? ""] }, linkColumns: [0]))
        out += "<h2>Owners to notify</h2>" + (r.owners.isEmpty ? "<p class=\"note\">No owners recorded.</p>"
            : HTML.table(caption: nil, columns: ["owner", "targets", "down", "degraded"],
                rows: r.owners.map { [$0.name, String($0.targets), String($0.down), String($0.degraded)] }))
        if let window = r.window {
            out += "<h2>Change window</h2><p>\(HTML.escape(window.formatted(in: r.timeZone) + r.plannedWindowNote))</p>"
            out += (r.windowFindings.isEmpty ? "<p class=\"note\">Inside every affected service's maintenance window.</p>"
                : HTML.table(caption: nil, columns: ["service", "maintenance window", "finding"],
                    rows: r.windowFindings.map { [$0.service, $0.maintenanceWindow ?? "", $0.reason.rawValue] }, linkColumns: [0]))
            out += "<h2>Collisions</h2>" + (r.collisions.isEmpty ? "<p class=\"note\">No other planned change collides.</p>"
                : HTML.table(caption: nil, columns: ["change", "start", "end", "shared CIs"],
                    rows: r.collisions.map { [$0.change.reference, ChangeWindow.isoUTC($0.change.window.start),
                        ChangeWindow.isoUTC($0.change.window.end), $0.cis.joined(separator: ", ")] }))
        } else if !r.unplannedNote.isEmpty {
            out += "<h2>Change window</h2><p class=\"note\">Not given\(HTML.escape(r.unplannedNote)).</p>"
        }
        let drawn = min(r.impacted.count, ImpactGraph.maximumNodes)
        out += "<h2>Graph</h2>"
        if r.impacted.count > drawn {
            out += "<p class=\"note\">The graph shows the \(drawn) closest of \(r.impacted.count) impacted CIs; the table lists them all.</p>"
        }
        out += "<figure class=\"graph\" id=\"impact-graph\">\(svg)<figcaption>Grey: targets; red: down; amber: degraded. "
            + "An arrow runs from a CI to the CIs it impacts.</figcaption></figure>"
        out += "<h2>Levels</h2>"
        let listed = r.impacted.prefix(2000)
        if r.impacted.count > listed.count { out += "<p class=\"note\">The first \(listed.count) of \(r.impacted.count) impacted CIs, closest first.</p>" }
        out += HTML.table(caption: nil, columns: ["CI", "class", "level", "distance", "path"],
            rows: listed.map { [$0.item.id, $0.item.label ?? "", $0.level.rawValue, String($0.distance), $0.path.joined(separator: " → ")] },
            linkColumns: [0])
        return out
    }

    func queryPage(
        caller: Caller, statement: String, change: String, result: Result<JSONResultSink, APIError>?,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var body = """
            <form method="post" action="/query">\(HTML.formTokenField(caller))
            <label for="statement">CIQL statement</label>
            <textarea id="statement" name="statement" rows="6" required autofocus>\(HTML.escape(statement.isEmpty ? "MATCH (s:BusinessService) RETURN s.id, s.name, s.criticality ORDER BY s.id" : statement))</textarea>
            <label for="change">Change reference (for statements that write)</label>
            <input id="change" name="change" type="text" value="\(HTML.escape(change))">
            <button type="submit">Run</button>
            </form>
            """
        switch result {
        case nil: break
        case .failure(let e)?: body += HTML.error(e)
        case .success(let sink)?:
            if sink.columns.isEmpty {
                body += "<p class=\"note\" role=\"status\">Done.</p>"
            } else {
                body += HTML.table(caption: "\(sink.cells.count) row\(sink.cells.count == 1 ? "" : "s")", columns: sink.columns, rows: sink.cells)
            }
        }
        // A statement that failed answers with its error's status (400, 403, 503…), the page shown all the same.
        if case .failure(let e)? = result, status == .ok { return HTML.page(title: "Query", signedInAs: caller, body, status: e.status) }
        return HTML.page(title: "Query", signedInAs: caller, body, status: status)
    }

    // MARK: - Helpers

    /// Runs a reading statement for the page; errors come back as values to show.
    func table(_ statement: String, _ parameters: [String: Value], _ caller: Caller) async -> Result<JSONResultSink, APIError> {
        do {
            let checked = try engine.check(statement)
            return .success(try await engine.query(
                QueryRequest(statement: statement, parameters: parameters, change: nil), checked: checked,
                caller: Caller(name: caller.name, role: .reader), keepCells: true))
        } catch {
            return .failure(APIError.from(error))
        }
    }

    func section(_ result: Result<JSONResultSink, APIError>, link: Set<Int>, empty: String) -> String {
        switch result {
        case .failure(let e): return HTML.error(e)
        case .success(let sink):
            return sink.cells.isEmpty ? "<p class=\"note\">\(HTML.escape(empty))</p>"
                : HTML.table(caption: nil, columns: sink.columns, rows: sink.cells, linkColumns: link)
        }
    }

    func text(_ v: JSONValue?) -> String {
        switch v {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case .int(let i)?: return String(i)
        case .float(let d)?: return String(d)
        case let other?:
            var w = JSONWriter()
            w.write(other)
            return String(decoding: w.bytes, as: UTF8.self)
        }
    }
}
