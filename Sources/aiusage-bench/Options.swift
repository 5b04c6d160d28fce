import Foundation

/// The parts of the benchmark; `--only` picks some of them.
enum Part: String, CaseIterable, Sendable {
    /// `aiusage report --all-repos` cold and warm on the 280-large-file corpus (`Corpus.swift`).
    case large
    /// The same on a heavy user's disk: ~3,000 session files, 12 project folders, `.jsonl.zst`.
    case realistic
    /// `aiusage report` first and later in a generated long history, against `git log -p`.
    case history
    /// Extra time the post-commit hook adds to `git commit`.
    case hook
}

/// Command-line flags. The bench does not depend on ArgumentParser (nor on any aiusage
/// library), so this is a small hand-written parser.
struct Options: Sendable {
    var sizeMB = 1024
    var directory: String?
    var parts: Set<Part> = Set(Part.allCases)
    var historyCommits = 100_000
    var seed: UInt64 = 0x5EED_A1A5
    var aiusageBinary: String?
    var aiburn = true
    var zst = true
    var dropCaches = true
    var coldRuns = 3
    var warmRuns = 7
    var commits = 30
    /// Seconds after which one aiusage command is killed and reported as cut off.
    var timeout: Double = 600

    static let usage = """
        usage: aiusage-bench [options]

        Measures the commands a user types — `aiusage report --all-repos` cold and warm,
        `aiusage report` in a long history, the post-commit hook — as whole processes of
        the aiusage binary it is given, on corpora it generates (deterministic, seeded).
        Prints a summary with the targets and PASS/FAIL; exits 0 once it has measured.

            swift build -c release --product aiusage --static-swift-stdlib
            swift build -c release --product aiusage-bench --static-swift-stdlib
            .build/release/aiusage-bench

        options:
          --aiusage PATH          the aiusage binary to measure (default: next to this binary)
          --only PARTS            comma-separated subset of: large, realistic, history, hook
          --size-mb N             size of each transcript corpus in MB (default 1024)
          --history-commits N     commits of the generated history (default 100000; 0 skips it)
          --seed N                generator seed (default fixed, so every run sees the same data)
          --dir PATH              bench folder: corpora, the cached history, stores, aiburn's
                                  virtual environment (default: $TMPDIR/aiusage-bench; must not
                                  be inside a git work tree, or every session would be in it)
          --timeout SECONDS       kill one aiusage command after this long and report it as
                                  cut off (default 600)
          --cold-runs N           fresh-store runs per corpus, median reported (default 3)
          --warm-runs N           runs with nothing new, median reported (default 7)
          --commits N             commits per variant in the hook measurement (default 30)
          --no-zst                write every Codex rollout as plain .jsonl (the realistic corpus
                                  otherwise compresses part of them as .jsonl.zst)
          --no-aiburn             do not install and run aiburn
          --no-drop-caches        skip the page-cache-dropped runs (they need root)
          -h, --help              this text
        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        var description: String {
            switch self {
            case .message(let text): text
            }
        }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw ParseError.message("\(flag) needs a value") }
            return arguments[index]
        }
        func number(_ flag: String, allowZero: Bool = false) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number > 0 || (allowZero && number == 0) else {
                throw ParseError.message("\(flag): not a \(allowZero ? "non-negative" : "positive") whole number: \(text)")
            }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--size-mb": options.sizeMB = try number(argument)
            case "--history-commits": options.historyCommits = try number(argument, allowZero: true)
            case "--dir": options.directory = try value(argument)
            case "--cold-runs": options.coldRuns = try number(argument)
            case "--warm-runs": options.warmRuns = try number(argument)
            case "--commits": options.commits = try number(argument)
            case "--timeout": options.timeout = Double(try number(argument))
            case "--seed":
                let text = try value(argument)
                guard let seed = UInt64(text) else { throw ParseError.message("--seed: not a whole number: \(text)") }
                options.seed = seed
            case "--aiusage": options.aiusageBinary = try value(argument)
            case "--no-zst": options.zst = false
            case "--no-aiburn": options.aiburn = false
            case "--no-drop-caches": options.dropCaches = false
            case "--only":
                var parts = Set<Part>()
                for name in try value(argument).split(separator: ",") {
                    guard let part = Part(rawValue: String(name)) else {
                        throw ParseError.message(
                            "--only: unknown part \(name) (one of \(Part.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    parts.insert(part)
                }
                options.parts = parts
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw ParseError.message("unknown argument \(argument) (see --help)")
            }
            index += 1
        }
        if options.historyCommits == 0 { options.parts.remove(.history) }
        if options.parts.contains(.history), options.historyCommits < 2_500 {
            throw ParseError.message("--history-commits: at least 2500 (the sessions match commits among the last 2000), or 0 to skip")
        }
        return options
    }
}
