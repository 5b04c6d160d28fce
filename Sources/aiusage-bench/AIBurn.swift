import Foundation

/// aiburn (PyPI `aiburn`, a Rust binary), the peer the cold report is compared with.
/// `aiburn daily` — its default command — reads every Claude Code and Codex file under
/// `$HOME/.claude/projects` and `$CODEX_HOME` (default `$HOME/.codex`)`/sessions` and
/// prints per-day rows and the totals: the fair peer of a first `aiusage report`. It
/// keeps no state, so every run is a cold run.
struct AIBurn {
    static let version = "0.4.5"
    let binary: String

    /// Installs aiburn into a virtual environment under the bench folder (reused when the
    /// right version is already there).
    static func install(root: String, log: (String) -> Void) throws -> AIBurn {
        let venv = root + "/aiburn-venv"
        let binary = venv + "/bin/aiburn"
        if FileManager.default.isExecutableFile(atPath: binary),
            let version = try? Spawner.output([binary, "--version"]),
            version.trimmingCharacters(in: .whitespacesAndNewlines) == Self.version
        {
            return AIBurn(binary: binary)
        }
        log("installing aiburn \(Self.version) into \(venv) …")
        try? FileManager.default.removeItem(atPath: venv)
        _ = try Spawner.output(["python3", "-m", "venv", venv])
        _ = try Spawner.output([venv + "/bin/pip", "install", "--quiet", "--disable-pip-version-check", "aiburn==\(Self.version)"])
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError.message("pip installed aiburn but \(binary) is missing")
        }
        return AIBurn(binary: binary)
    }

    /// `aiburn daily` with HOME = the corpus home (no CODEX_HOME or CLAUDE_CONFIG_DIR, so
    /// it reads only the corpus); the footer's "Scanned N files" goes to `output`.
    func run(home: String, output: String) throws -> ChildRun {
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "TZ": "UTC",
            "NO_COLOR": "1",
        ]
        return try Spawner.measured(
            [binary, "daily"], SpawnOptions(environment: environment, directory: home, stdout: output, stderr: output))
    }

    /// The files aiburn says it read (its footer), or nil.
    static func scannedFiles(_ output: String) -> Int? {
        guard let text = try? String(contentsOfFile: output, encoding: .utf8), let range = text.range(of: "Scanned ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
