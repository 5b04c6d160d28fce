import Foundation
import Testing

/// The in-process API, summary, dashboard and administration tests again, on PostgreSQL:
/// while `TestPostgres.databases` is set, every `ServerFixture` they make gets a fresh
/// database. A new test of those suites that reads or writes the store belongs here too.
@Suite struct PostgresAPITests {
    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func api() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = APITests()
            try await tests.missingUnknownAndRevokedTokensAre401()
            try await tests.meReturnsIdentityTeamKeyAndOwnRows()
            try await tests.reuploadReplacesDaysInsteadOfAdding()
            try await tests.deleteMeRemovesEveryRowOfTheCallerOnly()
            try await tests.rolesAreEnforced()
            try await tests.anotherTeamIsForbidden()
            try await tests.badBodiesAreRefusedWithClearErrors()
            try await tests.limitsOnDaysAndRows()
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func summary() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = SummaryTests()
            try await tests.fourDevelopersAreWithheld()
            try await tests.fiveDevelopersAreShown()
            try await tests.daySeriesAndQuietPeriodsWithheld()
            try await tests.windowFiltersAndBadQueriesAre400()
            try await tests.minGroupSizeIsConfigurable()
            try await tests.namedDevelopersAreListed()
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func hostileUploads() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = HostileUploadTests()
            try await tests.numbersBeyondARealDeveloperDayAreRefused()
            try await tests.controlCharactersInStringsAreRefused()
            try await tests.extremeStoredValuesNeverCrashAnEndpoint()
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func differencing() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = DifferencingTests()
            try await tests.windowsDifferingByOneDayAgree()
            try await tests.weekMinusItsDaysRevealsNoOne()
            try await tests.dashboardTotalMinusListedRowsRevealsNoOne()
            try await tests.noPairOfAnswersRevealsTheTarget()
            try await tests.namedDevelopersCannotBeSubtractedToRevealTheOthers()
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func dashboard() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = DashboardTests()
            try await tests.viewerLoginSetsASessionCookieAndLogoutEndsIt()
            try await tests.memberAndUnknownTokensAreRefused()
            try await tests.withheldTeamShowsOnlyTheWithheldMessage()
            try await tests.teamMeetingKShowsChartsTotalsAndBreakdown()
            try await tests.teamAndModelNamesAreEscaped()
            try await tests.aTeamWithoutUploadsSaysHowToStartSharing()
            try await tests.withheldWeeksAreDrawnAsWithheldAndTheTotalsSayWhatTheyAdd()
            try await tests.namedDevelopersAreListedWithTheirOwnRows()
            try await tests.theBreakdownAddsUpToTheTotals()
            try await tests.aMemberTokenOpensTheMembersOwnPage()
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func dashboardSessions() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = DashboardSessionTests()
            try await tests.loginWithoutTheFormsCSRFTokenIsRefused()
            try await tests.logoutWithoutTheSessionsCSRFTokenIsRefused()
            try await tests.cookiesAreSecureBehindTLS()
            try await tests.expiredSessionsLeadBackToTheLoginPage()
            try await BodyLimitTests().oversizedBodiesEndTheConnectionWithoutBeingRead()
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func administration() async throws {
        try await TestPostgres.withDatabases { _ in
            let tests = TeamAdminTests()
            try await tests.tokensAreRandomHashedAndRevocableByPrefixOrID()
            try await tests.refusesBadNamesDuplicatesAndUnknownTeams()
        }
    }
}
