import AIUsageServer
import Testing

@Suite struct PostgresDatabaseURLTests {
    @Test func libpqFormWithDefaults() throws {
        let full = try PostgresDatabaseURL("postgres://team%40x:p%2Fss@db.example.com:6543/usage?sslmode=require&connect_timeout=3")
        #expect(full.user == "team@x" && full.password == "p/ss" && full.host == "db.example.com" && full.port == 6543)
        #expect(full.database == "usage" && full.tlsMode == .require && full.connectTimeoutSeconds == 3)
        #expect(full.redacted == "database \"usage\" at db.example.com:6543 as team@x")

        let short = try PostgresDatabaseURL("postgresql://localhost", defaultUser: "me")
        #expect(short.user == "me" && short.password == nil && short.port == 5432 && short.database == "me" && short.tlsMode == .prefer)

        let socket = try PostgresDatabaseURL("postgres:///usage?host=/var/run/postgresql", defaultUser: "me")
        #expect(socket.isUnixSocket && socket.redacted == "database \"usage\" at /var/run/postgresql/.s.PGSQL.5432 as me")

        let v6 = try PostgresDatabaseURL("postgres://u@[::1]:5433/d")
        #expect(v6.host == "::1" && v6.redacted == "database \"d\" at [::1]:5433 as u")
    }

    @Test func refusesWhatItCannotHonour() {
        #expect(
            throws: ConfigurationError("Unsupported sslmode \"on\"; use one of disable, allow, prefer, require, verify-ca, verify-full.")
        ) {
            try PostgresDatabaseURL("postgres://u@h/d?sslmode=on")
        }
        #expect(throws: ConfigurationError.self) { try PostgresDatabaseURL("postgres://u@h/d?sslrootcert=/x") }
        #expect(throws: ConfigurationError.self) { try PostgresDatabaseURL("postgres://u@h:99999/d") }
        #expect(throws: ConfigurationError.self) { try PostgresDatabaseURL("postgres:///d?host=/run&sslmode=require") }
        #expect(throws: ConfigurationError.self) { try PostgresDatabaseURL("mysql://u@h/d") }
    }
}
