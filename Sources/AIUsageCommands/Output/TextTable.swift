/// A table for people: columns as wide as their widest cell (never cut), two spaces
/// apart, and one *flexible* column whose text wraps onto continuation lines so that
/// rows stay within the terminal's width.
///
/// When even that does not fit (a narrow terminal), each row is *stacked* instead: its
/// leading cells on a line, then the other cells as `TITLE value` pairs wrapped to the
/// width. A cell is never truncated: a model name or path longer than the width stays
/// whole on a line of its own (that line is then longer; nothing is hidden).
struct TextTable {
    struct Column {
        var title: String
        var alignRight = false
        /// Wraps at spaces to the room left; at most one column should be flexible.
        var flexible = false

        static func left(_ title: String) -> Column { Column(title: title) }
        static func right(_ title: String) -> Column { Column(title: title, alignRight: true) }
        static func wrapping(_ title: String) -> Column { Column(title: title, flexible: true) }
    }

    var columns: [Column]
    var rows: [[String]] = []
    /// How many leading columns name a row when it is stacked (a commit and its date).
    var lead: Int

    init(_ columns: [Column], lead: Int = 1) {
        self.columns = columns
        self.lead = lead
    }

    mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count, "one cell per column")
        rows.append(cells)
    }

    static let gap = 2

    /// The header and the rows, as lines without trailing spaces.
    func render(width: Int) -> [String] {
        var widths = columns.indices.map { index in
            rows.reduce(columns[index].title.count) { max($0, $1[index].count) }
        }
        if let flexible = columns.firstIndex(where: \.flexible) {
            let others = widths.indices.filter { $0 != flexible }.reduce(0) { $0 + widths[$1] } + Self.gap * (columns.count - 1)
            let longestWord = rows.map { Text.words($0[flexible]).map(\.count).max() ?? 0 }.max() ?? 0
            let floor = max(columns[flexible].title.count, min(longestWord, 12))
            widths[flexible] = min(widths[flexible], max(width - others, floor))
        }
        if widths.reduce(0, +) + Self.gap * (columns.count - 1) > width { return stacked(width: width) }
        var lines = [line(columns.map(\.title), widths: widths)]
        for row in rows {
            var wrapped = row.indices.map { index in
                columns[index].flexible ? Text.wrap(row[index], width: widths[index]) : [row[index]]
            }
            let height = wrapped.map(\.count).max() ?? 1
            for index in wrapped.indices where wrapped[index].count < height {
                wrapped[index] += Array(repeating: "", count: height - wrapped[index].count)
            }
            for part in 0..<height { lines.append(line(wrapped.map { $0[part] }, widths: widths)) }
        }
        return lines
    }

    /// Each row as its leading cells, then `TITLE value` pairs wrapped with an indent.
    private func stacked(width: Int) -> [String] {
        var lines: [String] = []
        for row in rows {
            lines += Text.wrap(row.prefix(lead).filter { !$0.isEmpty }.joined(separator: "  "), width: width)
            var current = ""
            for index in row.indices.dropFirst(lead) where !row[index].isEmpty {
                let item = columns[index].title + " " + row[index]
                if !current.isEmpty, current.count + 2 + item.count > width {
                    lines.append(current)
                    current = ""
                }
                current += "  " + item
            }
            if !current.isEmpty { lines.append(current) }
        }
        return lines
    }

    private func line(_ cells: [String], widths: [Int]) -> String {
        var out = ""
        for (index, cell) in cells.enumerated() {
            let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
            if index > 0 { out += String(repeating: " ", count: Self.gap) }
            out += columns[index].alignRight ? padding + cell : cell + padding
        }
        while out.last == " " { out.removeLast() }
        return out
    }
}

/// Wrapping of prose to the terminal's width, at spaces; a word longer than the width
/// (a path, a URL) is kept whole on a line of its own.
enum Text {
    static func words(_ text: String) -> [Substring] { text.split(separator: " ", omittingEmptySubsequences: true) }

    /// `text` as lines of at most `width` characters (unless one word is longer).
    static func wrap(_ text: String, width: Int) -> [String] {
        // Text that fits keeps its own spacing.
        if text.count <= width, !text.hasPrefix(" ") { return [text] }
        var lines: [String] = []
        var current = ""
        for word in words(text) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// A paragraph wrapped to `width`: the first line starts with `indent`, the following
    /// ones with `hanging` (by default as many spaces as `indent`). Keeps each `\n` of
    /// `text` as a line break.
    static func paragraph(_ text: String, width: Int, indent: String = "", hanging: String? = nil) -> String {
        let next = hanging ?? String(repeating: " ", count: indent.count)
        var out: [String] = []
        for (number, source) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lead = number == 0 ? indent : next
            let room = max(20, width - max(lead.count, next.count))
            for (index, line) in wrap(String(source), width: room).enumerated() {
                out.append((index == 0 ? lead : next) + line)
            }
        }
        return out.joined(separator: "\n")
    }
}
