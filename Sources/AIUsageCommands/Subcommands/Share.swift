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
            commandName: "share",
            abstract: "Opt in to (or out of) sharing per-day aggregates with a team server.",
            discussion: """
                Off by default: while it is off, aiusage opens no network connection at all. \
                See docs/sharing.md for exactly what is sent.
                """,
            subcommands: [Enable.self, Status.self, Disable.self])
    }
}

extension AIUsageCommand.Share {
    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Check the token, show what the first upload would send, and turn sharing on once you confirm.",
            discussion: """
                Asks GET SERVER/api/v1/me whether the token is good (and learns the team key used to \
                hash repository names), then describes the first upload: the days it covers (the 30 \
                days before today and today, then every later day up to the day it is sent), how many \
                rows and repositories, the tools and models, and the totals. Nothing is stored until \
                you confirm. --dry-run prints the first upload's exact bytes instead, and turns nothing on.

                Examples:
                  aiusage share enable --server https://aiusage.example.com --token TOKEN
                  aiusage share enable --server https://aiusage.example.com --token TOKEN --dry-run
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

        @Flag(help: "Print the exact bytes of the first upload; store and send nothing else.")
        var dryRun = false

        func validate() throws {
            guard ShareTransport.validate(server: server) != nil else {
                throw ValidationError("--server must be an http:// or https:// URL with a host, got \(server)")
            }
            guard !token.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--token is empty") }
        }

        func run() throws {
            let interactive = isatty(STDIN_FILENO) == 1
            guard dryRun || yes || interactive else {
                throw ValidationError(
                    "share enable needs your confirmation: run it in a terminal, or pass --yes (--dry-run shows the bytes first)")
            }
            let context = try CommandContext()
            guard let serverURL = ShareTransport.validate(server: server) else {
                throw ValidationError("--server must be an http:// or https:// URL with a host, got \(server)")
            }
            let transport = ShareTransport(server: serverURL, token: token, environment: context.environment)
            let me = try Sharing.me(transport)
            guard me.role == "member" || me.role == "admin" else {
                throw ValidationError("this token's role is \(me.role): uploads need a member token")
            }
            let now = Date()
            let settings = SharingSettings(
                server: serverURL, token: token, named: named, repoNames: includeRepoNames ? .plain : .hashed, team: me.team,
                teamKey: me.teamKey, developer: me.developer, enabledAt: now)
            // The window the first upload will send, whenever it runs (see `Sharing.defaultSince`).
            let since = Sharing.defaultSince(settings: settings, now: now)
            let built = try Sharing.document(
                context: context, policy: Sharing.policy(settings), since: since, now: now, scan: true, quiet: dryRun)
            let out = FileHandle.standardOutput
            if dryRun {
                for part in try built.document.parts() { out.write(try part.encoded()) }
                FileHandle.standardError.write(Data("aiusage: dry run: nothing was stored or sent; sharing is unchanged\n".utf8))
                return
            }
            out.write(Data(Self.describe(built: built, settings: settings, team: me.team).utf8))
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

        /// What a person reads before saying yes: who, what, which days, how often.
        static func describe(built: UploadBuilder.Built, settings: SharingSettings, team: String) -> String {
            let preview = UploadPreview(built: built, hashed: settings.repoNames == .hashed)
            let days = built.document.days
            let window =
                days.first.map { first in
                    "\(first.day) to \(days.last?.day ?? first.day) (\(days.count) day\(days.count == 1 ? "" : "s") of your local calendar)"
                } ?? "no days"
            return """
                Sharing with \(settings.server) (team \(team)) as \(settings.developer):
                  \(settings.named ? "named: the team can see your own rows under your e-mail" : "not named: you appear only in team totals, never on your own")
                  repository names \(settings.repoNames == .plain ? "in clear" : "as keyed hashes (the server cannot read them)")

                The first upload covers \(window),
                then each later day up to the day it is sent:
                \(preview.lines.map { "  " + $0 }.joined(separator: "\n"))

                Never sent: file paths, line hashes, commits or their messages, prompts, replies, code.
                How often: \(Sharing.cadence).
                The exact bytes: run the same command with --dry-run (nothing is stored or sent).

