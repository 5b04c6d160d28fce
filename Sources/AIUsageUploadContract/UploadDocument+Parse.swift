import Foundation

extension UploadDocument {
    /// Reads and checks a document as the server receives it.
    ///
    /// In three steps so each refusal is precise: JSON syntax (`malformed_json`), then the
    /// schema string (`unsupported_schema`, checked before the shape so a future version is
    /// named as such), then shape (`invalid_document`) and values (`invalid_value`, from
    /// `violation(limits:)`, which the client also runs before sending).
    public static func parse(_ data: Data, limits: UploadLimits = UploadLimits()) throws(UploadContractError) -> UploadDocument {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw UploadContractError("malformed_json", "The request body is not valid JSON.")
        }
        // JSON may escape any character, NUL included; stored text must not carry control
        // characters (a NUL truncated the string in SQLite's C API, others garble pages and logs).
        if let path = controlCharacterPath(in: object) {
            throw .invalid("The string at \(path) contains a control character (U+0000 to U+001F, U+007F to U+009F).")
        }
        guard let dictionary = object as? [String: Any] else { throw .shape("The upload document must be a JSON object.") }
        guard let schema = dictionary["schema"] as? String, schema == Self.schema else {
            let found = (dictionary["schema"] as? String).map { "\"\($0)\"" } ?? "none"
            throw UploadContractError("unsupported_schema", "The schema must be \"\(Self.schema)\"; found \(found).")
        }
        let document: UploadDocument
        do {
            document = try JSONDecoder().decode(UploadDocument.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .shape("Missing field \(path(context.codingPath + [key])).")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .shape("Wrong type at \(path(context.codingPath)).")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .shape("Null value at \(path(context.codingPath)).")
        } catch let DecodingError.dataCorrupted(context) {
            throw .shape("Invalid value at \(path(context.codingPath)).")
        } catch {
            throw .shape("The upload document does not have the expected shape.")
        }
        if let violation = document.violation(limits: limits) { throw violation }
        return document
    }

    /// The first value the contract refuses (limits, dates, text, bounds); nil when the
    /// document may be sent as it is.
    public func violation(limits: UploadLimits = UploadLimits()) -> UploadContractError? {
        guard days.count <= limits.maxDays else {
            return .invalid("At most \(limits.maxDays) days per upload; this one has \(days.count).")
        }
        var seen = Set<String>()
        for (index, day) in days.enumerated() {
            guard CalendarDay.isValid(day.day) else {
                return .invalid("days[\(index)].day must be a date YYYY-MM-DD; found \"\(day.day.prefix(20))\".")
            }
            guard seen.insert(day.day).inserted else { return .invalid("Day \(day.day) appears twice.") }
            guard day.rows.count <= limits.maxRowsPerDay else {
                return .invalid("At most \(limits.maxRowsPerDay) rows per day; \(day.day) has \(day.rows.count).")
            }
            for (rowIndex, row) in day.rows.enumerated() {
                let at = "days[\(index)].rows[\(rowIndex)]"
                for field in TextField.allCases {
                    let value = row[keyPath: field.keyPath]
                    // Code points, as JSON Schema's maxLength counts them (a Character may hold thousands).
                    guard !value.isEmpty, value.unicodeScalars.count <= limits.maxStringLength else {
                        return .invalid("\(at).\(field.rawValue) must be 1 to \(limits.maxStringLength) characters (code points).")
                    }
                    if let scalar = value.unicodeScalars.first(where: Self.isControl) {
                        return .invalid(
                            "\(at).\(field.rawValue) contains a control character (U+\(String(scalar.value, radix: 16, uppercase: true))).")
                    }
                }
                if repoNames == .hashed, !Self.isHashedName(row.repo) {
                    // A hashed document must not smuggle a plain repository name.
                    return .invalid("\(at).repo must be 64 hex digits (HMAC-SHA256) when repo_names is \"hashed\".")
                }
                if let violation = UploadBounds.violation(in: row) {
                    return .invalid("\(at).\(violation.field) \(violation.problem).")
                }
            }
        }
        return nil
    }

    /// 64 hex digits: what an HMAC-SHA256 of a repository name looks like on the wire.
    public static func isHashedName(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) }

    /// Where the first string (or object key) with a control character is, as a path like
    /// `days[0].rows[1].model`; nil when there is none.
    static func controlCharacterPath(in value: Any, at path: String = "") -> String? {
        func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }
        switch value {
        case let text as String:
            return hasControl(text) ? (path.isEmpty ? "the top level" : path) : nil
        case let dictionary as [String: Any]:
            for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
                let child = path.isEmpty ? key : path + "." + key
                if hasControl(key) { return "a key of " + (path.isEmpty ? "the top level" : path) }
                if let found = controlCharacterPath(in: value, at: child) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = controlCharacterPath(in: element, at: path + "[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
    }
}
