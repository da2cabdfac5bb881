import Foundation
import GraphStorage
import Synchronization

/// Request counts and latencies per route, in Prometheus's text format, with the LMDB figures beside them.
final class ServerMetrics: Sendable {
    /// Upper bounds of the latency buckets, seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct Latency {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var requests: [Key: Int] = [:]
        var latencies: [String: Latency] = [:]
        var inFlight = 0
    }

    private let state = Mutex(State())
    private let started = Date()

    func begin() { state.withLock { $0.inFlight += 1 } }

    func record(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.inFlight -= 1
            s.requests[Key(method: method, route: route, status: status), default: 0] += 1
            var l = s.latencies[route] ?? Latency()
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { l.counts[i] += 1 }
            l.sum += seconds
            l.count += 1
            s.latencies[route] = l
        }
    }

    /// The exposition text.
    func render(store: GraphStore) -> String {
        let s = state.withLock { $0 }
        var out = "# HELP cmdb_http_requests_total HTTP requests answered, by method, route and status.\n"
        out += "# TYPE cmdb_http_requests_total counter\n"
        for (k, n) in s.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "cmdb_http_requests_total{method=\"\(k.method)\",route=\"\(Self.label(k.route))\",status=\"\(k.status)\"} \(n)\n"
        }
        out += "# HELP cmdb_http_request_duration_seconds Time to answer a request, by route.\n"
        out += "# TYPE cmdb_http_request_duration_seconds histogram\n"
        for (route, l) in s.latencies.sorted(by: { $0.key < $1.key }) {
            let r = Self.label(route)
            for (i, bound) in Self.buckets.enumerated() {
                out += "cmdb_http_request_duration_seconds_bucket{route=\"\(r)\",le=\"\(bound)\"} \(l.counts[i])\n"
            }
            out += "cmdb_http_request_duration_seconds_bucket{route=\"\(r)\",le=\"+Inf\"} \(l.count)\n"
            out += "cmdb_http_request_duration_seconds_sum{route=\"\(r)\"} \(l.sum)\n"
            out += "cmdb_http_request_duration_seconds_count{route=\"\(r)\"} \(l.count)\n"
        }
        let readers = store.readerSlots
        out += "# HELP cmdb_http_requests_in_flight Requests being answered now.\n# TYPE cmdb_http_requests_in_flight gauge\n"
        out += "cmdb_http_requests_in_flight \(s.inFlight)\n"
        out += "# HELP cmdb_lmdb_map_size_bytes Size of LMDB's memory map.\n# TYPE cmdb_lmdb_map_size_bytes gauge\n"
        out += "cmdb_lmdb_map_size_bytes \(store.mapSize)\n"
        out += "# HELP cmdb_lmdb_data_file_bytes Size of data.mdb on disk.\n# TYPE cmdb_lmdb_data_file_bytes gauge\n"
        out += "cmdb_lmdb_data_file_bytes \(store.dataFileSize)\n"
        out += "# HELP cmdb_lmdb_readers LMDB reader slots in use (all processes).\n# TYPE cmdb_lmdb_readers gauge\n"
        out += "cmdb_lmdb_readers \(readers.used)\n"
        out += "# HELP cmdb_lmdb_readers_max LMDB reader slots available.\n# TYPE cmdb_lmdb_readers_max gauge\n"
        out += "cmdb_lmdb_readers_max \(readers.maximum)\n"
        out += "# HELP cmdb_uptime_seconds Seconds since the server started.\n# TYPE cmdb_uptime_seconds gauge\n"
        out += "cmdb_uptime_seconds \(Int(Date().timeIntervalSince(started)))\n"
        return out
    }

    private static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
