import Foundation

/// The administration operations behind `aiusage-server team ...` and `token ...`, kept out of
/// the executable so tests (and a future admin API) use the same rules.
public struct TeamAdmin: Sendable {
    public let store: any TeamStore
    public init(store: any TeamStore) { self.store = store }

    /// Why an administration command refused, worded as one line a user can act on.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Creates a team with a fresh 32-byte key. Names are limited to URL-safe characters
    /// because they appear in `/api/v1/teams/{team}/summary`.
    public func createTeam(_ name: String) async throws -> Team {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains) else {
            throw Failure("A team name is 1 to 64 letters, digits, '.', '_' or '-'; got \"\(name)\".")
        }
        do {
            return try await store.createTeam(name: name, key: Tokens.randomHex(), createdAt: Date())
        } catch let error as StoreError where error.isDuplicate {
            throw Failure("Team \"\(name)\" already exists.")
        }
    }

    /// Issues a token and returns it with its record; the token is not recoverable later.
    public func issueToken(team: String, developer: String, role: Role, named: Bool) async throws -> (token: String, record: TokenRecord) {
        guard let found = try await store.team(named: team) else {
            throw Failure("No team named \"\(team)\"; create it with `team create \(team)`.")
        }
        let email = developer.trimmingCharacters(in: .whitespaces).lowercased()
        // Developers are lower-cased e-mails (PRODUCT.md), so the same person is one developer.
        guard email.contains("@"), email.count <= 200, !email.contains(where: \.isWhitespace) else {
            throw Failure("The developer must be an e-mail address; got \"\(developer)\".")
        }
        let token = Tokens.generate()
        let record = try await store.insertToken(
            NewToken(
                teamID: found.id, developer: email, role: role, named: named, prefix: Tokens.prefix(token),
                hash: Tokens.hash(token), createdAt: Date()))
        return (token, record)
    }

    /// Revokes the one token whose id is `reference`, or whose prefix it matches (`aiu_1a2b3c4d`,
    /// the whole token, or the hex without `aiu_`). Refuses an ambiguous reference.
    public func revokeToken(_ reference: String) async throws -> TokenRecord {
        let all = try await store.tokens(team: nil)
        func prefixed(_ text: String) -> [TokenRecord] { all.filter { text.hasPrefix($0.prefix) || $0.prefix.hasPrefix(text) } }
        let matches: [TokenRecord]
        if reference.hasPrefix(Tokens.scheme) {
            guard reference.count >= Tokens.scheme.count + 4 else {
                throw Failure("Give a token id or at least 4 hex digits of its prefix.")
            }
            matches = prefixed(reference)
        } else {
            // Hex digits can all be decimal ("30624875"), so a number is tried as both; ids are
            // short and prefixes 8 digits, so a short number that is an id means that id.
            let byID = Int64(reference).map { id in all.filter { $0.id == id } } ?? []
            let byPrefix = reference.count >= 4 ? prefixed(Tokens.scheme + reference) : []
            guard !byID.isEmpty || reference.count >= 4 else { throw Failure("Give a token id or at least 4 hex digits of its prefix.") }
            matches = reference.count < 8 && !byID.isEmpty ? byID : byID + byPrefix.filter { !byID.contains($0) }
        }
        guard let token = matches.first else { throw Failure("No token matches \"\(reference)\"; see `token list --team NAME`.") }
        guard matches.count == 1 else {
            throw Failure(
                "\"\(reference)\" matches \(matches.count) tokens (ids \(matches.map { String($0.id) }.joined(separator: ", "))); give the id, or more of the prefix with aiu_."
            )
        }
        guard try await store.revokeToken(id: token.id, at: Date()) else {
            throw Failure("Token \(token.id) (\(token.prefix)…) is already revoked.")
        }
        var revoked = token
        revoked.revokedAt = Date()
        return revoked
    }

    public func listTokens(team: String) async throws -> [TokenRecord] {
        guard try await store.team(named: team) != nil else { throw Failure("No team named \"\(team)\".") }
        return try await store.tokens(team: team)
    }
}
