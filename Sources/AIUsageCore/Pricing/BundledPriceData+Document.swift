import Foundation

extension BundledPriceData {
    /// The bundled dataset as one `aiusage.prices/1` document, as
    /// `scripts/generate-prices.py --json` writes it: what `aiusage prices update` takes.
    static var document: Data {
        let header =
            #"{"schema":"\#(PriceDataParser.schema)","dataset":"\#(dataset)","version":"\#(version)","date":"\#(date)","providers":["#
        let providers = self.providers.map { String($0.header.dropLast()) + #","models":"# + $0.models + "}" }
        return Data((header + providers.joined(separator: ",\n") + "]}\n").utf8)
    }
}
