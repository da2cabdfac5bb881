import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The web view's sign-ins: a random session id in an HttpOnly, SameSite=Strict cookie, mapped here (in memory,
/// for 12 hours) to the hash of the token that signed in and the session's form token (the hidden field of its POST
/// forms, see `FormForgery`). A revoked token ends its sessions on the next request; a restart ends them all.
final class WebSessions: Sendable {
    static let cookieName = "cmdb_session"
    static let lifetime: TimeInterval = 12 * 3600
    private let sessions = Mutex([String: (hash: String, formToken: String, expires: Date)]())

    /// Starts a session for the token with `hash`; returns its id.
    func start(hash: String) -> String {
        let id = Self.randomHex(), formToken = Self.randomHex()
        let now = Date()
        sessions.withLock { s in
            s = s.filter { $0.value.expires > now }
            s[id] = (hash, formToken, now.addingTimeInterval(Self.lifetime))
        }
        return id
    }

    /// 32 random bytes in hex.
    private static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// The valid token behind a session id, and the session's form token.
    func token(for id: String, tokens: TokenCache) -> (token: StoredToken, formToken: String)? {
        let entry = sessions.withLock { $0[id] }
        guard let entry, entry.expires > Date(), let token = tokens.token(forHash: entry.hash) else { return nil }
        return (token, entry.formToken)
    }

    /// The session id in the request's cookies.
    static func cookie(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
            }
        }
        return nil
    }

    /// The Set-Cookie value for a session (`Secure` when the server speaks TLS).
    static func setCookie(_ id: String, secure: Bool) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(lifetime))" + (secure ? "; Secure" : "")
    }

    static func clearCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "")
    }
}
