import AIUsageCore
import AIUsageStore
import ArgumentParser
import Foundation

extension AIUsageCommand {
    /// `aiusage upload`: send per-day aggregates to the team server (sharing on only).
    struct Upload: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upload",
            abstract: "Send your per-day aggregates to the team server (only after `aiusage share enable`).",
            discussion: """
                Sends one aiusage.upload/1 document (see docs/sharing.md): per local day, \
                your counts, tokens and cost by repository, tool and model. No path, line hash, commit, \
                message or prompt; repository names are keyed hashes unless you allowed names. The server \
                replaces your rows for every day sent, so uploading twice never double counts.

                --dry-run prints the exact bytes instead and sends nothing (a window over 1 MB is sent \
                as several documents of whole days, one request each: one line each) (it works with sharing off, \
                with the placeholder key "dry-run").

                Examples:
                  aiusage upload --dry-run
                  aiusage upload --since 90d
                """)

        @Option(
            help: ArgumentHelp(
                "First day to send: YYYY-MM-DD or a duration such as 30d. Default: since the last successful upload, at least 30 days.",
                valueName: "when"))
        var since: String?

        @Flag(help: "Print the exact bytes that would be sent; send nothing.")
        var dryRun = false

        func validate() throws {
            if let since { _ = try TimeWindow.parse(since, timeZone: TimeZone.current, now: Date()) }
        }

        func run() throws {
            let context = try CommandContext()
            let now = Date()
            let settings = try context.store.sharingSettings()
            if !dryRun, settings == nil {
                throw ValidationError("sharing is off: nothing is sent (turn it on with `aiusage share enable --server URL --token TOKEN`)")
            }
            var start =
                try since.map { try TimeWindow.parse($0, timeZone: TimeZone.current, now: now) }
                ?? Sharing.defaultSince(settings: settings, now: now)
            start = max(start, now.addingTimeInterval(-Double(Sharing.maximumDays - 1) * 86_400))
            if dryRun {
                let policy: UploadPolicy
                if let settings {
                    policy = Sharing.policy(settings)
                } else {
                    Terminal.warn(
                        "sharing is off: a dry run for this machine's git e-mail, repository names hashed with the placeholder key \"dry-run\"; nothing is sent"
                    )
                    policy = try Self.offlinePolicy(context: context)
                }
                let document = try Sharing.document(context: context, policy: policy, since: start, now: now, scan: true).document
                for part in try document.parts() { FileHandle.standardOutput.write(try part.encoded()) }
                return
            }
            guard let settings else { return }  // refused above: sharing is off and this is no dry run
            let summary = try Sharing.upload(context: context, settings: settings, since: start, now: now, scan: true)
            print(summary)
        }

        /// While sharing is off: the git e-mails of the known repositories, the placeholder key.
        static func offlinePolicy(context: CommandContext) throws -> UploadPolicy {
            if let git = try? context.openRepository(nil) { _ = try? context.engine.scope(.repository(git)) }
            let emails = Set(try context.store.repos().compactMap(\.userEmail))
            return UploadPolicy(developers: emails, named: false, plainRepoNames: false, key: Array("dry-run".utf8))
        }
    }
}
