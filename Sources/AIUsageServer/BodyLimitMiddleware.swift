import Hummingbird

/// Refuses request bodies over each route's limit before anything else runs (before the
/// token is even checked): by the declared `Content-Length` without reading a byte, and a
/// chunked body where the route reads it, at the limit. A refused request also ends its
/// connection, since keeping it open would mean reading the rest of the body first.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    /// The uploads route's limit (`--max-body-bytes`, 1 MiB by default).
    let uploadLimit: Int
    /// The dashboard's forms carry a token and a CSRF token: a few hundred bytes.
    static let formLimit = 4096

    /// The largest body `request` may carry; 0 for routes that read none.
    func limit(for request: Request) -> Int {
        guard request.method == .post else { return 0 }
        switch request.uri.path {
        case "/api/v1/uploads": return uploadLimit
        case "/login", "/logout": return Self.formLimit
        default: return 0
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = limit(for: request)
        let declared = request.headers[.contentLength].map { Int($0) ?? Int.max }
        // A body without a length (chunked) is only accepted by routes that read one, which
        // stop at the limit (`collect(upTo:)`); elsewhere it would be read to its end.
        if declared.map({ $0 > limit }) ?? (request.headers[.transferEncoding] != nil && limit == 0) {
            return refuse(request, context: context, limit: limit)
        }
        do {
            let response = try await next(request, context)
            if response.status == .contentTooLarge { context.closeConnectionAfterResponse() }
            return response
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            return refuse(request, context: context, limit: limit)
        }
    }

    func refuse(_ request: Request, context: Context, limit: Int) -> Response {
        context.closeConnectionAfterResponse()
        var response: Response
        if request.uri.path.hasPrefix("/api/") || limit == 0 && !request.uri.path.hasPrefix("/login") {
            response = APIError.jsonResponse(
                status: .contentTooLarge, code: "payload_too_large",
                message: limit == 0
                    ? "This route takes no request body."
                    : "The request body is larger than the limit of \(limit) bytes.")
        } else {
            response = DashboardPage.response(
                DashboardPage.message(title: "Too large", text: "The form was larger than \(limit) bytes."), status: .contentTooLarge)
        }
        response.headers[.connection] = "close"
        return response
    }
}
