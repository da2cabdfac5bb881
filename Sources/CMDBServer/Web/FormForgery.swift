import HTTPTypes
import Hummingbird

/// The web view's defence against forged form posts (cross-site request forgery). Its session cookie is
/// SameSite=Strict, which keeps other *sites* out; but a page on another port of the same host, or on a sibling
/// subdomain, is the same site, and the browser sends the cookie with that page's form posts. So every POST form:
/// - is refused when the browser says it comes from elsewhere: `Sec-Fetch-Site` other than `same-origin` (or `none`),
///   or, from a browser that does not send that header, an `Origin` that is not this server's own (the public URL's,
///   or the scheme and `Host` the request reached the server with);
/// - when the session cookie signs it, carries the session's form token in the hidden field `csrf`, compared in
///   constant time (a page elsewhere cannot read it: the same-origin policy keeps other origins out of our pages).
/// A refused post is 403 `Request.Forged` and runs nothing. The JSON API takes no cookie at all (bearer tokens only).
struct FormForgery {
    /// The origins forms may come from besides the request's own (`--public-url`'s), lower case.
    let publicOrigin: String?
    /// The scheme the server itself speaks.
    let scheme: String

    static let fieldName = "csrf"

    /// Refuses a form post the browser says comes from another origin.
    func checkOrigin(_ request: Request) throws {
        if let site = request.headers[Self.secFetchSite] {
            switch site.lowercased() {
            case "same-origin", "none": return
            default:
                throw Self.forged("the browser says this form was sent from another site or origin (Sec-Fetch-Site: \(site))")
            }
        }
        guard let origin = request.headers[.origin] else { return }
        let own = ownOrigins(request)
        guard !own.contains(origin.lowercased()) else { return }
        throw Self.forged(
            "this form was sent from \(origin), not from this server (\(own.joined(separator: " or "))); behind a proxy, "
                + "start the server with --public-url set to the address the browser uses")
    }

    /// Refuses a post signed by the session cookie that does not carry the session's form token exactly once.
    func checkToken(_ fields: FormQuery, context: CMDBRequestContext) throws {
        guard context.signedInByCookie else { return }
        let sent = fields.all(Self.fieldName)
        guard sent.count == 1, let expected = context.caller?.formToken, Self.constantTimeEqual(sent[0], expected) else {
            throw Self.forged(
                sent.isEmpty
                    ? "this form carries no form token: post it from the page this server wrote (reload the page)"
                    : "this form's token is not the one of this session: post it from the page this server wrote (reload the page)")
        }
    }

    func ownOrigins(_ request: Request) -> [String] {
        var origins: [String] = []
        if let publicOrigin { origins.append(publicOrigin) }
        if let host = request.head.authority { origins.append("\(scheme)://\(host.lowercased())") }
        return origins
    }

    static func forged(_ message: String) -> APIError {
        APIError(.forbidden, "Request.Forged", message)
    }

    /// Equal texts, compared in time that depends only on their lengths.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
