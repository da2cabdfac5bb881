import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A real `cmdb serve` on a free port of 127.0.0.1, over a real database in the test's sandbox.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let baseURL: String
    let stderrPath: String

    /// Starts `cmdb --db DB serve --listen 127.0.0.1:0 EXTRA…` and waits for the line naming its address.
    init(harness: Harness, db: String? = nil, extra: [String] = []) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["--db", db ?? harness.db, "serve", "--listen", "127.0.0.1:0"] + extra
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = harness.sandbox.temporaryDirectory
        env["CMDB_LOG_LEVEL"] = "warning"
        process.environment = env
        stderrPath = harness.sandbox.uniqueName("serve-stderr")
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer { try? handle.close() }
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
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
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw HarnessFailure("the server did not start: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
        }
        baseURL = found
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func stop(timeout: Double = 30) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
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

/// A small synchronous HTTP client over URLSession (a fresh ephemeral session per client: no shared cookies).
struct HTTPClient: Sendable {
    let baseURL: String
    var token: String?

    func request(_ method: String, _ path: String, json: Any? = nil, body: Data? = nil, contentType: String? = nil, timeout: Double = 60) throws -> HTTPAnswer {
        guard let url = URL(string: baseURL + path) else { throw HarnessFailure("bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue(contentType ?? "application/x-ndjson", forHTTPHeaderField: "Content-Type")
        }
        let box = AnswerBox()
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: .ephemeral)
        session.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
                box.result = .success(HTTPAnswer(status: http.statusCode, headers: headers, body: data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        switch box.result {
        case .success(let a)?: return a
        case .failure(let e)?: throw e
        case nil: throw HarnessFailure("no answer")
        }
    }

    func query(_ statement: String, parameters: [String: Any] = [:], change: String? = nil) throws -> HTTPAnswer {
        var body: [String: Any] = ["statement": statement, "parameters": parameters]
        if let change { body["change"] = change }
        return try request("POST", "/v1/query", json: body)
    }
}

private final class AnswerBox: @unchecked Sendable {
    var result: Result<HTTPAnswer, any Error>?
}

extension Harness {
    /// Creates a token with the CLI and returns its secret (stdout is the token alone).
    func token(_ name: String, role: String, db: String? = nil) throws -> String {
        let result = try run(["--db", db ?? self.db, "token", "create", name, "--role", role])
        try #require(result.exitCode == 0, "\(result)")
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
