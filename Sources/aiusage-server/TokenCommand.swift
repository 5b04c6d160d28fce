import AIUsageServer
import ArgumentParser
import Foundation

extension Role: ExpressibleByArgument {}

extension ServerCommand {
    struct TokenCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "Issue, revoke and list access tokens.",
            subcommands: [Issue.self, Revoke.self, List.self])

        struct Issue: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a token; prints only the token, once (it is stored as a hash).")
            @Option(help: "Team name.") var team: String
            @Option(help: "The developer's e-mail address.") var developer: String
            @Option(help: "member (uploads own data), viewer (reads the team summary) or admin (both).") var role: Role
            @Flag(help: "The developer agreed to be shown by name (their uploads decide once they upload).") var named = false
            @OptionGroup var storage: StorageOptions

            func run() async throws {
                let issued = try await storage.withAdmin {
                    try await $0.issueToken(team: team, developer: developer, role: role, named: named)
                }
                print(issued.token)
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token by id or prefix (as `token list` shows).")
            @Argument(help: "Token id, or its prefix such as aiu_1a2b3c4d.") var reference: String
            @OptionGroup var storage: StorageOptions

            func run() async throws {
                let token = try await storage.withAdmin { try await $0.revokeToken(reference) }
                print("revoked token \(token.id) (\(token.prefix)…, \(token.developer), \(token.role.rawValue))")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a team's tokens (never the tokens themselves).")
            @Option(help: "Team name.") var team: String
            @OptionGroup var storage: StorageOptions

            func run() async throws {
                let tokens = try await storage.withAdmin { try await $0.listTokens(team: team) }
                let format = ISO8601DateFormatter()
                print(["id", "prefix", "developer", "role", "named", "created", "revoked"].joined(separator: "\t"))
                for token in tokens {
                    print(
                        [
                            String(token.id), token.prefix, token.developer, token.role.rawValue, token.named ? "yes" : "no",
                            format.string(from: token.createdAt), token.revokedAt.map(format.string(from:)) ?? "-",
                        ]
                        .joined(separator: "\t"))
                }
            }
        }
    }
}
