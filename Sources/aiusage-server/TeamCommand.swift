import AIUsageServer
import ArgumentParser

extension ServerCommand {
    struct TeamCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team", abstract: "Manage teams.", subcommands: [Create.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a team with a fresh repository-hashing key.")
            @Argument(help: "Team name: letters, digits, '.', '_' or '-'.") var name: String
            @OptionGroup var storage: StorageOptions

            func run() async throws {
                let team = try await storage.withAdmin { try await $0.createTeam(name) }
                print("created team \(team.name)")
            }
        }
    }
}
