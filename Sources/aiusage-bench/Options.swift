import Foundation

/// What the benchmark measures; `--only` picks some of them.
enum Phase: String, CaseIterable, Sendable {
    /// Cold ingest of the many-file corpus, compared with `cat` of the same files.
    case ingest
    /// Cold ingest of one big Claude Code transcript: peak memory.
    case single
    /// Re-run with nothing new.
    case warm
    /// Extra time the post-commit hook adds to `git commit`.
    case hook
}

/// Command-line flags. The bench target does not depend on ArgumentParser, so this is
/// a small hand-written parser.
struct Options: Sendable {
    var sizeMB = 1024
    /// Size of the single-transcript case; defaults to `sizeMB`.
    var singleSizeMB: Int?
    var directory: String?
    var keep = false
    var phases: Set<Phase> = Set(Phase.allCases)
    var commits = 30
    var warmRuns = 7
    var seed: UInt64 = 0x5EED_A1A5
    var aiusageBinary: String?

    static let usage = """
        usage: aiusage-bench [options]

        Generates a synthetic corpus of Claude Code and Codex CLI transcripts and measures
        aiusage's ingest against it. Build both products first:
            swift build -c release && .build/release/aiusage-bench

        options:
          --size-mb N         size of the generated corpus in MB (default 1024)
          --single-mb N       size of the single-transcript case in MB (default: --size-mb)
          --dir PATH          where to put the corpus and stores (default: ./.build-bench-corpus
                              when run from the package folder, else a folder in /tmp)
          --keep              keep the corpus afterwards (and reuse a matching one)
          --only PHASES       comma-separated subset of: ingest, single, warm, hook
          --commits N         commits per variant in the hook measurement (default 30)
          --warm-runs N       warm re-runs to take the median of (default 7)
          --seed N            generator seed (default fixed, so corpora are reproducible)
          --aiusage PATH      the aiusage binary for the hook case (default: next to this binary)
          -h, --help          this text
        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        var description: String {
            switch self { case .message(let text): text }
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
        func number(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let number = Int(text), number > 0 else { throw ParseError.message("\(flag): not a positive number: \(text)") }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--size-mb": options.sizeMB = try number(argument)
            case "--single-mb": options.singleSizeMB = try number(argument)
            case "--dir": options.directory = try value(argument)
            case "--keep": options.keep = true
            case "--commits": options.commits = try number(argument)
            case "--warm-runs": options.warmRuns = try number(argument)
            case "--seed":
                let text = try value(argument)
                guard let seed = UInt64(text) else { throw ParseError.message("--seed: not a number: \(text)") }
                options.seed = seed
            case "--aiusage": options.aiusageBinary = try value(argument)
            case "--only":
                var phases = Set<Phase>()
                for name in try value(argument).split(separator: ",") {
                    guard let phase = Phase(rawValue: String(name)) else {
                        throw ParseError.message("--only: unknown phase \(name) (ingest, single, warm, hook)")
                    }
                    phases.insert(phase)
                }
                options.phases = phases
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw ParseError.message("unknown argument \(argument)\n\n\(usage)")
            }
            index += 1
        }
        return options
    }
}
