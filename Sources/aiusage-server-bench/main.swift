// Load benchmark of `aiusage-server` on loopback: sustained uploads per second, p50/p99
// latency, errors, and a final row count showing nothing was lost or doubled.
//
//     swift build -c release --product aiusage-server && swift build -c release --product aiusage-server-bench
//     .build/release/aiusage-server-bench [--seconds 10] [--concurrency 8] [--developers 20] [--days 30]
//         [--database postgres://USER:PASSWORD@HOST:PORT/DATABASE]
//
// It starts the `aiusage-server` found next to itself on a free loopback port, with a
// fresh SQLite data folder (or the `--database` given, passed to every server command;
// a new team named `bench-…` keeps runs apart), issues one member token per developer,
// then keeps `concurrency` uploads in flight for `seconds`. Every upload re-sends the
// same days of one developer, so the final row count must be exactly developers × days × rows/day.
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct Options {
    var seconds = 10.0
    var concurrency = 8
    var developers = 20
    var days = 30
    var rowsPerDay = 3
    /// Passed to the server as `--database`; nil for a fresh SQLite data folder.
    var database: String?

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            let text = iterator.next()
            let value = text.flatMap(Double.init)
            switch (argument, value) {
            case ("--seconds", let v?): seconds = v
            case ("--concurrency", let v?): concurrency = Int(v)
            case ("--developers", let v?): developers = Int(v)
            case ("--days", let v?): days = Int(v)
            case ("--database", _) where text != nil: database = text
            default:
                FileHandle.standardError.write(
                    Data(
                        "usage: aiusage-server-bench [--seconds N] [--concurrency N] [--developers N] [--days N] [--database URL]\n".utf8))
                exit(2)
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("aiusage-server-bench: \(message)\n".utf8))
    exit(1)
}

