import Foundation
import Hummingbird

/// A refusal the client can act on: an HTTP status plus `{"error": {"code", "message"}}`.
///
/// `code` is a stable machine-readable string (clients branch on it); `message` is a sentence
/// for people. Thrown from handlers and turned into a response by Hummingbird, because
/// `HTTPResponseError` lets the error write its own body.
public struct APIError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.jsonResponse(status: status, code: code, message: message)
    }

    static func jsonResponse(status: HTTPResponse.Status, code: String, message: String) -> Response {
        let body = ["error": ["code": code, "message": message]]
        let data = (try? JSONEncoder.api.encode(body)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, "unauthorized", message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_value", message) }
    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "The request body is larger than the limit of \(limit) bytes.")
    }
}

/// Turns every error that is not already an `APIError` into the same JSON error shape, so a
/// client never has to parse an HTML or plain-text error (unknown route, internal failure).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : error.status == .contentTooLarge ? "payload_too_large" : "http_error"
            return APIError.jsonResponse(status: error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            return APIError.jsonResponse(status: .contentTooLarge, code: "payload_too_large", message: "The request body is too large.")
        } catch {
            context.logger.error("internal error: \(error)")
            return APIError.jsonResponse(
                status: .internalServerError, code: "internal", message: "The server failed to handle the request.")
        }
    }
}

extension JSONEncoder {
    /// Sorted keys and unescaped slashes: stable bytes, easy to diff and to test.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
