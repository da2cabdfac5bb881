import Foundation
import Testing

/// Path parameters (`/v1/cis/{id}`, `/v1/cis/{id}/history`, `DELETE /v1/changes/{ref}`, the web view's `/ci/{id}`)
/// are percent-decoded once, so ids with spaces, non-ASCII letters and URL delimiters are reachable, and every link
/// the web view writes leads back to its CI. The real binary, a real server on a free port, a real database.
@Suite("cmdb serve: percent-encoded path parameters", .serialized)
struct ServerPathDecodingTests {
    let harness: Harness
    /// Ids that need percent-encoding in a path: a space, non-ASCII, each URL delimiter, a literal `%`, dots.
    static let ids = ["app-ü", "app x", "a/b", "q?x=1", "h#1", "p%41", "50%", "..", "../etc", "漢字 α+β", "app-1"]

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
        var lines = ""
        for id in Self.ids {
            let quoted = id.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            lines += "{\"kind\":\"ci\",\"id\":\"\(quoted)\",\"class\":\"Application\",\"name\":\"node \(quoted)\"}\n"
        }
        // Relations, so the CI page writes links to other CIs too.
        lines += "{\"kind\":\"rel\",\"type\":\"DEPENDS_ON\",\"from\":\"app-1\",\"to\":\"a/b\"}\n"
        lines += "{\"kind\":\"rel\",\"type\":\"DEPENDS_ON\",\"from\":\"app x\",\"to\":\"app-1\"}\n"
        try harness.succeed("import", "-", "--change", "CHG-IDS", stdin: Data(lines.utf8))
    }

    /// `s` percent-encoded as a path segment: everything but RFC 3986's unreserved characters.
    static func encoded(_ s: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    @Test("GET /v1/cis/{id} and /history decode the id; bad encodings are 400 Request.Invalid in the API's error form")
    func apiDecodesIds() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: reader)
        for id in Self.ids {
            let ci = try client.request("GET", "/v1/cis/\(Self.encoded(id))")
            #expect(ci.status == 200 && (ci.json as? [String: Any])?["id"] as? String == id, "GET \(id): \(ci)")
            let history = try client.request("GET", "/v1/cis/\(Self.encoded(id))/history")
            let rows = (history.json as? [String: Any])?["rows"] as? [[Any]]
            #expect(history.status == 200 && rows?.count == 1, "history of \(id): \(history)")
        }
        // Unreserved characters may be encoded or not: the same CI.
        #expect(try client.request("GET", "/v1/cis/%61pp-1").status == 200)
        // Decoded once: %2541 is the id "%41", not "A" and not "p%41".
        let once = try client.request("GET", "/v1/cis/p%2541")
        #expect(once.status == 200 && (once.json as? [String: Any])?["id"] as? String == "p%41", "\(once)")
        // Every path parameter: the audit run number too.
        let run = try client.request("GET", "/v1/audit/runs/%31")
        #expect(run.status == 404 && run.text.contains("no audit run 1"), "\(run)")
        let missing = try client.request("GET", "/v1/cis/no%20such")
        #expect(missing.status == 404 && missing.text.contains("no CI 'no such'"), "\(missing)")
        for bad in ["app-%ZZ", "app-%C3", "app-%", "app-%4", "%FF%FE", "app-%C0%AF", "%ED%A0%80"] {
            for path in ["/v1/cis/\(bad)", "/v1/cis/\(bad)/history"] {
                let answer = try client.request("GET", path)
                #expect(answer.status == 400 && answer.errorCode == "Request.Invalid", "\(path): \(answer)")
                #expect(answer.text.contains("percent") || answer.text.contains("UTF-8"), "\(path): \(answer)")
            }
        }
        #expect(server.stop() == 0)
    }

    @Test("a change whose reference needs encoding is cancelled with DELETE /v1/changes/{ref}")
    func cancelDecodesReference() throws {
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let client = HTTPClient(baseURL: server.baseURL, token: editor)
        for ref in ["CHG 1", "CHG/ü#2", "CHG%3"] {
            let planned = try client.request(
                "POST", "/v1/changes", json: ["ref": ref, "cis": ["app-ü"], "window": "2026-12-01T02:00Z/2026-12-01T04:00Z"])
            #expect(planned.status == 201, "plan \(ref): \(planned)")
            let cancelled = try client.request("DELETE", "/v1/changes/\(Self.encoded(ref))")
            #expect(cancelled.status == 204, "cancel \(ref): \(cancelled)")
            let again = try client.request("DELETE", "/v1/changes/\(Self.encoded(ref))")
            #expect(again.status == 404, "cancel \(ref) twice: \(again)")
        }
        let list = try client.request("GET", "/v1/changes")
        #expect(list.status == 200 && !list.text.contains("CHG"), "every change was cancelled: \(list)")
        let bad = try client.request("DELETE", "/v1/changes/CHG%E2%82")
        #expect(bad.status == 400 && bad.errorCode == "Request.Invalid", "\(bad)")
        #expect(server.stop() == 0)
    }

    /// Every `href="/ci/…"` in `html`, as written (still encoded).
    static func ciLinks(_ html: String) -> [String] {
        html.components(separatedBy: "href=\"/ci/").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
    }

    @Test("every link the web view writes to a CI leads to that CI's page; the stylesheet route cannot be escaped")
    func webLinksRoundTrip() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let anonymous = HTTPClient(baseURL: server.baseURL, token: nil)
        let signin = try anonymous.request(
            "POST", "/signin", body: Data("token=\(Self.encoded(reader))".utf8), contentType: "application/x-www-form-urlencoded")
        let cookie = try #require(signin.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(signin)")
        let web = anonymous
        let headers = ["Cookie": cookie]

        let search = try web.request("GET", "/search?q=node", headers: headers)
        let links = Self.ciLinks(search.text)
        #expect(search.status == 200 && links.count == Self.ids.count, "\(links): \(search)")
        var seen: Set<String> = []
        for link in links {
            #expect(!link.contains(" ") && !link.contains("?") && !link.contains("#") && !link.contains("/"), "encoded: \(link)")
            let page = try web.request("GET", "/ci/\(link)", headers: headers)
            #expect(page.status == 200 && !page.text.contains("No such CI"), "/ci/\(link): \(page)")
            let id = try #require(link.removingPercentEncoding)
            seen.insert(id)
            #expect(page.text.contains("<td>node \(id.replacingOccurrences(of: "&", with: "&amp;"))</td>"), "/ci/\(link) shows \(id)")
            // Its "Impact of taking … down" link analyses this one CI, whatever its id holds (spaces, commas).
            let impactLink = try #require(
                page.text.components(separatedBy: "href=\"/impact?").dropFirst().first?.split(separator: "\"").first, "\(page)")
            let impact = try web.request("GET", "/impact?\(impactLink.replacingOccurrences(of: "&amp;", with: "&"))", headers: headers)
            #expect(impact.status == 200 && impact.text.contains("1 target;") && !impact.text.contains("class=\"error\""),
                "/impact?\(impactLink) from /ci/\(link): \(impact)")
            // The page's own links (its relations) lead to CI pages too.
            for other in Self.ciLinks(page.text) {
                let next = try web.request("GET", "/ci/\(other)", headers: headers)
                #expect(next.status == 200 && !next.text.contains("No such CI"), "/ci/\(other) linked from /ci/\(link): \(next)")
            }
        }
        #expect(seen == Set(Self.ids), "every CI was reached: \(seen)")
        let missing = try web.request("GET", "/ci/no%20such%C3%BC", headers: headers)
        #expect(missing.status == 404 && missing.text.contains("no such\u{FC}"), "\(missing)")
        let bad = try web.request("GET", "/ci/app-%C3", headers: headers)
        #expect(bad.status == 400, "\(bad)")

        // Decoding a path parameter serves no file: the stylesheet is one fixed route, encoded dots and slashes
        // are not a way out of it.
        for path in ["/static/..%2F..%2Fetc%2Fpasswd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/cmdb.css%2F..%2F..%2Fetc%2Fpasswd",
            "/static/..%2fcmdb.css", "/ci/..%2F..%2Fstatic%2Fcmdb.css"]
        {
            let answer = try web.request("GET", path, headers: headers)
            #expect(answer.status == 404 && !answer.text.contains("root:") && !answer.text.contains("font-size"), "\(path): \(answer)")
        }
        #expect(server.stop() == 0)
    }

    @Test("the web view's GET forms are read as browsers send them: + is a space, %2B a plus; bad encodings are 400")
    func webFormQueries() throws {
        let window = "2026-11-22T02:00/2026-11-22T04:00"
        try harness.succeed("change", "plan", "CHG 1", "--ci", "app x", "--window", window)
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        let signin = try web.request(
            "POST", "/signin", body: Data("token=\(Self.encoded(reader))".utf8), contentType: "application/x-www-form-urlencoded")
        let cookie = try #require(signin.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(signin)")
        let headers = ["Cookie": cookie]
        let w = "window=2026-11-22T02%3A00%2F2026-11-22T04%3A00"

        // A browser submits the impact form with every field, spaces as +.
        let spaced = try web.request("GET", "/impact?targets=&target=app+x&\(w)&depth=&change=", headers: headers)
        #expect(spaced.status == 200 && spaced.text.contains("1 target;") && !spaced.text.contains("class=\"error\""), "\(spaced)")
        #expect(spaced.text.contains("<td>CHG 1</td>"), "the planned change collides: \(spaced)")
        let assessed = try web.request("GET", "/impact?targets=&target=app+x&\(w)&depth=&change=CHG+1", headers: headers)
        #expect(assessed.status == 200 && !assessed.text.contains("<td>CHG 1</td>"), "CHG 1 is the change assessed: \(assessed)")
        #expect(assessed.text.contains("value=\"CHG 1\""), "the form keeps the change as typed")
        let plus = try web.request("GET", "/impact?target=%E6%BC%A2%E5%AD%97+%CE%B1%2B%CE%B2", headers: headers)
        #expect(plus.status == 200 && plus.text.contains("1 target;") && !plus.text.contains("class=\"error\""), "\(plus)")
        // The free-text field separates ids by spaces, which arrive as +.
        let two = try web.request("GET", "/impact?targets=app-1+a%2Fb&target=", headers: headers)
        #expect(two.status == 200 && two.text.contains("2 targets;"), "\(two)")

        let search = try web.request("GET", "/search?q=app+x", headers: headers)
        #expect(search.status == 200 && Self.ciLinks(search.text).contains("app%20x"), "\(search)")
        #expect(search.text.contains("value=\"app x\""), "the search box keeps the words")

        for path in ["/impact?target=app-%C3", "/impact?targets=%ZZ", "/impact?change=50%", "/search?q=%C3%28"] {
            let bad = try web.request("GET", path, headers: headers)
            #expect(bad.status == 400 && bad.text.contains("percent-encoded"), "\(path): \(bad)")
        }
        #expect(server.stop() == 0)
    }

    @Test("the web view's POST forms: + is a space, %2B a plus; a bad encoding is 400 naming the field, and nothing runs")
    func webPostForms() throws {
        let reader = try harness.token("rita", role: "reader")
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        func post(_ path: String, _ body: [UInt8], cookie: String? = nil) throws -> HTTPAnswer {
            try web.request("POST", path, body: Data(body), contentType: "application/x-www-form-urlencoded",
                headers: cookie.map { ["Cookie": $0] } ?? [:])
        }
        func signIn(_ token: String) throws -> String {
            let answer = try post("/signin", Array("token=\(Self.encoded(token))".utf8))
            return try #require(answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(answer)")
        }
        let (readerCookie, editorCookie) = (try signIn(reader), try signIn(editor))

        let formToken = try ServerFormForgeryTests.formToken(web, cookie: readerCookie)
        let good = try post("/query", Array("statement=RETURN+%27a%2Bb+c%27+AS+x&change=&csrf=\(formToken)".utf8), cookie: readerCookie)
        #expect(good.status == 200 && good.text.contains("<td>a+b c</td>"), "\(good)")

        // A bad escape in the statement: 400, the field named, and the write does not run.
        // (Unencoded spaces and punctuation, as a script might send them: kept raw, the text is a valid statement.)
        let create = "statement=CREATE (:Application {id: 'bad-%ZZ'})&change=CHG-POST"
        let bad = try post("/query", Array(create.utf8), cookie: editorCookie)
        #expect(bad.status == 400 && bad.text.contains("Request.Invalid") && bad.text.contains("the field &apos;statement&apos;")
            && bad.text.contains("percent-encoded"), "\(bad)")
        let count = try harness.succeed("query", "MATCH (n) WHERE n.id STARTS WITH 'bad-' RETURN count(n) AS n", "--format", "json").out
        #expect(count.contains("[[0]]"), "nothing was created: \(count)")
        for body in ["statement=RETURN+1&change=CHG%", "statement=RETURN+%27%C3%27", "stat%ZZement=RETURN+1"] {
            let answer = try post("/query", Array(body.utf8), cookie: readerCookie)
            #expect(answer.status == 400 && answer.text.contains("percent-encoded"), "\(body): \(answer)")
        }
        // Raw bytes that are not UTF-8 (a browser always encodes them) are refused too, not read as U+FFFD.
        let raw = try post("/query", Array("statement=RETURN+%27".utf8) + [0xFF] + Array("%27".utf8), cookie: readerCookie)
        #expect(raw.status == 400 && raw.text.contains("percent-encoded"), "\(raw)")

        // Signing in with a badly encoded token is 400 with the reason, not "that token is not valid".
        let signin = try post("/signin", Array("token=abc%G1".utf8))
        #expect(signin.status == 400 && signin.text.contains("the field &apos;token&apos;") && signin.headers["set-cookie"] == nil,
            "\(signin)")
        // The page never shows what was sent: a real token with one bad escape stays secret (README: secrets are
        // never shown), and so does the statement.
        let secret = try post("/signin", Array("token=\(Self.encoded(editor))%ZZ".utf8))
        #expect(secret.status == 400 && !secret.text.contains(editor) && !secret.text.contains(String(editor.prefix(12))),
            "\(secret)")
        #expect(!bad.text.contains("bad-%ZZ"), "\(bad)")
        #expect(server.stop() == 0)
    }
}
