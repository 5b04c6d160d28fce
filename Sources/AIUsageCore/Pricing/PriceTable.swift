/// USD prices per million tokens for one model family.
public struct ModelPrice: Sendable, Hashable {
    public var input: Double
    public var output: Double
    public var cacheWrite: Double
    public var cacheRead: Double

    public init(input: Double, output: Double, cacheWrite: Double, cacheRead: Double) {
        self.input = input
        self.output = output
        self.cacheWrite = cacheWrite
        self.cacheRead = cacheRead
    }

    /// Cost of `tokens` in USD. Reasoning is inside `output` and not charged again.
    public func cost(of tokens: TokenCounts) -> Double {
        (Double(tokens.input) * input + Double(tokens.output) * output
            + Double(tokens.cacheWrite) * cacheWrite + Double(tokens.cacheRead) * cacheRead) / 1_000_000
    }
}

/// The bundled, dated, offline price table (PRODUCT.md: every report says which).
///
/// Models are matched by the longest listed prefix of their lower-cased id, after a
/// vendor prefix such as `anthropic/` is dropped, so dated ids
/// (`claude-sonnet-4-5-20250929`) find their family. A model with no match is
/// *unpriced*: its tokens are kept and reported, its cost is never taken as $0.
public struct PriceTable: Sendable {
    public var source: String
    public var date: String
    public var entries: [(prefix: String, price: ModelPrice)]

    public init(source: String, date: String, entries: [(prefix: String, price: ModelPrice)]) {
        self.source = source
        self.date = date
        self.entries = entries.sorted { $0.prefix.count > $1.prefix.count }
    }

    /// The price of `model`, or nil when the table does not list it.
    public func price(for model: String) -> ModelPrice? {
        var id = model.lowercased()
        if let slash = id.lastIndex(of: "/") { id = String(id[id.index(after: slash)...]) }
        for entry in entries where id.hasPrefix(entry.prefix) { return entry.price }
        return nil
    }

    /// Cost in USD of `tokens` on `model`, or nil when the model is unpriced.
    public func cost(model: String, tokens: TokenCounts) -> Double? {
        price(for: model)?.cost(of: tokens)
    }

    /// List prices per million tokens as published by Anthropic, OpenAI and Google,
    /// copied by hand on the date below. Cache writes are priced at the 5-minute rate.
    /// Models not listed (Qwen's, for one) are reported as unpriced.
    public static let bundled = PriceTable(
        source: "aiusage bundled list prices (Anthropic, OpenAI, Google)",
        date: "2026-11-24",
        entries: [
            ("claude-opus-4-5", ModelPrice(input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.50)),
            ("claude-opus-4-1", ModelPrice(input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.50)),
            ("claude-opus-4", ModelPrice(input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.50)),
            ("claude-sonnet-4", ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.30)),
            ("claude-haiku-4-5", ModelPrice(input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.10)),
            ("claude-3-7-sonnet", ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.30)),
            ("claude-3-5-sonnet", ModelPrice(input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.30)),
            ("claude-3-5-haiku", ModelPrice(input: 0.80, output: 4, cacheWrite: 1, cacheRead: 0.08)),
            ("claude-3-opus", ModelPrice(input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.50)),
            ("claude-3-haiku", ModelPrice(input: 0.25, output: 1.25, cacheWrite: 0.30, cacheRead: 0.03)),
            ("gpt-5.2", ModelPrice(input: 1.75, output: 14, cacheWrite: 0, cacheRead: 0.175)),
            ("gpt-5.1", ModelPrice(input: 1.25, output: 10, cacheWrite: 0, cacheRead: 0.125)),
            ("gpt-5-mini", ModelPrice(input: 0.25, output: 2, cacheWrite: 0, cacheRead: 0.025)),
            ("gpt-5-nano", ModelPrice(input: 0.05, output: 0.40, cacheWrite: 0, cacheRead: 0.005)),
            ("gpt-5", ModelPrice(input: 1.25, output: 10, cacheWrite: 0, cacheRead: 0.125)),
            ("codex-mini", ModelPrice(input: 1.50, output: 6, cacheWrite: 0, cacheRead: 0.375)),
            ("gpt-4.1-mini", ModelPrice(input: 0.40, output: 1.60, cacheWrite: 0, cacheRead: 0.10)),
            ("gpt-4.1", ModelPrice(input: 2, output: 8, cacheWrite: 0, cacheRead: 0.50)),
            ("gpt-4o-mini", ModelPrice(input: 0.15, output: 0.60, cacheWrite: 0, cacheRead: 0.075)),
            ("gpt-4o", ModelPrice(input: 2.50, output: 10, cacheWrite: 0, cacheRead: 1.25)),
            ("o4-mini", ModelPrice(input: 1.10, output: 4.40, cacheWrite: 0, cacheRead: 0.275)),
            ("o3", ModelPrice(input: 2, output: 8, cacheWrite: 0, cacheRead: 0.50)),
            // Google: prompts up to 200k tokens; cached input at the context-caching rate.
            ("gemini-3-pro", ModelPrice(input: 2, output: 12, cacheWrite: 0, cacheRead: 0.20)),
            ("gemini-2.5-pro", ModelPrice(input: 1.25, output: 10, cacheWrite: 0, cacheRead: 0.31)),
            ("gemini-2.5-flash-lite", ModelPrice(input: 0.10, output: 0.40, cacheWrite: 0, cacheRead: 0.025)),
            ("gemini-2.5-flash", ModelPrice(input: 0.30, output: 2.50, cacheWrite: 0, cacheRead: 0.075)),
        ]
    )
}
