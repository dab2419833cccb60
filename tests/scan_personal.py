"""Scans for personal data in what the pipeline wrote, for the privacy and erasure tests.

    find_traces(roots, needles)        where any of `needles` (a person's email, handle, name, texts, pseudonyms) is
                                       still found under `roots`, case-insensitive
    find_personal_data(serving_file)   emails, phone numbers and @handles of private persons in any text column

Both return readable findings (empty: nothing found), so a test asserts `== []` and a failure says where.

find_traces reads every DuckDB file twice: logically (every text column of every table: VARCHAR, JSON, and lists,
structs and maps of them) and as bytes,
which finds what a query cannot, such as a deleted row whose bytes are still in the file. DuckDB compresses
strings, so the byte check is a supplement, not a proof; the logical one covers every live value. Parquet files are
read logically; every other file as text (HTML entities and JSON escapes decoded) and as bytes.
"""

from __future__ import annotations

import contextlib
import csv
import html
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BRAND_ACCOUNTS = PROJECT_ROOT / "dbt_project" / "seeds" / "brand_accounts.csv"
DUCKDB_SUFFIXES = (".duckdb", ".db")
EXAMPLE_CHARS = 80

# RE2 (DuckDB) patterns.
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# A phone number written as one: +44 20 7946 0958, (555) 123-4567, 555-123-4567, 020 7946 0958; or a bare run of
# 10-11 digits standing as a word in a text (ids such as 'zendesk:7000018219' are not phone numbers).
PHONES = (
    r"\+\d{1,3}[\s.-]?\(?\d{1,4}\)?([\s.-]?\d{2,4}){2,4}",
    r"(^|[\s(])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b",
    r"(^|[\s(])0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}\b",
    r"(^|\s)\d{10,11}([\s.,!?]|$)",
)
# An @handle not inside an email or a word; group 1 is the handle.
HANDLE = r"(?:^|[^A-Za-z0-9_.@])@([A-Za-z0-9_]{1,30})"
# What redaction leaves of a handle: mart_term_trends shows any handle as @user.
MASKED_HANDLES = frozenset({"user"})
HANDLE_COLUMN = re.compile(r"(^|_)(handle|username|screen_name)(_|$)")
# pipeline/publish/pseudonyms.py: p_ and 32 hex digits written as letters (0-9 as g-p).
PSEUDONYM = r"^p_[a-p]{32}$"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def files_under(roots: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under `roots` (files or folders), once; symlinks inside are not followed."""
    seen = set()
    for root in roots:
        candidates = [root] if root.is_file() else []
        if root.is_dir():
            for folder, _subfolders, names in os.walk(root):
                candidates += [Path(folder) / name for name in sorted(names)]
        for path in candidates:
            if path.is_symlink() and path != root:
                continue
            if path.resolve() not in seen:
                seen.add(path.resolve())
                yield path


def is_textual(data_type: str) -> bool:
    """A column that can hold text: VARCHAR, JSON, or a list, struct or map holding either."""
    return "VARCHAR" in data_type or "JSON" in data_type


def relations(connection: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, relation to select from, textual columns) of every table in a DuckDB or Parquet file."""
    if path.suffix == ".parquet":
        relation = f"read_parquet({quote_literal(str(path))})"
        described = connection.execute(f"describe select * from {relation}").fetchall()
        return [(path.name, relation, [name for name, data_type, *_ in described if is_textual(data_type)])]
    connection.execute(f"attach {quote_literal(str(path))} as scanned (read_only)")
    found: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type in connection.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() where database_name = 'scanned'"
        " order by schema_name, table_name, column_index"
    ).fetchall():
        columns = found.setdefault((schema, table), [])
        if is_textual(data_type):
            columns.append(column)
    return [
        (f"{schema}.{table}", f"scanned.{quote_ident(schema)}.{quote_ident(table)}", columns)
        for (schema, table), columns in found.items()
    ]


def table_traces(connection: duckdb.DuckDBPyConnection, path: Path, needles: list[str]) -> list[str]:
    findings = []
    try:
        for name, relation, columns in relations(connection, path):
            if not columns or not needles:
                continue
            cells = {column: f"lower(cast({quote_ident(column)} as varchar))" for column in columns}
            row = f"concat_ws(chr(10), {', '.join(cells.values())})"
            anywhere = " or ".join(f"contains({row}, {quote_literal(needle)})" for needle in needles)
            if not connection.execute(f"select count(*) from {relation} where {anywhere}").fetchone()[0]:
                continue  # most tables: one scan, no per-column counts
            pairs = [(column, needle) for column in columns for needle in needles]
            counts = connection.execute(
                "select "
                + ", ".join(
                    f"count(*) filter (where contains({cells[column]}, {quote_literal(needle)}))"
                    for column, needle in pairs
                )
                + f" from {relation}"
            ).fetchone()
            findings += [
                f"{path}: {name}.{column} holds {needle!r} in {rows} rows"
                for (column, needle), rows in zip(pairs, counts, strict=True)
                if rows
            ]
        if path.suffix != ".parquet":
            comments = connection.execute(
                "select table_name, column_name, lower(comment) from duckdb_columns()"
                " where database_name = 'scanned' and comment is not null"
            ).fetchall()
            findings += [
                f"{path}: the comment on {table}.{column} holds {needle!r}"
                for table, column, comment in comments
                for needle in needles
                if needle in comment
            ]
    finally:
        if connection.execute("select 1 from duckdb_databases() where database_name = 'scanned'").fetchall():
            connection.execute("detach scanned")
    return findings