/// Runs the server binary with `arguments`; its standard output.
func admin(_ server: String, _ arguments: [String]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: server)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    do { try process.run() } catch { fail("cannot run \(server): \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fail("\(arguments.prefix(2).joined(separator: " ")) failed") }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// One HTTP request, synchronously: status (0 when unreachable) and body.
func request(_ method: String, _ url: URL, token: String? = nil, body: Data? = nil) -> (Int, Data) {
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.httpBody = body
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: (Int, Data) = (0, Data())
    URLSession.shared.dataTask(with: request) { data, response, _ in
        result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data())
        done.signal()
    }.resume()
    done.wait()
    return result
}

/// The same days for one developer, as `aiusage upload` would send them.
func uploadDocument(days: Int, rowsPerDay: Int, seed: Int) -> Data {
    let calendar = Calendar(identifier: .gregorian)
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd"
    formatter.timeZone = TimeZone(identifier: "UTC")
    let today = calendar.startOfDay(for: Date())
    let dayList: [[String: Any]] = (0..<days).map { offset in
        let day = formatter.string(from: today.addingTimeInterval(Double(-offset) * 86_400))
        let rows: [[String: Any]] = (0..<rowsPerDay).map { index in
            [
                "repo": String(repeating: String(format: "%02x", (index + seed) % 256), count: 32), "tool": "claude-code",
                "model": "claude-sonnet-4-5", "sessions": 1,
                "tokens": ["input": 1000, "output": 200, "cache_write": 0, "cache_read": 5000, "reasoning": 0, "total": 6200],
                "cost_usd": 0.01, "unpriced_tokens": 0, "wasted_cost_usd": 0, "ai_lines_written": 10, "ai_lines_committed": 8,
                "ai_lines_landed": 6, "ai_lines_surviving": 5, "ai_lines_pending": 0, "ai_lines_churned": 1,
                "human_lines_committed": 4, "commits": 1, "ai_assisted_commits": 1, "landed_ai_assisted_commits": 1,
            ]
        }
        return ["day": day, "rows": rows]
    }
    let document: [String: Any] = [
        "schema": "aiusage.upload/1", "generated_at": ISO8601DateFormatter().string(from: Date()), "client": "aiusage-server-bench",
        "named": true, "repo_names": "hashed", "days": dayList,
    ]
    return try! JSONSerialization.data(withJSONObject: document)
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var latencies: [Double] = []
    private(set) var errors: [Int: Int] = [:]
    func record(status: Int, seconds: Double) {
        lock.withLock {
            if (200..<300).contains(status) { latencies.append(seconds) } else { errors[status, default: 0] += 1 }
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let binaryFolder = URL(
    fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
)
.deletingLastPathComponent().path
let server = binaryFolder + "/aiusage-server"
guard FileManager.default.isExecutableFile(atPath: server) else { fail("build aiusage-server first: \(server) not found") }
let data = FileManager.default.temporaryDirectory.appendingPathComponent("aiusage-server-bench-\(UUID().uuidString)").path
defer { try? FileManager.default.removeItem(atPath: data) }
// Every server command gets the same storage: the given database, else the fresh data folder.
let storage = options.database.map { ["--database", $0] } ?? ["--data-dir", data]
let storeName = options.database == nil ? "SQLite store" : "PostgreSQL store"
let loadAtStart = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
// A team of its own, so that a run on a database used before still counts only its own rows.
let team = "bench-" + UUID().uuidString.prefix(8).lowercased()

_ = admin(server, ["team", "create", team] + storage)
let tokens = (0..<options.developers).map {
    admin(server, ["token", "issue", "--team", team, "--developer", "dev\($0)@example.com", "--role", "member"] + storage)
}
let port = Int.random(in: 20_000..<60_000)
let serve = Process()
serve.executableURL = URL(fileURLWithPath: server)
serve.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port)] + storage
serve.standardOutput = FileHandle.nullDevice
serve.standardError = FileHandle.nullDevice
do { try serve.run() } catch { fail("cannot start the server: \(error)") }
defer { serve.terminate(); serve.waitUntilExit() }
let base = "http://127.0.0.1:\(port)"
var ready = false
for _ in 0..<100 where !ready {
    ready = request("GET", URL(string: base + "/api/v1/health")!).0 == 200
    if !ready { Thread.sleep(forTimeInterval: 0.1) }
}
guard ready else { fail("the server did not become ready on \(base)") }

let documents = (0..<options.developers).map { uploadDocument(days: options.days, rowsPerDay: options.rowsPerDay, seed: $0) }
let results = Results()
let counter = NSLock()
nonisolated(unsafe) var next = 0
let started = Date()
let deadline = started.addingTimeInterval(options.seconds)
DispatchQueue.concurrentPerform(iterations: options.concurrency) { _ in
    while Date() < deadline {
        let index = counter.withLock { () -> Int in
            defer { next += 1 }
            return next % options.developers
        }
        let begin = Date()
        let (status, _) = request("POST", URL(string: base + "/api/v1/uploads")!, token: tokens[index], body: documents[index])
        results.record(status: status, seconds: Date().timeIntervalSince(begin))
    }
}
let elapsed = Date().timeIntervalSince(started)

// Nothing lost or doubled: every developer has exactly the days and rows sent.
var stored = 0
for token in tokens {
    let (status, body) = request("GET", URL(string: base + "/api/v1/me")!, token: token)
    guard status == 200, let me = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
        let days = me["days"] as? [[String: Any]]
    else { fail("GET /api/v1/me answered \(status)") }
    stored += days.reduce(0) { $0 + (($1["rows"] as? [Any])?.count ?? 0) }
}
let expected = options.developers * options.days * options.rowsPerDay
let sorted = results.latencies.sorted()
func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
let document = documents[0].count
print(
    """
    aiusage-server-bench — \(storeName), \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(loadAtStart) at start, \(ISO8601DateFormatter().string(from: Date()))
    uploads: \(options.developers) developers × \(options.days) days × \(options.rowsPerDay) rows (\(document) bytes each), \(options.concurrency) in flight, \(String(format: "%.1f", elapsed)) s
    accepted: \(sorted.count) (\(String(format: "%.1f", Double(sorted.count) / elapsed)) uploads/s, \(String(format: "%.0f", Double(sorted.count * options.days * options.rowsPerDay) / elapsed)) rows/s)
    latency: p50 \(String(format: "%.1f", percentile(0.5))) ms, p99 \(String(format: "%.1f", percentile(0.99))) ms, max \(String(format: "%.1f", (sorted.last ?? 0) * 1000)) ms
    errors: \(results.errors.isEmpty ? "none" : results.errors.sorted { $0.key < $1.key }.map { "\($0.value) × HTTP \($0.key)" }.joined(separator: ", "))
    rows stored at the end: \(stored) of \(expected) expected — \(stored == expected ? "nothing lost or doubled" : "MISMATCH")
    """)
