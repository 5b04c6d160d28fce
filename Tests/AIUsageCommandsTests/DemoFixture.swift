import Foundation
import _AIUsageTestSupport

@testable import AIUsageCommands

/// The demo's throwaway world (a repository with landed, squashed, unmerged and pending
/// AI work; `Support/DemoWorld.swift`), used by tests that run the `aiusage` binary on it
/// as a person would.
final class DemoFixture {
    let world: DemoWorld
    let now: Date

    init(now: Date = Date()) throws {
        self.now = now
        world = try DemoWorld.build(now: now)
    }

    deinit { world.remove() }

    /// The fake home and the demo's store; a fixed time zone and no colour.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        CLI.environment(home: world.home, store: world.store, extra: ["NO_COLOR": "1"].merging(extra) { $1 })
    }

    func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(arguments, in: world.repo, environment: environment(extra))
    }

    /// `run`, expecting success and JSON on stdout.
    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(arguments)
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        else {
            throw CLIFailure(description: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return object
    }

    struct CLIFailure: Error, CustomStringConvertible { var description: String }
}