def readable_forms(path: Path, data: bytes) -> list[str]:
    """A text file as written, with HTML entities decoded, and (JSON) with its escapes decoded."""
    text = data.decode("utf-8", errors="replace")
    forms = [text, html.unescape(text)]
    if path.suffix == ".json":
        with contextlib.suppress(ValueError):
            forms.append(json.dumps(json.loads(text), ensure_ascii=False))
    return [form.lower() for form in forms]


def find_traces(roots: list[Path], needles: list[str]) -> list[str]:
    """Where any of `needles` is still found under `roots` (files or folders): every column of every table of each
    DuckDB and Parquet file, the bytes of each DuckDB file (with its write-ahead log), the text of every other
    file. Case-insensitive; empty needles are ignored."""
    needles = sorted({needle.lower() for needle in needles if needle and needle.strip()})
    findings = []
    with duckdb.connect() as connection:
        for path in files_under(roots):
            if path.suffix in DUCKDB_SUFFIXES or path.suffix == ".parquet":
                findings += table_traces(connection, path, needles)
            if path.suffix != ".parquet":
                findings += file_traces(path, needles)
    return findings


def file_traces(path: Path, needles: list[str]) -> list[str]:
    data = path.read_bytes().lower()
    in_bytes = {needle for needle in needles if needle.encode() in data}
    findings = [f"{path}: its bytes hold {needle!r}" for needle in sorted(in_bytes)]
    if path.suffix not in DUCKDB_SUFFIXES and not path.name.endswith(".wal"):
        forms = readable_forms(path, data)
        in_text = {needle for needle in needles if any(needle in form for form in forms)} - in_bytes
        findings += [f"{path}: its text holds {needle!r}" for needle in sorted(in_text)]
    return findings


def brand_handles(seed: Path = BRAND_ACCOUNTS) -> frozenset[str]:
    """The brand's own handles, lower case, without the @ (seed brand_accounts usernames)."""
    with seed.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["username"].strip().lstrip("@").lower() for row in csv.DictReader(handle))


def column_checks(column: str, allowed: frozenset[str]) -> dict[str, str]:
    """What is looked for in one column, as SQL conditions."""
    value = f"cast({quote_ident(column)} as varchar)"
    allowed_list = "[" + ", ".join(quote_literal(handle) for handle in sorted(allowed)) + "]::varchar[]"
    private_handles = (
        f"list_filter(regexp_extract_all({value}, {quote_literal(HANDLE)}, 1),"
        f" lambda handle: not list_contains({allowed_list}, lower(handle)))"
    )
    checks = {
        "an email address": f"regexp_matches({value}, {quote_literal(EMAIL)})",
        "a phone number": " or ".join(f"regexp_matches({value}, {quote_literal(phone)})" for phone in PHONES),
        "a private @handle": f"len({private_handles}) > 0",
    }
    if HANDLE_COLUMN.search(column.lower()):
        checks["a handle in clear"] = (
            f"not regexp_matches({value}, {quote_literal(PSEUDONYM)})"
            f" and not list_contains({allowed_list}, lower(ltrim({value}, '@')))"
        )
    return {what: f"coalesce({check}, false)" for what, check in checks.items()}


def table_findings(
    connection: duckdb.DuckDBPyConnection, name: str, relation: str, columns: list[str], allowed: frozenset[str]
) -> list[str]:
    """One scan of the table: per column and kind, how many values and one example."""
    checks = [(column, what, check) for column in columns for what, check in column_checks(column, allowed).items()]
    if not checks:
        return []
    aggregates = ", ".join(
        f"count(*) filter (where {check}), any_value(cast({quote_ident(column)} as varchar)) filter (where {check})"
        for column, what, check in checks
    )
    found = connection.execute(f"select {aggregates} from {relation}").fetchone()
    return [
        f"{name}.{column}: {rows} values with {what}, e.g. {example[:EXAMPLE_CHARS]!r}"
        for (column, what, _check), rows, example in zip(checks, found[0::2], found[1::2], strict=True)
        if rows
    ]


def find_personal_data(serving_file: Path, brands: Iterable[str] | None = None) -> list[str]:
    """Every text column of every table of a serving file (DuckDB or Parquet) holding an email address, a phone number,
    an @handle other than the brand's own (`brands`, default the seed brand_accounts; @user, what redaction
    leaves, is allowed), or, in a column named for handles, a value that is neither a pseudonym nor a brand's."""
    allowed = frozenset(handle.lstrip("@").lower() for handle in (brand_handles() if brands is None else brands))
    allowed |= MASKED_HANDLES
    findings = []
    with duckdb.connect() as connection:
        for name, relation, columns in relations(connection, Path(serving_file)):
            findings += table_findings(connection, name, relation, columns, allowed)
    return findings
