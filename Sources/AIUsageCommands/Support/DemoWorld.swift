import AIUsageGit
import Foundation

/// The throwaway world `aiusage demo` measures: a temporary folder holding a fake home
/// (with Claude Code and Codex records), a git repository made with libgit2, and a
/// private store. Nothing outside the folder is read or written.
///
/// The story, with times relative to `now` so survival at 30 days is measurable for
/// older work and pending for recent work:
/// - 60 days ago Ada has Claude Code add VAT handling; she rewrites two lines by hand
///   before committing on `main` (those count as human).
/// - 56 days ago Ben has Codex write a CSV export on a branch, adds a test by hand, and
///   merges the branch into `main` with a merge commit.
/// - 50 days ago Ben rewrites part of the VAT code: AI lines gone within 21 days (churn).
/// - 46 days ago Ada has Claude Code write volume discounts on a branch, in two
///   commits, squash-merged into `main` as one commit.
/// - 38 days ago Ada tries a PDF renderer with Claude Code on a branch never merged:
///   that session's cost is waste.
/// - 33 days ago Ada commits a README change carrying a `Co-Authored-By: Claude`
///   trailer but no AI-written line.
/// - 6 and 2 days ago Ben (Codex) and Ada (Claude Code) land small changes whose 30
///   days have not passed: pending.
struct DemoWorld {
    /// The temporary folder holding everything.
    let folder: String
    /// The fake `HOME` the readers look in.
    let home: String
    /// The demo's own store (`AIUSAGE_HOME`).
    let store: String
    /// The repository's work tree.
    let repo: String

    static let ada = (name: "Ada Lovelace", email: "ada@example.com")
    static let ben = (name: "Ben Okafor", email: "ben@example.com")

