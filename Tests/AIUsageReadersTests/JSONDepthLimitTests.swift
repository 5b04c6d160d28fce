import Foundation
import Testing
@testable import AIUsageReaders

@Suite struct JSONDepthLimitTests {
    @Test func deepContainersBecomeNullAndTheRestIsKept() throws {
        let text = #"{"a":"x[{\"y","keep":[1,{"b":2}],"deep":"# + deeplyNested(600) + #","z":3}"#
        let pruned = try #require(JSONDepthLimit.pruned(Data(text.utf8), keptDepth: 3))
        #expect(String(decoding: pruned, as: UTF8.self) == #"{"a":"x[{\"y","keep":[1,{"b":2}],"deep":[[null]],"z":3}"#)
        let object = try #require(JSONDepthLimit.jsonObject(Data(text.utf8)) as? [String: Any])
        #expect(object["z"] as? Int == 3 && (object["keep"] as? [Any])?.count == 2)
    }

    @Test func nothingDeepOrBrokenGivesNil() {
        #expect(JSONDepthLimit.pruned(Data(#"{"a":[1,[2]]}"#.utf8), keptDepth: 3) == nil)
        #expect(JSONDepthLimit.pruned(Data(("{\"a\":\"" + deeplyNested(10)).utf8), keptDepth: 3) == nil)  // unterminated string
        #expect(JSONDepthLimit.jsonObject(Data("{\"a\":".utf8)) == nil)
    }
}
