import AIUsageUploadContract
import Foundation
import Hummingbird

/// Wires the server: storage, routes and middleware, in one function (the
/// todos-postgres-tutorial pattern), so `serve` and the tests build the same application.
/// The store opened here is never closed; `serve` opens its own store and closes it after
/// the server stops, which a PostgreSQL store needs for a clean exit.
public func buildApplication(configuration: ServerConfiguration) async throws -> some ApplicationProtocol {
    let store = try await configuration.openStore()
    return buildApplication(store: store, configuration: configuration)
}

/// The same wiring over a given store: tests pass a temporary SQLite or PostgreSQL store.
public func buildApplication(
    store: any TeamStore, configuration: ServerConfiguration,
    today: (@Sendable () -> String)? = nil
) -> some ApplicationProtocol {
    let router = Router(context: ServerContext.self)
    // Outermost: a body over its route's limit is refused before anything reads it.
    router.add(middleware: BodyLimitMiddleware(uploadLimit: configuration.maxBodyBytes))
    router.add(middleware: JSONErrorMiddleware())
    var limits = UploadLimits()
    limits.maxBodyBytes = configuration.maxBodyBytes
    let today = today ?? { DayMath.string(Date()) }
    addAPIRoutes(store: store, minGroupSize: configuration.minGroupSize, limits: limits, today: today, to: router)
    addDashboardRoutes(
        store: store, minGroupSize: configuration.minGroupSize, secureCookies: configuration.secureCookies, today: today,
        to: router)
    router.get("openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "aiusage-server"))
}

/// Opens the existential store so the controller stays generic over a concrete `TeamStore`.
func addAPIRoutes(
    store: some TeamStore, minGroupSize: Int, limits: UploadLimits, today: @escaping @Sendable () -> String,
    to router: Router<ServerContext>
) {
    APIController(store: store, minGroupSize: minGroupSize, limits: limits, today: today).addRoutes(to: router.group("api/v1"))
}

/// The checked-in OpenAPI document, bundled as a resource: one source of truth for the file
/// in the repository and what `GET /openapi.yaml` serves.
public enum OpenAPIDocument {
    public static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.1.0\n" }
        return text
    }()
}
