import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore

@Suite struct TimestampsTests {
    @Test func parsesCommonForms() {
        #expect(Timestamps.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(Timestamps.parse("2026-01-01T12:00:00.500Z")?.timeIntervalSince1970 == 1_767_268_800.5)
        #expect(Timestamps.parse("2026-01-01T14:00:00+02:00")?.timeIntervalSince1970 == 1_767_268_800)
        #expect(Timestamps.parse("not a date") == nil)
        #expect(Timestamps.parse("2026-13-01T00:00:00Z") == nil)
    }
}
