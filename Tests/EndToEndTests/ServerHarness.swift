import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `cmdb serve` on a free port of 127.0.0.1, over a real database in the test's sandbox.
final class ServerProcess: @unchecked Sendable {
    let process: ChildProcess
    let baseURL: String
    let stderrPath: String

    /// Starts `cmdb --db DB serve --listen 127.0.0.1:0 EXTRA…` and waits for the line naming its address.
    init(harness: Harness, db: String? = nil, extra: [String] = []) throws {
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = harness.sandbox.temporaryDirectory
        env["CMDB_LOG_LEVEL"] = "warning"
        stderrPath = harness.sandbox.uniqueName("serve-stderr")
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer { try? handle.close() }
        process = try ChildProcess(
            Paths.binary, ["--db", db ?? harness.db, "serve", "--listen", "127.0.0.1:0"] + extra, environment: env,
            stderr: .descriptor(handle.fileDescriptor))
        let deadline = ContinuousClock.now + .seconds(60)
        var found: String?
        while found == nil && ContinuousClock.now < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: "at http://127.0.0.1:") ?? text.range(of: "at https://127.0.0.1:") {
                let rest = text[range.lowerBound...].dropFirst(3)
                if let end = rest.firstIndex(of: "\n") { found = String(rest[..<end]).trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
            }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            process.send(SIGKILL)
            throw HarnessFailure("the server did not start: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
        }
        baseURL = found
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func stop(timeout: Double = 30) -> Int32 {
        process.terminate()
        if process.wait(seconds: timeout) == nil {
            process.send(SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One HTTP answer.
struct HTTPAnswer: CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    /// `error.code` of an error answer.
    var errorCode: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String }
    var description: String { "HTTP \(status): \(text.prefix(600))" }
}

/// A small synchronous HTTP/1.1 client over a plain socket (one connection per request, `Connection: close`), so
/// the tests depend on nothing but the server: no client library's own pooling or scheduling in the way.
struct HTTPClient: Sendable {
    let baseURL: String
    var token: String?

    func request(
        _ method: String, _ path: String, json: Any? = nil, body: Data? = nil, contentType: String? = nil,
        headers: [String: String] = [:], timeout: Double = 120
    ) throws -> HTTPAnswer {
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port else { throw HarnessFailure("bad base URL \(baseURL)") }
        var payload = Data()
        var type = contentType
        if let json {
            payload = try JSONSerialization.data(withJSONObject: json)
            type = type ?? "application/json"
        } else if let body {
            payload = body
            type = type ?? "application/x-ndjson"
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let type { head += "Content-Type: \(type)\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if method == "POST" || !payload.isEmpty { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessFailure("socket: \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        // Sending too: a server that stops reading a large body must fail the request, not hold the test forever.
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessFailure("connect to \(baseURL): errno \(errno)") }
        let out = Data(head.utf8) + payload
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + sent, out.count - sent, Int32(MSG_NOSIGNAL)) }
            // The server may answer (401, 413) and close before reading the whole body: read what it said.
            if n <= 0 { break }
            sent += n
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return try Self.parse(received)
    }

    static func parse(_ data: Data) throws -> HTTPAnswer {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw HarnessFailure("no HTTP answer: \(String(decoding: data, as: UTF8.self))") }
        let lines = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HarnessFailure("bad status line \(lines.first ?? "")") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var decoded = Data()
            var rest = body[...]
            while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
                let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
                let start = lineEnd.upperBound
                guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
                let end = rest.index(start, offsetBy: size)
                decoded.append(rest[start..<end])
                let next = rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex
                rest = rest[next...]
            }
            body = decoded
        }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }

    func query(_ statement: String, parameters: [String: Any] = [:], change: String? = nil) throws -> HTTPAnswer {
        var body: [String: Any] = ["statement": statement, "parameters": parameters]
        if let change { body["change"] = change }
        return try request("POST", "/v1/query", json: body)
    }
}

extension Harness {
    /// Creates a token with the CLI and returns its secret (stdout is the token alone).
    func token(_ name: String, role: String, db: String? = nil) throws -> String {
        let result = try run(["--db", db ?? self.db, "token", "create", name, "--role", role])
        try #require(result.exitCode == 0, "\(result)")
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
