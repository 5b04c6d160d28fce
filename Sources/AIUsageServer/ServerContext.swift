import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basic context plus the connection, so
/// that a request refused for its size can end the connection instead of the server reading
/// the rest of its body (which Hummingbird otherwise does, to keep the connection usable).
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's connection; a test channel under `app.test(.router)`.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Asks the connection to close once the current response is written: Hummingbird's
    /// graceful-shutdown signal, which stops it from draining an unread request body.
    func closeConnectionAfterResponse() {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
