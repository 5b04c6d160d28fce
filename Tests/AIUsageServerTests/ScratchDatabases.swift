import AIUsageServer
import Foundation
import PostgresNIO

/// Empty databases on the test server, one per store, so every store starts from nothing (as
/// a new SQLite file does) and tests can run in parallel; `dropAll()` removes them.
actor ScratchDatabases {
    let server: PostgresDatabaseURL
    let serverText: String
    private var admin: PostgresConnection?
    private var names: [String] = []
    private var stores: [PostgresTeamStore] = []
    private let logger = Logger(label: "aiusage-server-tests.postgres")

    init(server: String) throws {
        self.server = try PostgresDatabaseURL(server)
        serverText = server
    }

    /// Creates an empty database; its name and URL (for the command-line tests).
    func makeDatabase() async throws -> (name: String, url: String) {
        if admin == nil {
            admin = try await PostgresConnection.connect(configuration: server.connectionConfiguration, id: 1, logger: logger)
        }
        // The name is ours (hex digits), never user input, so it can be spliced into the statement.
        let name = "aiusage_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await admin!.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        names.append(name)
        var components = URLComponents(string: serverText)!
        components.path = "/" + name
        return (name, components.string!)
    }

    /// A connected store on a new database, not migrated yet.
    func makeUnmigratedStore() async throws -> PostgresTeamStore {
        var url = server
        url.database = try await makeDatabase().name
        let store = try await PostgresTeamStore.connect(url)
        stores.append(store)
        return store
    }

    /// Another store on the same database as `store` (two servers sharing one database).
    func makeStore(sharingWith store: PostgresTeamStore) async throws -> PostgresTeamStore {
        let other = try await PostgresTeamStore.connect(store.url)
        stores.append(other)
        return other
    }

    /// A migrated store on a new, empty database.
    func makeStore() async throws -> PostgresTeamStore {
        let store = try await makeUnmigratedStore()
        try await store.migrate()
        return store
    }

    /// Closes every store, then drops every database (forcibly, should a connection remain).
    func dropAll() async {
        for store in stores { await store.close() }
        stores = []
        if let admin {
            for name in names {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            }
            try? await admin.close()
        }
        admin = nil
        names = []
    }
}
