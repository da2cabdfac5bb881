import Crypto
import Foundation
import Glibc
import JSONLines

/// What a token may do. Each role includes the ones before it.
public enum Role: String, Sendable, CaseIterable, Comparable {
    /// Reading CIQL, CIs, history, impact, the change list and audit runs.
    case reader
    /// Also writing CIQL, import, planning and cancelling changes.
    case editor
    /// Also tokens and /metrics.
    case admin

    var rank: Int {
        switch self {
        case .reader: 0
        case .editor: 1
        case .admin: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// A stored token: its name (the actor of its writes), role and the SHA-256 of the secret; never the secret.
public struct StoredToken: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var hash: String
    /// Seconds since 1970.
    public var created: Int64
}

/// An error with the token file or a token command's input.
public struct TokenError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when the user gave something wrong (exit 2); false for the file system (exit 3).
    public var isBadInput: Bool
    public var description: String { message }
}

/// The bearer tokens of a database, kept in `<db>/tokens` (mode 0600, one JSON object a line:
/// `{"name","role","sha256","created"}`), beside the LMDB file rather than in it, so that creating a token is
/// not a CMDB change and the change log stays the CMDB's. Updates take an exclusive lock on `<db>/tokens.lock`
/// and replace the file atomically (write, fsync, rename).
public struct TokenStore: Sendable {
    public let directory: String
    var filePath: String { directory + "/tokens" }
    var lockPath: String { directory + "/tokens.lock" }

    public init(databaseDirectory: String) {
        self.directory = databaseDirectory
    }

    /// The secret's SHA-256 (swift-crypto), hex.
    public static func hash(_ secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(secret.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A new secret: `cmdb_` and 32 random bytes in hex (the system's cryptographic generator).
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        var hex = "cmdb_"
        for _ in 0..<32 { hex += String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
        return hex
    }

    static func validate(name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ allowed.contains($0) }) else {
            throw TokenError(
                message: "token name '\(name)' must be 1 to 64 letters, digits, '.', '_', '@' or '-' (it is the actor of the token's writes)",
                isBadInput: true)
        }
    }

    /// Every token, in the order created.
    public func list() throws -> [StoredToken] {
        guard let data = FileManager.default.contents(atPath: filePath) else {
            if access(filePath, F_OK) != 0 { return [] }
            throw TokenError(message: "cannot read '\(filePath)': \(String(cString: strerror(errno)))", isBadInput: false)
        }
        var tokens: [StoredToken] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let value = try? JSONParser.parse(String(decoding: line, as: UTF8.self)), case .object(let o) = value,
                let name = o["name"]?.stringValue, let roleText = o["role"]?.stringValue, let role = Role(rawValue: roleText),
                let hash = o["sha256"]?.stringValue
            else {
                throw TokenError(message: "\(filePath):\(index + 1): not a token record", isBadInput: false)
            }
            tokens.append(StoredToken(name: name, role: role, hash: hash, created: o["created"]?.intValue ?? 0))
        }
        return tokens
    }

    /// Creates a token and returns its secret (shown once; only its hash is kept).
    public func create(name: String, role: Role) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        try Self.validate(name: name)
        let secret = Self.newSecret()
        try update { tokens in
            if tokens.contains(where: { $0.name == name }) {
                throw TokenError(
                    message: "a token named '\(name)' exists; revoke it first (cmdb token revoke \(name))", isBadInput: true)
            }
            tokens.append(StoredToken(name: name, role: role, hash: Self.hash(secret), created: now))
        }
        return secret
    }

    /// Removes the token `name`.
    public func revoke(name: String) throws {
        try update { tokens in
            guard let index = tokens.firstIndex(where: { $0.name == name }) else {
                let known = tokens.map(\.name)
                throw TokenError(
                    message: "no token named '\(name)'"
                        + (known.isEmpty ? " (there are none)" : "; known: " + known.joined(separator: ", ")),
                    isBadInput: true)
            }
            tokens.remove(at: index)
        }
    }

    private func update(_ change: (inout [StoredToken]) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            access(directory + "/data.mdb", F_OK) == 0
        else {
            throw TokenError(message: "no database at '\(directory)' (cmdb init creates one)", isBadInput: false)
        }
        // Never through a link planted in the database directory (as lock.mdb and data.mdb are refused).
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lock >= 0 else {
            throw TokenError(message: "cannot open '\(lockPath)': \(String(cString: strerror(errno)))", isBadInput: false)
        }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else {
            throw TokenError(message: "cannot lock '\(lockPath)': \(String(cString: strerror(errno)))", isBadInput: false)
        }
        var tokens = try list()
        try change(&tokens)
        var out: [UInt8] = []
        for t in tokens {
            var w = JSONWriter(capacity: 256)
            w.write(.object(JSONObject([
                ("name", .string(t.name)), ("role", .string(t.role.rawValue)), ("sha256", .string(t.hash)),
                ("created", .int(t.created)),
            ])))
            out += w.bytes
            out.append(0x0A)
        }
        let temporary = filePath + ".new"
        // A leftover or planted `tokens.new` (a link, say) is removed itself, then the file made anew: writing
        // through a link there would overwrite whatever it points at.
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw TokenError(message: "cannot write '\(temporary)': \(String(cString: strerror(errno)))", isBadInput: false)
        }
        var written = 0
        while written < out.count {
            let n = out.withUnsafeBytes { write(fd, $0.baseAddress! + written, out.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw TokenError(message: "cannot write '\(temporary)': \(reason)", isBadInput: false)
            }
            written += n
        }
        fchmod(fd, 0o600)
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, filePath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TokenError(message: "cannot replace '\(filePath)': \(reason)", isBadInput: false)
        }
    }
}

/// The server's view of the token file: re-read when it changes on disk (a `cmdb token revoke` takes effect on
/// the next request), looked up by hash.
final class TokenCache: @unchecked Sendable {
    private let store: TokenStore
    private let lock = NSLock()
    private var byHash: [String: StoredToken] = [:]
    private var stamp: (Int, Int, Int64) = (-1, -1, -1)

    init(store: TokenStore) { self.store = store }

    /// The token whose secret this is, if it is (still) valid.
    func token(forSecret secret: String) -> StoredToken? {
        let hash = TokenStore.hash(secret)
        lock.lock()
        defer { lock.unlock() }
        refreshIfChanged()
        return byHash[hash]
    }

    /// The token with this hash, if it is (still) valid.
    func token(forHash hash: String) -> StoredToken? {
        lock.lock()
        defer { lock.unlock() }
        refreshIfChanged()
        return byHash[hash]
    }

    /// Reloads the file when its inode, size or mtime moved (one stat(2) per request, nothing allocated).
    private func refreshIfChanged() {
        let current: (Int, Int, Int64) = fileStamp(store.filePath).map { ($0.inode, $0.size, $0.modified) } ?? (0, 0, 0)
        guard current != stamp else { return }
        // A file that cannot be read leaves no token valid (fail closed).
        let tokens = (try? store.list()) ?? []
        byHash = Dictionary(tokens.map { ($0.hash, $0) }, uniquingKeysWith: { a, _ in a })
        stamp = current
    }
}