                """
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show whether sharing is on, where to, and the last upload and its result.")

        func run() throws {
            let context = try CommandContext()
            guard let settings = try context.store.sharingSettings() else {
                print("Sharing is off: aiusage opens no network connection.")
                return
            }
            let now = Date()
            print("Sharing is on since \(Format.iso(settings.enabledAt)).")
            print("Server:      \(settings.server) (team \(settings.team), as \(settings.developer))")
            print(
                "Policy:      \(settings.named ? "named" : "not named (team totals only)"), repository names \(settings.repoNames == .plain ? "in clear" : "as keyed hashes")"
            )
            print("How often:   \(Sharing.cadence)")
            print("Last upload: \(settings.lastAttemptAt.map(Format.iso) ?? "never")" + (settings.lastResult.map { " (\($0))" } ?? ""))
            if let success = settings.lastSuccessAt, success != settings.lastAttemptAt {
                print("Last success: \(Format.iso(success))")
            }
            let since = ReportCalendar(timeZone: .current).day(Sharing.defaultSince(settings: settings, now: now))
            let next =
                settings.lastSuccessAt.map { last in
                    Sharing.isDue(settings, now: now)
                        ? "due: after your next commit, or now with `aiusage upload`"
                        : "after \(Format.iso(last.addingTimeInterval(86_400 - 60))) (or now with `aiusage upload`)"
                } ?? "due: after your next commit, or now with `aiusage upload`"
            print("Next upload: \(next); it sends \(since) to the day it runs")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Turn sharing off and delete its settings, token included; first delete your rows on the server, or keep them.",
            discussion: """
                Asks whether to delete the rows you already shared (the server's DELETE /api/v1/me) \
                before the token is forgotten: once it is, this machine can no longer delete them. \
                Without a terminal, say which with --delete-shared or --keep-shared.

                Examples:
                  aiusage share disable
                  aiusage share disable --delete-shared
                """)

        @Flag(help: "Delete every row you shared from the server, then turn sharing off.")
        var deleteShared = false

        @Flag(help: "Leave the rows you shared on the server, and turn sharing off.")
        var keepShared = false

        func validate() throws {
            if deleteShared && keepShared { throw ValidationError("--delete-shared and --keep-shared contradict each other: pass one") }
        }

        func run() throws {
            let context = try CommandContext()
            guard let settings = try context.store.sharingSettings() else {
                if deleteShared {
                    throw ValidationError(
                        "sharing is already off: no token is left on this machine to delete rows with (enable sharing again with your token, then disable with --delete-shared)"
                    )
                }
                print("Sharing was already off.")
                return
            }
            let transport = ShareTransport(server: settings.server, token: settings.token, environment: context.environment)
            var delete = deleteShared
            if !deleteShared && !keepShared {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw ValidationError(
                        "share disable needs a choice: --delete-shared to delete your rows on \(settings.server) first, or --keep-shared to leave them there"
                    )
                }
                // Say what is there, when the server answers; ask either way.
                let held =
                    (try? Sharing.me(transport)).map {
                        " (it holds \($0.rows) row\($0.rows == 1 ? "" : "s") of yours over \($0.days) day\($0.days == 1 ? "" : "s"))"
                    } ?? ""
                FileHandle.standardOutput.write(
                    Data("Delete the rows you shared from \(settings.server)\(held) before this machine forgets the token? [y/N] ".utf8))
                let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                delete = answer == "y" || answer == "yes"
            }
            if delete {
                // Before the token is forgotten: it is the only way to reach these rows.
                do {
                    let deleted = try Sharing.deleteShared(transport)
                    print("Deleted \(deleted) row\(deleted == 1 ? "" : "s") of yours from \(settings.server).")
                } catch {
                    throw ValidationError("\(error); sharing stays on so you can try again (or pass --keep-shared)")
                }
            }
            try context.store.deleteSharingSettings()
            print(
                "Sharing is off; the server address and token were deleted from this machine."
                    + (delete ? "" : " Your rows stay on \(settings.server); an admin of the team server can remove them."))
        }
    }
}
