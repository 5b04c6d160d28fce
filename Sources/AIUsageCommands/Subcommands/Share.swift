import AIUsageCore
import AIUsageStore
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AIUsageCommand {
    /// `aiusage share enable|status|disable`: opt-in sharing of per-day aggregates.
    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Opt in to (or out of) sharing per-day aggregates with a team server.",
            discussion: """
                Off by default: while it is off, aiusage opens no network connection at all. \
                See the README, "Sharing (opt-in)", for exactly what is sent.
                """,
            subcommands: [Enable.self, Status.self, Disable.self])
    }
}

extension AIUsageCommand.Share {
    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the token, show what would be sent, and turn sharing on once you confirm.",
            discussion: """
                Asks GET SERVER/api/v1/me whether the token is good (and learns the team key used to \
                hash repository names), prints the document for the last 7 days exactly as it would be \
                sent, and asks for confirmation before anything is stored.

                Example:
                  aiusage share enable --server https://aiusage.example.com --token TOKEN
                """)

        @Option(help: ArgumentHelp("The team server: http(s)://host[:port].", valueName: "url"))
        var server: String

        @Option(help: ArgumentHelp("Your upload token (from `aiusage-server token issue`).", valueName: "token"))
        var token: String

        @Flag(help: "Let the team see your rows under your e-mail (otherwise only in totals).")
        var named = false

        @Flag(help: "Send repository names in clear (otherwise keyed hashes).")
        var includeRepoNames = false

        @Flag(help: "Do not ask for confirmation (for scripts).")
        var yes = false

        func validate() throws {
            guard ShareTransport.validate(server: server) != nil else {
                throw ValidationError("--server must be an http:// or https:// URL with a host, got \(server)")
            }
            guard !token.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--token is empty") }
        }

        func run() throws {
            let interactive = isatty(STDIN_FILENO) == 1
            guard yes || interactive else {
                throw ValidationError("share enable needs your confirmation: run it in a terminal, or pass --yes")
            }
            let context = try CommandContext()
            let serverURL = ShareTransport.validate(server: server)!
            let transport = ShareTransport(server: serverURL, token: token, environment: context.environment)
            let me = try Sharing.me(transport)
            guard me.role == "member" || me.role == "admin" else {
                throw ValidationError("this token's role is \(me.role): uploads need a member token")
            }
            let now = Date()
            let settings = SharingSettings(
                server: serverURL, token: token, named: named, repoNames: includeRepoNames ? .plain : .hashed, team: me.team,
                teamKey: me.teamKey, developer: me.developer, enabledAt: now)
            let document = try Sharing.document(
                context: context, policy: Sharing.policy(settings), since: now.addingTimeInterval(-6 * 86_400), now: now,
                scan: true, quiet: false).document
            let out = FileHandle.standardOutput
            out.write(Data("""
                Sharing with \(serverURL) (team \(me.team)) as \(me.developer), \(named ? "named: the team can see your own rows" : "not named: you appear only in team totals"), \
                repository names \(includeRepoNames ? "in clear" : "as keyed hashes").
                What is sent: per local day, your counts, tokens and cost by repository, tool and model. No path, line hash, commit, message or prompt.
                How often: \(Sharing.cadence).
                Your last 7 days, exactly as they would be sent:

                """.utf8))
            out.write(try document.encoded())
            if !yes {
                out.write(Data("\nTurn sharing on? [y/N] ".utf8))
                let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                guard answer == "y" || answer == "yes" else {
                    print("Sharing stays off; nothing was stored or sent.")
                    return
                }
            }
            try context.store.saveSharingSettings(settings)
            print("Sharing is on. See it with `aiusage share status`; stop with `aiusage share disable`.")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show whether sharing is on, where to, and the last upload.")

        func run() throws {
            let context = try CommandContext()
            guard let settings = try context.store.sharingSettings() else {
                print("Sharing is off: aiusage opens no network connection.")
                return
            }
            print("Sharing is on since \(Format.iso(settings.enabledAt)).")
            print("Server:      \(settings.server) (team \(settings.team), as \(settings.developer))")
            print("Policy:      \(settings.named ? "named" : "not named (team totals only)"), repository names \(settings.repoNames == .plain ? "in clear" : "as keyed hashes")")
            print("How often:   \(Sharing.cadence)")
            print("Last upload: \(settings.lastAttemptAt.map(Format.iso) ?? "never")" + (settings.lastResult.map { " (\($0))" } ?? ""))
            if let success = settings.lastSuccessAt, success != settings.lastAttemptAt {
                print("Last success: \(Format.iso(success))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn sharing off and delete its settings, token included.",
            discussion: "Rows already on the server stay there; the server's DELETE /api/v1/me removes them.")

        func run() throws {
            let context = try CommandContext()
            if try context.store.deleteSharingSettings() {
                print("Sharing is off; the server address and token were deleted from this machine.")
            } else {
                print("Sharing was already off.")
            }
        }
    }
}
