import Foundation
import Testing

/// Cross-site request forgery: the web view's session cookie is SameSite=Strict, which stops other *sites*, but a
/// page on another port of the same host or on a sibling subdomain is the same site, so the browser sends the cookie
/// with its form posts. The API takes bearer tokens only; the web view's POST forms carry a per-session form token
/// and are refused when the browser says they come from elsewhere. The real binary, a real server, a real database.
@Suite("cmdb serve: forged form posts and the session cookie", .serialized)
struct ServerFormForgeryTests {
    let harness: Harness

    init() throws {
        harness = try Harness()
        try harness.makeDatabase(withSample: false)
    }

    static let form = "application/x-www-form-urlencoded"

    /// Signs in through the web form; the session cookie (`name=value`).
    static func signIn(_ web: HTTPClient, _ token: String) throws -> String {
        let answer = try web.request("POST", "/signin", body: Data("token=\(token)".utf8), contentType: form)
        return try #require(answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(answer)")
    }

    /// The hidden form token of the page at `path`, as a signed-in browser gets it.
    static func formToken(_ web: HTTPClient, cookie: String, path: String = "/query") throws -> String {
        let page = try web.request("GET", path, headers: ["Cookie": cookie])
        let text = page.text
        let marker = "name=\"csrf\" value=\""
        let start = try #require(text.range(of: marker), "no form token on \(path): \(page)").upperBound
        let end = try #require(text[start...].firstIndex(of: "\""))
        return String(text[start..<end])
    }

    func ids(_ prefix: String) throws -> String {
        try harness.succeed("query", "MATCH (n) WHERE n.id STARTS WITH '\(prefix)' RETURN n.id ORDER BY n.id", "--format", "csv").out
    }

