import AIUsageServer
import ArgumentParser

extension ServerCommand {
    /// `copy-to URL`: moves a team server's data into another database (e.g. PostgreSQL).
    struct CopyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy-to",
            abstract: "Copy every team, token and row into another, empty database.",
            discussion: """
                Moving from the embedded SQLite database to PostgreSQL:
                  aiusage-server copy-to postgres://aiusage:PASSWORD@db.example.com/aiusage
                  aiusage-server serve --database postgres://aiusage:PASSWORD@db.example.com/aiusage
                The source is the configured store (--data-dir / --database, as for serve); stop
                the server first so no upload arrives during the copy. The destination is
                migrated first and must hold no team yet; the source is left as it was.
                """)

        @Argument(help: "Destination database URL: postgres://... or sqlite:///path/file.sqlite.")
        var destination: String

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            var target = try storage.configuration()
            target.databaseURL = destination
            let into = try await target.openStore()
            do {
                let summary = try await storage.withAdmin { admin in
                    try await StoreCopy.copy(from: admin.store, to: into) { print($0) }
                }
                await into.close()
                print(
                    "copied \(summary.teams) teams, \(summary.tokens) tokens, \(summary.developers) developers' rows (\(summary.rows) rows)"
                )
            } catch {
                await into.close()
                throw error
            }
        }
    }
}
