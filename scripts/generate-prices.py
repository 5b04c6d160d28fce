#!/usr/bin/env python3
"""Generate aiusage's bundled price table from a pinned release of the genai-prices dataset.

PRODUCT.md: prices come from a bundled, dated, offline table generated from a maintained
price dataset, never typed by hand. The dataset is `genai-prices` on PyPI (MIT, by Pydantic):
its wheel carries the providers, their model-matching rules and their prices as
`genai_prices/data.py`, one Python literal of constructor calls. This script reads that file
with `ast` (nothing from the package is imported or run, so no virtual environment and no
pydantic are needed), converts it to the dataset's own JSON shape (the `data.json` its
auto-updater downloads), keeps only the fields aiusage prices with, and writes

  Sources/AIUsageCore/Pricing/BundledPriceData.swift   (default; the JSON as string literals, per provider)
  --json FILE                                          (the same document, for `aiusage prices update`)

Usage:
  scripts/generate-prices.py                    download the pinned wheel with pip, verify it, regenerate
  scripts/generate-prices.py --check            same, but only compare with the committed file (exit 1 if stale)
  scripts/generate-prices.py --source WHEEL     use a wheel (or a data.py) already on disk
  scripts/generate-prices.py --version 0.2.4 --date 2026-12-01 --json prices.json
                                                a newer release, written for `aiusage prices update`

To move the bundled table to a newer release, change PINNED below (version, the date PyPI
published it, the wheel's sha256) and run the script; the output depends only on the wheel,
so running it twice gives the same file.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DATASET = "genai-prices"
PINNED = {
    "version": "0.2.3",
    # Upload time of the wheel on PyPI (the simple index's `upload-time`).
    "date": "2026-11-10",
    "sha256": "56976ce2b04ec206117f7d0e53f4849211a6724ab3a12119afec304eba63ee25",
}
SCHEMA = "aiusage.prices/1"
REPOSITORY = Path(__file__).resolve().parent.parent
SWIFT_OUTPUT = REPOSITORY / "Sources/AIUsageCore/Pricing/BundledPriceData.swift"

# Fields kept. Everything else (descriptions, price comments, usage extractors, API URL
# patterns, context windows, request-context price variants such as batch or priority
# tiers) is dropped: aiusage prices standard requests from token counts only.
PROVIDER_FIELDS = ("id", "name", "pricing_urls", "model_match", "provider_match", "fallback_model_providers", "models")
MODEL_FIELDS = ("id", "name", "deprecated", "match", "prices")
CLAUSES = {
    "ClauseEquals": "equals",
    "ClauseStartsWith": "starts_with",
    "ClauseEndsWith": "ends_with",
    "ClauseContains": "contains",
    "ClauseRegex": "regex",
    "ClauseOr": "or",
    "ClauseAnd": "and",
}


class DatasetError(Exception):
    """The wheel is not what this script understands; the message says where."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="a genai-prices wheel, or its genai_prices/data.py, already on disk")
    parser.add_argument("--version", help=f"dataset version (default: the pinned {PINNED['version']})")
    parser.add_argument("--date", help="the version's release date, YYYY-MM-DD (required for an unpinned version)")
    parser.add_argument("--swift", type=Path, help=f"Swift file to write (default: {SWIFT_OUTPUT.relative_to(REPOSITORY)})")
    parser.add_argument("--json", type=Path, help="also write the table as JSON, for `aiusage prices update FILE`")
    parser.add_argument("--no-swift", action="store_true", help="write only --json")
    parser.add_argument("--check", action="store_true", help="do not write: exit 1 if the Swift file differs from a fresh run")
    args = parser.parse_args()

    version = args.version or PINNED["version"]
    date = args.date or (PINNED["date"] if version == PINNED["version"] else None)
    if date is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        parser.error(f"--date YYYY-MM-DD is required for version {version} (the day PyPI published it)")

    try:
        with tempfile.TemporaryDirectory() as scratch:
            source = args.source or download(version, Path(scratch))
            data_py, wheel_version = read_source(source)
            if wheel_version is not None and wheel_version != version:
                raise DatasetError(f"{source} is version {wheel_version}, not {version}")
            if source.suffix == ".whl" and version == PINNED["version"]:
                digest = hashlib.sha256(source.read_bytes()).hexdigest()
                if digest != PINNED["sha256"]:
                    raise DatasetError(f"{source} has sha256 {digest}, not the pinned {PINNED['sha256']}")
            providers = convert(data_py)
    except DatasetError as error:
        print(f"generate-prices: {error}", file=sys.stderr)
        return 1

    document = render_json(version, date, providers)
    swift_path = args.swift or SWIFT_OUTPUT
    swift = render_swift(version, date, providers)
    if args.check:
        current = swift_path.read_text(encoding="utf-8") if swift_path.exists() else ""
        if current != swift:
            print(f"generate-prices: {swift_path} is not what {DATASET} {version} generates; run scripts/generate-prices.py", file=sys.stderr)
            return 1
        print(f"{swift_path} matches {DATASET} {version}")
        return 0
    if not args.no_swift:
        swift_path.write_text(swift, encoding="utf-8")
        print(f"wrote {swift_path} ({DATASET} {version}, {date}, {len(providers)} providers, "
              f"{sum(len(p['models']) for p in providers)} models)")
    if args.json:
        args.json.write_text(document, encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


def download(version: str, folder: Path) -> Path:
    """The wheel of `version`, fetched with the ordinary pip client (no dependencies)."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--dest", str(folder), f"{DATASET}=={version}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise DatasetError(f"pip could not download {DATASET}=={version}: {result.stderr.strip().splitlines()[-1:]}")
    wheels = sorted(folder.glob("*.whl"))
    if len(wheels) != 1:
        raise DatasetError(f"pip downloaded {len(wheels)} wheels for {DATASET}=={version}")
    return wheels[0]


def read_source(source: Path) -> tuple[str, str | None]:
    """`genai_prices/data.py` and the wheel's version (None for a bare data.py)."""
    if not source.exists():
        raise DatasetError(f"{source} does not exist")
    if source.suffix != ".whl":
        return source.read_text(encoding="utf-8"), None
    try:
        with zipfile.ZipFile(source) as wheel:
            data_py = wheel.read("genai_prices/data.py").decode("utf-8")
            metadata = next((name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")), None)
            version = None
            if metadata:
                for line in wheel.read(metadata).decode("utf-8").splitlines():
                    if line.startswith("Version:"):
                        version = line.split(":", 1)[1].strip()
                        break
    except (zipfile.BadZipFile, KeyError) as error:
        raise DatasetError(f"{source} is not a {DATASET} wheel: {error}") from None
    return data_py, version


def convert(data_py: str) -> list[dict]:
    """The `providers` list of data.py as the dataset's JSON shape, trimmed."""
    tree = ast.parse(data_py)
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "providers":
            value = node.value
            break
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "providers" for t in node.targets):
            value = node.value
            break
    else:
        raise DatasetError("data.py has no `providers` list")
    if not isinstance(value, ast.List):
        raise DatasetError("`providers` in data.py is not a list literal")
    return [provider(call) for call in value.elts]


def keywords(node: ast.AST, expected: str) -> dict[str, ast.AST]:
    if not isinstance(node, ast.Call) or ast.unparse(node.func) != expected:
        raise DatasetError(f"expected {expected}(...) at line {getattr(node, 'lineno', '?')}, found {ast.unparse(node)[:60]}")
    if node.args:
        raise DatasetError(f"{expected} at line {node.lineno} has positional arguments")
    return {keyword.arg.rstrip("_"): keyword.value for keyword in node.keywords if keyword.arg}


def provider(node: ast.AST) -> dict:
    fields = keywords(node, "Provider")
    out: dict = {}
    for name in PROVIDER_FIELDS:
        if name not in fields or is_none(fields[name]):
            continue
        value = fields[name]
        if name in ("model_match", "provider_match"):
            out[name] = clause(value)
        elif name == "models":
            out[name] = [model(item) for item in as_list(value)]
        else:
            out[name] = literal(value)
    if "id" not in out:
        raise DatasetError(f"a provider at line {node.lineno} has no id")
    out.setdefault("models", [])
    return out


def model(node: ast.AST) -> dict:
    fields = keywords(node, "ModelInfo")
    out: dict = {}
    for name in MODEL_FIELDS:
        if name not in fields or is_none(fields[name]):
            continue
        value = fields[name]
        if name == "match":
            out[name] = clause(value)
        elif name == "prices":
            if isinstance(value, ast.List):
                out[name] = [conditional_price(item) for item in value.elts]
            else:
                out[name] = model_price(value)
        else:
            out[name] = literal(value)
    for required in ("id", "match"):
        if required not in out:
            raise DatasetError(f"a model at line {node.lineno} has no {required}")
    out.setdefault("prices", {})
    return out


def conditional_price(node: ast.AST) -> dict:
    fields = keywords(node, "ConditionalPrice")
    out: dict = {}
    if "constraint" in fields and not is_none(fields["constraint"]):
        out["constraint"] = constraint(fields["constraint"])
    if "prices" not in fields:
        raise DatasetError(f"ConditionalPrice at line {node.lineno} has no prices")
    out["prices"] = model_price(fields["prices"])
    return out


def constraint(node: ast.AST) -> dict:
    name = ast.unparse(node.func) if isinstance(node, ast.Call) else ""
    if name == "StartDateConstraint":
        return {"start_date": date_value(keywords(node, name)["start_date"])}
    if name == "TimeOfDateConstraint":
        fields = keywords(node, name)
        return {"start_time": time_value(fields["start_time"]), "end_time": time_value(fields["end_time"])}
    raise DatasetError(f"unknown price constraint {ast.unparse(node)[:60]} at line {node.lineno}")


def model_price(node: ast.AST) -> dict:
    fields = keywords(node, "ModelPrice")
    out: dict = {}
    for key, value in fields.items():
        if is_none(value):
            continue
        if isinstance(value, ast.Call) and ast.unparse(value.func) == "TieredPrices":
            tiered = keywords(value, "TieredPrices")
            tiers = []
            for tier in as_list(tiered["tiers"]):
                tier_fields = keywords(tier, "Tier")
                tiers.append({"start": literal(tier_fields["start"]), "price": decimal(tier_fields["price"])})
            # The dataset sorts tiers by threshold when it loads them; do it here once.
            tiers.sort(key=lambda item: item["start"])
            out[key] = {"base": decimal(tiered["base"]), "tiers": tiers}
        else:
            out[key] = decimal(value)
    return out


def clause(node: ast.AST) -> dict:
    name = ast.unparse(node.func) if isinstance(node, ast.Call) else ""
    if name not in CLAUSES:
        raise DatasetError(f"unknown match rule {ast.unparse(node)[:60]} at line {getattr(node, 'lineno', '?')}")
    key = CLAUSES[name]
    (value,) = keywords(node, name).values()
    if key in ("or", "and"):
        return {key: [clause(item) for item in as_list(value)]}
    text = literal(value)
    if not isinstance(text, str):
        raise DatasetError(f"{name} at line {node.lineno} does not hold a string")
    return {key: text}


def decimal(node: ast.AST) -> int | float:
    """Decimal('0.075') as the JSON number 0.075 (an integer when it is one)."""
    if not (isinstance(node, ast.Call) and ast.unparse(node.func) == "Decimal" and len(node.args) == 1):
        raise DatasetError(f"expected Decimal('...') at line {getattr(node, 'lineno', '?')}")
    text = literal(node.args[0])
    if isinstance(text, int):
        return text
    if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d+)?([eE][-+]?\d+)?", text):
        raise DatasetError(f"unexpected price {text!r} at line {node.lineno}")
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def date_value(node: ast.AST) -> str:
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("datetime.date", "date") and len(node.args) == 3:
        year, month, day = (literal(arg) for arg in node.args)
        return f"{year:04d}-{month:02d}-{day:02d}"
    raise DatasetError(f"expected datetime.date(y, m, d) at line {getattr(node, 'lineno', '?')}")


def time_value(node: ast.AST) -> str:
    """datetime.time(0, 30, tzinfo=datetime.UTC) as "00:30:00Z" (the dataset's times are UTC)."""
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("datetime.time", "time") and 1 <= len(node.args) <= 3:
        parts = [literal(arg) for arg in node.args] + [0, 0]
        zone = {keyword.arg: ast.unparse(keyword.value) for keyword in node.keywords}.get("tzinfo", "datetime.UTC")
        if zone not in ("datetime.UTC", "UTC", "datetime.timezone.utc", "timezone.utc"):
            raise DatasetError(f"time zone {zone} at line {node.lineno} is not UTC")
        return f"{parts[0]:02d}:{parts[1]:02d}:{parts[2]:02d}Z"
    raise DatasetError(f"expected datetime.time(h, m) at line {getattr(node, 'lineno', '?')}")


def literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise DatasetError(f"expected a literal at line {getattr(node, 'lineno', '?')}, found {ast.unparse(node)[:60]}") from None


def as_list(node: ast.AST) -> list[ast.AST]:
    if not isinstance(node, ast.List):
        raise DatasetError(f"expected a list at line {getattr(node, 'lineno', '?')}")
    return node.elts


def is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def render_json(version: str, date: str, providers: list[dict]) -> str:
    """The document, one model per line so that a new release reads as a small diff."""
    header = {"schema": SCHEMA, "dataset": DATASET, "version": version, "date": date}
    lines = [compact(header)[:-1] + ',"providers":[']
    for index, item in enumerate(providers):
        fields = {key: value for key, value in item.items() if key != "models"}
        head = compact(fields)[:-1] + ',"models":['
        models = item["models"]
        closing = "]}" + ("," if index < len(providers) - 1 else "")
        if not models:
            lines.append(head + closing)
            continue
        lines.append(head)
        for position, entry in enumerate(models):
            lines.append(compact(entry) + ("," if position < len(models) - 1 else ""))
        lines.append(closing)
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # the layout above must still be one JSON document
    return text


def raw_delimiter(text: str, multiline: bool) -> str:
    """The fewest `#` that make a Swift raw string literal hold `text` unchanged: the
    closing quote(s) followed by them, or a backslash followed by them (an escape in a
    raw string), must not occur in it."""
    hashes = "#"
    closing = '"""' if multiline else '"'
    while closing + hashes in text or "\\" + hashes in text:
        hashes += "#"
    return hashes


def render_swift(version: str, date: str, providers: list[dict]) -> str:
    """Each provider as a pair of raw string literals: its fields without the models (one
    line), and its models as a JSON array, one model per line. Kept apart so that aiusage
    parses only the providers a lookup needs."""
    entries = []
    for item in providers:
        header = compact({key: value for key, value in item.items() if key != "models"})
        models = "[\n" + ",\n".join(compact(entry) for entry in item["models"]) + ("\n" if item["models"] else "") + "]\n"
        header_hashes = raw_delimiter(header, multiline=False)
        models_hashes = raw_delimiter(models, multiline=True)
        entries.append(
            "        (\n"
            f'            {header_hashes}"{header}"{header_hashes},\n'
            f'            {models_hashes}"""\n{models}"""{models_hashes}\n'
            "        ),\n"
        )
    return (
        f"// Generated by scripts/generate-prices.py from {DATASET} {version} (PyPI, published {date}).\n"
        "// Do not edit: change the pinned version in the script and run it again.\n"
        "\n"
        "/// The bundled price dataset, kept as JSON text and parsed only when a price is asked for.\n"
        "enum BundledPriceData {\n"
        f"    static let dataset = {json.dumps(DATASET)}\n"
        f"    static let version = {json.dumps(version)}\n"
        f"    static let date = {json.dumps(date)}\n"
        "\n"
        "    /// The providers in the dataset's order: each one's fields without its models, and\n"
        "    /// its models as a JSON array, so that a lookup parses only the providers it needs.\n"
        "    static let providers: [(header: String, models: String)] = [\n"
        + "".join(entries)
        + "    ]\n"
        "}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
