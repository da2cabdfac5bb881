import CMDB
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Server-rendered HTML: escaping, the page frame and small building blocks. No JavaScript.
enum HTML {
    /// Text made safe for element content and quoted attribute values (the GraphML export's escaping: the same
    /// five entities, and control characters HTML forbids replaced).
    static func escape(_ s: String) -> String { xmlEscaped(s) }

    /// A path segment or query value, percent-encoded: every UTF-8 byte but RFC 3986's unreserved ASCII characters
    /// (`CharacterSet.alphanumerics` would let non-ASCII letters through), so it decodes back to `s` exactly.
    static func urlComponent(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    static func link(ci id: String) -> String {
        "<a href=\"/ci/\(urlComponent(id))\">\(escape(id))</a>"
    }

    /// A whole page: skip link, navigation (when signed in), the main content.
    static func page(title: String, signedInAs: Caller?, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var nav = ""
        if let caller = signedInAs {
            nav = """
                <nav aria-label="Main"><ul>
                <li><a href="/search" accesskey="s">Search CIs</a></li>
                <li><a href="/impact" accesskey="i">Impact</a></li>
                <li><a href="/query" accesskey="q">Query</a></li>
                </ul>
                <form method="post" action="/signout" class="signout">\(formTokenField(caller))<span>\(escape(caller.name)) (\(caller.role.rawValue))</span>
                <button type="submit">Sign out</button></form></nav>
                """
        }
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · cmdb</title>
            <link rel="stylesheet" href="/static/cmdb.css">
            </head><body>
            <a class="skip" href="#main">Skip to content</a>
            <header><span class="brand">cmdb</span>\(nav)</header>
            <main id="main" tabindex="-1">
            <h1>\(escape(title))</h1>
            \(body)
            </main></body></html>
            """
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("X-Content-Type-Options")!: "nosniff",
                .contentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; frame-ancestors 'none'"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A table of text cells (escaped); cells of `linkColumns` link to the CI page.
    static func table(caption: String?, columns: [String], rows: [[String]], linkColumns: Set<Int> = []) -> String {
        var out = "<div class=\"scroll\"><table>"
        if let caption { out += "<caption>\(escape(caption))</caption>" }
        out += "<thead><tr>" + columns.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() {
                out += "<td>" + (linkColumns.contains(i) && !cell.isEmpty && cell != "null" ? link(ci: cell) : escape(cell)) + "</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// The hidden field with the session's form token, in every POST form of a signed-in page (see `FormForgery`).
    static func formTokenField(_ caller: Caller) -> String {
        caller.formToken.map { "<input type=\"hidden\" name=\"\(FormForgery.fieldName)\" value=\"\(escape($0))\">" } ?? ""
    }

    static func error(_ e: APIError) -> String {
        var place = ""
        if let line = e.line { place = " at line \(line)" + (e.column.map { ", column \($0)" } ?? "") }
        return "<div class=\"error\" role=\"alert\"><strong>\(escape(e.code))</strong>\(escape(place)): \(escape(e.message))</div>"
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// Large type, high contrast, a thick focus ring: readable on a projector, usable with the keyboard.
    static let stylesheet = """
        :root { color-scheme: light; }
        body { font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 1.375rem; line-height: 1.5; margin: 0;
          color: #000; background: #fff; }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .5rem 1.5rem; background: #00264d; color: #fff; }
        header a, header span { color: #fff; }
        .brand { font-weight: 700; font-size: 1.6rem; margin-right: 1rem; }
        nav { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; flex: 1; }
        nav ul { display: flex; gap: 1.5rem; list-style: none; margin: 0; padding: 0; flex: 1; }
        nav a { font-weight: 600; }
        .signout { display: flex; align-items: center; gap: .75rem; }
        main { padding: 1rem 1.5rem 3rem; max-width: 110rem; }
        h1 { font-size: 2.1rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.6rem; margin-top: 2rem; border-bottom: 3px solid #00264d; }
        a { color: #0033a0; text-decoration-thickness: 2px; }
        a:focus, button:focus, input:focus, textarea:focus, main:focus { outline: 4px solid #ffbf00; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 1rem; background: #ffbf00; color: #000; padding: .5rem; z-index: 2; }
        label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
        input, textarea, button { font-size: 1.25rem; padding: .45rem .6rem; border: 2px solid #000; border-radius: 4px; }
        input[type=text], input[type=password], input[type=search] { width: min(40rem, 95%); }
        textarea { width: min(70rem, 95%); font-family: "DejaVu Sans Mono", monospace; }
        button { background: #00264d; color: #fff; font-weight: 600; cursor: pointer; margin-top: .75rem; }
        header button { background: #fff; color: #00264d; margin: 0; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; margin: .5rem 0 1rem; }
        caption { text-align: left; font-weight: 600; padding: .25rem 0; }
        th, td { border: 2px solid #444; padding: .3rem .7rem; text-align: left; vertical-align: top; }
        th { background: #e6ecf2; }
        .error { border: 3px solid #b00020; background: #fde8eb; padding: .75rem 1rem; margin: 1rem 0; }
        .note { border-left: 6px solid #00264d; padding: .25rem 1rem; background: #f1f4f8; }
        .level-down { color: #fff; background: #b00020; font-weight: 700; padding: 0 .4rem; }
        .level-degraded { color: #000; background: #ffbf00; font-weight: 700; padding: 0 .4rem; }
        .risk { font-size: 1.6rem; font-weight: 700; }
        figure.graph { border: 2px solid #444; padding: .5rem; overflow: auto; max-height: 70vh; background: #fff; }
        figure.graph svg { max-width: none; }
        """
}