    /// The environment the demo's commands run with: the fake home and store, plus the
    /// caller's terminal settings. Tool locations (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`) and
    /// `XDG_*` are not passed on, so only the fake home is read.
    func environment(inheriting outer: [String: String]) -> [String: String] {
        var environment = ["HOME": home, "AIUSAGE_HOME": store]
        for key in ["PATH", "TERM", "NO_COLOR", "LANG", "LC_ALL", "TZ", "COLUMNS"] { environment[key] = outer[key] }
        return environment
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Builds the world in a new temporary folder.
    static func build(now: Date = Date()) throws -> DemoWorld {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "aiusage-demo-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let folder = resolved(base.path)
        let world = DemoWorld(folder: folder, home: folder + "/home", store: folder + "/store", repo: folder + "/home/code/invoicer")
        do {
            try FileManager.default.createDirectory(atPath: world.home, withIntermediateDirectories: true)
            try world.tell(now: now)
        } catch {
            world.remove()
            throw error
        }
        return world
    }

    private static func resolved(_ path: String) -> String {
        guard let pointer = realpath(path, nil) else { return path }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    // MARK: - The story

    private func tell(now: Date) throws {
        let ids = DemoIDs()
        func daysAgo(_ days: Double, plus minutes: Double = 0) -> Date {
            now.addingTimeInterval(-days * 86_400 + minutes * 60)
        }
        let git = try GitRepository.create(at: repo, initialBranch: "main")
        try git.setConfig("user.name", Self.ada.name, global: false)
        try git.setConfig("user.email", Self.ada.email, global: false)
        let main = "refs/heads/main"
        func commit(
            _ files: [String: String?], _ message: String, by author: (name: String, email: String), at time: Date,
            parents: [String], on ref: String?
        ) throws -> String {
            try git.commit(
                files: files, message: message, authorName: author.name, authorEmail: author.email, time: time,
                parents: parents, updateRef: ref)
        }
        let path = { (relative: String) in repo + "/" + relative }

        // Before any session: the project as it was.
        let start = try commit(
            ["README.md": DemoCode.readme, "src/invoice.py": DemoCode.invoice], "Invoice model", by: Self.ada,
            at: daysAgo(60, plus: -180), parents: [], on: main)

        // 60 days ago: Claude Code writes VAT handling; Ada edits two lines by hand.
        let vat = DemoClaudeSession(ids: ids, cwd: repo, branch: "main", start: daysAgo(60))
        try vat.prompt("Add VAT: a tax module with rates per country, and tax and total on Invoice.")
        try vat.say("Let me look at the invoice model first.", output: 180)
        try vat.write(path("src/tax.py"), DemoCode.taxByAI, output: 1_150)
        try vat.edit(
            path("src/invoice.py"), original: DemoCode.invoice, old: DemoCode.invoiceImportOld, new: DemoCode.invoiceImportNew, output: 240)
        try vat.edit(
            path("src/invoice.py"), original: DemoCode.invoiceStep1, old: DemoCode.invoiceTotalsOld, new: DemoCode.invoiceTotalsNew,
            output: 520)
        try vat.say("Done: `Invoice.total_cents()` now adds VAT for the invoice's country.", output: 210)
        try vat.save(home: home)
        let vatCommit = try commit(
            ["src/tax.py": DemoCode.taxCommitted, "src/invoice.py": DemoCode.invoiceWithVAT], "Add VAT to invoices",
            by: Self.ada, at: daysAgo(60, plus: 90), parents: [start], on: main)

        // 56 days ago: Codex writes a CSV export on a branch; Ben adds a test and merges.
        let csv = try DemoCodexSession(ids: ids, cwd: repo, branch: "feature/csv-export", start: daysAgo(56))
        try csv.prompt("Add a CSV export for invoices and document it in the README.")
        try csv.usage(input: 18_400, cached: 12_800, output: 640, reasoning: 384)
        try csv.applyPatch(DemoCode.exportPatch, summary: "A src/export.py")
        try csv.usage(input: 24_900, cached: 18_300, output: 1_320, reasoning: 512)
        try csv.applyPatch(DemoCode.readmePatch, summary: "M README.md")
        try csv.usage(input: 27_200, cached: 24_600, output: 410, reasoning: 128)
        try csv.answer("Added `invoice_to_csv` in src/export.py and a README section.")
        try csv.save(home: home)
        let feature = "refs/heads/feature/csv-export"
        try git.setReference(feature, to: vatCommit)
        let csvCommit = try commit(
            ["src/export.py": DemoCode.export, "README.md": DemoCode.readmeWithExport], "Add CSV export", by: Self.ben,
            at: daysAgo(56, plus: 60), parents: [vatCommit], on: feature)
        let testCommit = try commit(
            ["tests/test_export.py": DemoCode.exportTest], "Test the CSV total row", by: Self.ben,
            at: daysAgo(56, plus: 120), parents: [csvCommit], on: feature)
        let merge = try commit(
            ["src/export.py": DemoCode.export, "README.md": DemoCode.readmeWithExport, "tests/test_export.py": DemoCode.exportTest],
            "Merge branch 'feature/csv-export'", by: Self.ben, at: daysAgo(55), parents: [vatCommit, testCommit], on: main)

        // 50 days ago: Ben rewrites the VAT lookup and drops describe_rate (churn).
        let churn = try commit(
            ["src/tax.py": DemoCode.taxRewritten], "Simplify VAT lookup; formatting lives in templates", by: Self.ben,
            at: daysAgo(50), parents: [merge], on: main)

        // 46 days ago: Claude Code writes discounts on a branch; squash-merged a day later.
        let discounts = DemoClaudeSession(ids: ids, cwd: repo, branch: "discounts", start: daysAgo(46))
        try discounts.prompt("Add volume discounts by quantity tier.")
        try discounts.write(path("src/discounts.py"), DemoCode.discountsStep1, output: 690)
        try discounts.edit(
            path("src/discounts.py"), original: DemoCode.discountsStep1, old: DemoCode.discountsEditOld, new: DemoCode.discountsEditNew,
            output: 430, after: 900)
        try discounts.say("Discounts are in src/discounts.py.", output: 150)
        try discounts.save(home: home)
        let branch = "refs/heads/discounts"
        try git.setReference(branch, to: churn)
        let first = try commit(
            ["src/discounts.py": DemoCode.discountsStep1], "Discount tiers", by: Self.ada, at: daysAgo(46, plus: 10),
            parents: [churn], on: branch)
        _ = try commit(
            ["src/discounts.py": DemoCode.discounts], "discount_cents", by: Self.ada, at: daysAgo(46, plus: 30),
            parents: [first], on: branch)
        let squash = try commit(
            ["src/discounts.py": DemoCode.discounts], "Volume discounts (#12)", by: Self.ada, at: daysAgo(45),
            parents: [churn], on: main)

        // 38 days ago: a PDF experiment on a branch that is never merged (waste).
        let pdf = DemoClaudeSession(ids: ids, cwd: repo, branch: "experiment/pdf", start: daysAgo(38))
        try pdf.prompt("Could we render invoices to PDF without a new dependency?")
        try pdf.say("Let me check what is available in the standard library.", output: 420)
        try pdf.say("There is no PDF writer in the standard library; a minimal one is possible.", output: 880)
        try pdf.write(path("src/pdf.py"), DemoCode.pdf, output: 1_640)
        try pdf.say("A minimal text-only PDF writer is in src/pdf.py.", output: 260)
        try pdf.save(home: home)
        let experiment = "refs/heads/experiment/pdf"
        try git.setReference(experiment, to: squash)
        _ = try commit(
            ["src/pdf.py": DemoCode.pdf], "WIP: PDF rendering", by: Self.ada, at: daysAgo(38, plus: 60),
            parents: [squash], on: experiment)

        // 33 days ago: an AI trailer on a commit whose lines Ada typed herself.
        let trailer = try commit(
            ["README.md": DemoCode.readmeWithDevelopment],
            "Document how to run the tests\n\nCo-Authored-By: Claude <noreply@anthropic.com>", by: Self.ada,
            at: daysAgo(33), parents: [squash], on: main)

        // 6 days ago: Codex adds a JSON export on main (pending: 30 days not passed).
        let json = try DemoCodexSession(ids: ids, cwd: repo, branch: "main", start: daysAgo(6))
        try json.prompt("Add a JSON export next to the CSV one.")
        try json.usage(input: 21_700, cached: 15_100, output: 720, reasoning: 256)
        try json.applyPatch(DemoCode.jsonPatch, summary: "M src/export.py")
        try json.usage(input: 23_800, cached: 21_000, output: 300, reasoning: 64)
        try json.answer("Added `invoice_to_json`.")
        try json.save(home: home)
        let jsonCommit = try commit(
            ["src/export.py": DemoCode.exportWithJSON], "Add JSON export", by: Self.ben, at: daysAgo(6, plus: 30),
            parents: [trailer], on: main)

        // 2 days ago: Claude Code adds two VAT rates (pending).
        let rates = DemoClaudeSession(ids: ids, cwd: repo, branch: "main", start: daysAgo(2))
        try rates.prompt("Add Spain and Italy to the VAT table.")
        try rates.edit(path("src/tax.py"), original: DemoCode.taxRewritten, old: DemoCode.ratesOld, new: DemoCode.ratesNew, output: 210)
        try rates.save(home: home)
        _ = try commit(
            ["src/tax.py": DemoCode.taxWithMoreRates], "VAT rates for Spain and Italy", by: Self.ada,
            at: daysAgo(2, plus: 20), parents: [jsonCommit], on: main)
    }
}

/// The demo repository's code: what the AI tools wrote and what was committed.
enum DemoCode {
    static let readme = """
        # invoicer

        Small invoicing service used by the aiusage demo.

        """

    static let readmeWithExport =
        readme + """

            ## Export

            `export.invoice_to_csv(invoice)` returns the invoice as CSV, one row per line plus a total row.

            """

    static let readmeWithDevelopment =
        readmeWithExport + """

            ## Development

            Run `pytest` from the repository root; tests import from `src/`.

            """

    static let invoice = """
        from dataclasses import dataclass, field


        @dataclass
        class Line:
            description: str
            quantity: int
            unit_price_cents: int


        @dataclass
        class Invoice:
            number: str
            customer: str
            lines: list[Line] = field(default_factory=list)

            def subtotal_cents(self) -> int:
                return sum(line.quantity * line.unit_price_cents for line in self.lines)

        """

    static let invoiceImportOld = "from dataclasses import dataclass, field\n"
    static let invoiceImportNew = "from dataclasses import dataclass, field\n\nfrom tax import vat_cents\n"
    static let invoiceStep1 = invoice.replacingOccurrences(of: invoiceImportOld, with: invoiceImportNew)

    static let invoiceTotalsOld = """
            lines: list[Line] = field(default_factory=list)

            def subtotal_cents(self) -> int:
                return sum(line.quantity * line.unit_price_cents for line in self.lines)
        """
    static let invoiceTotalsNew = """
            lines: list[Line] = field(default_factory=list)
            country: str = "DE"

            def subtotal_cents(self) -> int:
                return sum(line.quantity * line.unit_price_cents for line in self.lines)

            def tax_cents(self) -> int:
                return vat_cents(self.subtotal_cents(), self.country)

            def total_cents(self) -> int:
                return self.subtotal_cents() + self.tax_cents()
        """
    static let invoiceWithVAT = invoiceStep1.replacingOccurrences(of: invoiceTotalsOld, with: invoiceTotalsNew)

    static let taxByAI = """
        from decimal import Decimal, ROUND_HALF_UP

        VAT_RATES = {
            "DE": Decimal("0.19"),
            "FR": Decimal("0.20"),
            "NL": Decimal("0.21"),
            "IE": Decimal("0.23"),
        }


        def vat_rate(country: str) -> Decimal:
            try:
                return VAT_RATES[country.upper()]
            except KeyError:
                raise ValueError(f"no VAT rate for {country!r}") from None


        def vat_cents(amount_cents: int, country: str) -> int:
            tax = Decimal(amount_cents) * vat_rate(country)
            return int(tax.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


        def describe_rate(country: str) -> str:
            return f"VAT {vat_rate(country) * 100:.0f}% ({country.upper()})"

        """

    /// Ada's hand edits before committing: Belgium added, the description reworded.
    static let taxCommitted =
        taxByAI
        .replacingOccurrences(
            of: "    \"DE\": Decimal(\"0.19\"),\n", with: "    \"BE\": Decimal(\"0.21\"),\n    \"DE\": Decimal(\"0.19\"),\n"
        )
        .replacingOccurrences(
            of: "return f\"VAT {vat_rate(country) * 100:.0f}% ({country.upper()})\"",
            with: "return f\"{country.upper()} VAT {vat_rate(country):.0%}\"")

    static let taxRewritten = """
        from decimal import Decimal, ROUND_HALF_UP

        VAT_RATES = {
            "BE": Decimal("0.21"),
            "DE": Decimal("0.19"),
            "FR": Decimal("0.20"),
            "NL": Decimal("0.21"),
            "IE": Decimal("0.23"),
        }


        def vat_rate(country: str) -> Decimal:
            rate = VAT_RATES.get(country.upper())
            if rate is None:
                raise ValueError(f"unknown VAT country {country!r}")
            return rate


        def vat_cents(amount_cents: int, country: str) -> int:
            tax = Decimal(amount_cents) * vat_rate(country)
            return int(tax.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

        """

    static let ratesOld = "    \"IE\": Decimal(\"0.23\"),\n}"
    static let ratesNew = "    \"IE\": Decimal(\"0.23\"),\n    \"ES\": Decimal(\"0.21\"),\n    \"IT\": Decimal(\"0.22\"),\n}"
    static let taxWithMoreRates = taxRewritten.replacingOccurrences(of: ratesOld, with: ratesNew)

    static let export = """
        import csv
        import io

        from invoice import Invoice


        def invoice_to_csv(invoice: Invoice) -> str:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["description", "quantity", "unit_price_cents", "amount_cents"])
            for line in invoice.lines:
                amount = line.quantity * line.unit_price_cents
                writer.writerow([line.description, line.quantity, line.unit_price_cents, amount])
            writer.writerow(["total", "", "", invoice.total_cents()])
            return buffer.getvalue()

        """

    static let exportPatch =
        "*** Begin Patch\n*** Add File: src/export.py\n"
        + export.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "+" + $0 }.joined(separator: "\n")
        + "\n*** End Patch\n"

    static let readmePatch = """
        *** Begin Patch
        *** Update File: README.md
        @@
         Small invoicing service used by the aiusage demo.
        +
        +## Export
        +
        +`export.invoice_to_csv(invoice)` returns the invoice as CSV, one row per line plus a total row.
        *** End Patch

        """

    static let exportTest = """
        from export import invoice_to_csv
        from invoice import Invoice, Line


        def test_total_row():
            invoice = Invoice("A-1", "ACME", [Line("Widget", 2, 500)])
            assert invoice_to_csv(invoice).splitlines()[-1] == "total,,,1190"

        """

    static let exportWithJSON =
        export
        .replacingOccurrences(of: "import csv\nimport io\n", with: "import csv\nimport io\nimport json\n")
            + """


            def invoice_to_json(invoice: Invoice) -> str:
                return json.dumps({
                    "number": invoice.number,
                    "customer": invoice.customer,
                    "total_cents": invoice.total_cents(),
                })

            """

    static let jsonPatch = """
        *** Begin Patch
        *** Update File: src/export.py
        @@
         import csv
         import io
        +import json
        @@
             return buffer.getvalue()
        +
        +
        +def invoice_to_json(invoice: Invoice) -> str:
        +    return json.dumps({
        +        "number": invoice.number,
        +        "customer": invoice.customer,
        +        "total_cents": invoice.total_cents(),
        +    })
        *** End Patch

        """

    static let discountsStep1 = """
        from invoice import Invoice

        TIERS = [
            (100, 0.10),
            (50, 0.05),
            (10, 0.02),
        ]


        def discount_rate(quantity: int) -> float:
            for threshold, rate in TIERS:
                if quantity >= threshold:
                    return rate
            return 0.0

        """

    static let discountsEditOld = "            return rate\n    return 0.0\n"
    static let discountsEditNew = """
                    return rate
            return 0.0


        def discount_cents(invoice: Invoice) -> int:
            total = 0
            for line in invoice.lines:
                amount = line.quantity * line.unit_price_cents
                total += round(amount * discount_rate(line.quantity))
            return total

        """
    static let discounts = discountsStep1.replacingOccurrences(of: discountsEditOld, with: discountsEditNew)

    static let pdf = """
        from invoice import Invoice

        HEADER = "%PDF-1.4"


        def _text_object(lines: list[str]) -> str:
            body = ["BT", "/F1 11 Tf", "50 780 Td", "14 TL"]
            for text in lines:
                escaped = text.replace("(", "\\\\(").replace(")", "\\\\)")
                body.append(f"({escaped}) '")
            body.append("ET")
            return "\\n".join(body)


        def invoice_to_pdf(invoice: Invoice) -> bytes:
            rows = [f"Invoice {invoice.number} for {invoice.customer}"]
            for line in invoice.lines:
                rows.append(f"{line.quantity} x {line.description}: {line.unit_price_cents / 100:.2f}")
            rows.append(f"Total: {invoice.total_cents() / 100:.2f}")
            stream = _text_object(rows)
            objects = [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
                f"<< /Length {len(stream)} >>\\nstream\\n{stream}\\nendstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
            out = HEADER + "\\n"
            for number, body in enumerate(objects, start=1):
                out += f"{number} 0 obj\\n{body}\\nendobj\\n"
            return out.encode("latin-1")

        """
}