    @Test("/v1 takes the bearer token only: the session cookie alone is 401, with a JSON or a text/plain body, and nothing is written")
    func apiIgnoresTheCookie() throws {
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        let cookie = try Self.signIn(web, editor)
        let body = Data(#"{"statement":"CREATE (:Application {id:'forged-api'})","change":"CSRF"}"#.utf8)
        for type in ["text/plain", "application/json"] {
            let answer = try web.request("POST", "/v1/query", body: body, contentType: type,
                headers: ["Cookie": cookie, "Origin": "http://127.0.0.1:9"])
            #expect(answer.status == 401 && answer.errorCode == "Auth.Unauthorized", "\(type): \(answer)")
        }
        let read = try web.request("GET", "/v1/changes", headers: ["Cookie": cookie])
        #expect(read.status == 401, "\(read)")
        #expect(try ids("forged").split(separator: "\n").count == 1, "only the header: nothing was written")
        // The bearer token still works, whatever the content type.
        let bearer = try HTTPClient(baseURL: server.baseURL, token: editor).request(
            "POST", "/v1/query", body: Data(#"{"statement":"RETURN 1 AS one"}"#.utf8), contentType: "text/plain")
        #expect(bearer.status == 200, "\(bearer)")
        #expect(server.stop() == 0)
    }

    @Test("a form post from another origin, or without the session's form token, is 403 and runs nothing; the page's own form works")
    func forgedFormPosts() throws {
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        let cookie = try Self.signIn(web, editor)
        let token = try Self.formToken(web, cookie: cookie)
        #expect(token.count == 64, "\(token)")
        func post(_ path: String, _ fields: String, _ headers: [String: String]) throws -> HTTPAnswer {
            try web.request("POST", path, body: Data(fields.utf8), contentType: Self.form,
                headers: headers.merging(["Cookie": cookie]) { a, _ in a })
        }
        let own = server.baseURL
        let create = { (id: String) in "statement=CREATE+(%3AApplication+%7Bid%3A%27\(id)%27%7D)&change=CSRF" }
        let forged: [(String, String, [String: String])] = [
            // What a browser sends for a form on another port of the same host: same site, other origin.
            ("other port, no token", create("forged-1"), ["Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site"]),
            ("other port, Origin only", create("forged-2"), ["Origin": "http://127.0.0.1:9"]),
            ("sibling subdomain, a stolen-looking token", create("forged-3") + "&csrf=\(token)",
                ["Origin": "http://wiki.example.org", "Sec-Fetch-Site": "same-site"]),
            ("cross-site", create("forged-4") + "&csrf=\(token)", ["Sec-Fetch-Site": "cross-site"]),
            ("an origin of null", create("forged-5") + "&csrf=\(token)", ["Origin": "null"]),
            ("no form token", create("forged-6"), [:]),
            ("a wrong form token", create("forged-7") + "&csrf=" + String(repeating: "0", count: 64), ["Origin": own]),
            ("a short form token", create("forged-8") + "&csrf=" + String(token.prefix(10)), ["Origin": own]),
            ("two form tokens", create("forged-9") + "&csrf=\(token)&csrf=x", ["Origin": own]),
        ]
        for (what, fields, headers) in forged {
            let answer = try post("/query", fields, headers)
            #expect(answer.status == 403 && answer.text.contains("Request.Forged"), "\(what): \(answer)")
            #expect(!answer.text.contains("<script"), "\(what): the page holds no script")
        }
        let forgedIDs = try ids("forged")
        #expect(forgedIDs.split(separator: "\n").count == 1, "nothing was written: \(forgedIDs)")

        // The page's own form, as a browser sends it, and as a script without Origin headers sends it.
        let ok = try post("/query", create("own-1") + "&csrf=\(token)", ["Origin": own, "Sec-Fetch-Site": "same-origin"])
        #expect(ok.status == 200 && ok.text.contains("Done."), "\(ok)")
        let plain = try post("/query", create("own-2") + "&csrf=\(token)", [:])
        #expect(plain.status == 200, "\(plain)")
        #expect(try ids("own").contains("own-1") && ids("own").contains("own-2"))

        // Sign-out from elsewhere leaves the session; the page's own sign-out form ends it.
        let signout = try post("/signout", "csrf=\(token)", ["Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site"])
        #expect(signout.status == 403, "\(signout)")
        let noToken = try post("/signout", "", [:])
        #expect(noToken.status == 403, "\(noToken)")
        #expect(try Self.formToken(web, cookie: cookie) == token, "still signed in")
        let navToken = try Self.formToken(web, cookie: cookie, path: "/search")
        #expect(navToken == token, "the sign-out form of every page carries it")
        let out = try post("/signout", "csrf=\(token)", ["Origin": own, "Sec-Fetch-Site": "same-origin"])
        #expect(out.status == 303, "\(out)")
        let after = try web.request("GET", "/query", headers: ["Cookie": cookie])
        #expect(after.status == 303 || after.text.contains("id=\"token\""), "signed out: \(after)")
        #expect(server.stop() == 0)
    }

    @Test("sign-in from another origin is 403 and starts no session (no login forgery)")
    func forgedSignIn() throws {
        let reader = try harness.token("rita", role: "reader")
        let server = try ServerProcess(harness: harness)
        let web = HTTPClient(baseURL: server.baseURL, token: nil)
        for headers in [["Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site"], ["Sec-Fetch-Site": "cross-site"],
            ["Origin": "https://evil.example"]]
        {
            let answer = try web.request("POST", "/signin", body: Data("token=\(reader)".utf8), contentType: Self.form, headers: headers)
            #expect(answer.status == 403 && answer.headers["set-cookie"] == nil && answer.text.contains("Request.Forged"),
                "\(headers): \(answer)")
        }
        let own = try web.request("POST", "/signin", body: Data("token=\(reader)".utf8), contentType: Self.form,
            headers: ["Origin": server.baseURL, "Sec-Fetch-Site": "same-origin"])
        #expect(own.status == 303 && own.headers["set-cookie"] != nil, "\(own)")
        #expect(server.stop() == 0)
    }

    @Test("behind a TLS proxy: --public-url https://… marks the cookie Secure and is the origin forms may come from; X-Forwarded-Proto is not trusted")
    func publicURL() throws {
        let reader = try harness.token("rita", role: "reader")
        let plain = try ServerProcess(harness: harness)
        let spoofed = try HTTPClient(baseURL: plain.baseURL, token: nil).request(
            "POST", "/signin", body: Data("token=\(reader)".utf8), contentType: Self.form,
            headers: ["X-Forwarded-Proto": "https", "Forwarded": "proto=https"])
        let plainCookie = spoofed.headers["set-cookie"] ?? ""
        #expect(spoofed.status == 303 && !plainCookie.contains("Secure"), "headers anyone can send change nothing: \(spoofed)")
        #expect(plain.stop() == 0)

        let proxied = try ServerProcess(harness: harness, extra: ["--public-url", "https://cmdb.example.org"])
        let web = HTTPClient(baseURL: proxied.baseURL, token: nil)
        // nginx's default: Host is the upstream's address, the browser's Origin the public one.
        let signin = try web.request("POST", "/signin", body: Data("token=\(reader)".utf8), contentType: Self.form,
            headers: ["Origin": "https://cmdb.example.org"])
        #expect(signin.status == 303, "\(signin)")
        let cookie = signin.headers["set-cookie"] ?? ""
        #expect(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
        let elsewhere = try web.request("POST", "/signin", body: Data("token=\(reader)".utf8), contentType: Self.form,
            headers: ["Origin": "http://cmdb.example.org"])
        #expect(elsewhere.status == 403, "http is another origin: \(elsewhere)")
        #expect(proxied.stop() == 0)

        for bad in ["cmdb.example.org", "ftp://cmdb.example.org", "https://", "https://cmdb.example.org/cmdb", "https://a b"] {
            let refused = try harness.cmdb("serve", "--listen", "127.0.0.1:0", "--public-url", bad)
            #expect(refused.exitCode == 2 && refused.err.contains("--public-url"), "\(bad): \(refused)")
        }
    }
}

/// The same in a real browser: Tests/Web/form_forgery_test.py drives headless Chromium against pages on another
/// port of the same host.
@Suite("cmdb serve: forged form posts in Chromium")
struct FormForgeryBrowserTests {
    @Test("a page on another port of the same host cannot write through the signed-in browser; the console's own form can")
    func browser() throws {
        let harness = try Harness()
        try harness.makeDatabase(withSample: false)
        let editor = try harness.token("ed", role: "editor")
        let server = try ServerProcess(harness: harness)
        let script = Paths.packageRoot.appendingPathComponent("Tests/Web/form_forgery_test.py").path
        let result = try harness.tool("/usr/bin/env", ["python3", script, server.baseURL, editor])
        #expect(result.exitCode == 0 && result.out.contains("all steps passed"), "\(result)\n\(server.stderr)")
        #expect(server.stop() == 0)
        let written = try harness.succeed(
            "query", "MATCH (n) WHERE n.id IN ['own-form', 'forged-form', 'forged-api'] RETURN n.id", "--format", "csv").out
        #expect(written.split(separator: "\n") == ["n.id", "own-form"], "\(written)")
    }
}
