"""Read one landing file into the temporary table `_incoming` with DuckDB's own readers.

JSON: one row per record, column `rec` (JSON). If DuckDB cannot parse the file (a truncated line, invalid UTF-8),
the file is split into lines in Python: lines that parse go on to DuckDB from a scratch copy, the others come back
as rejects with the reason. CSV: the header's columns as text; lines DuckDB cannot read (wrong field count, bad
quoting, invalid UTF-8) are caught by its `store_rejects` tables and come back as rejects.
"""

from __future__ import annotations

import csv
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import orjson

from ingest.entity import CsvRows, Entity, JsonRecords, ParquetRows
from ingest.sql import quote_ident, quote_literal


class ContractError(ValueError):
    """A whole file does not match its entity (a CSV header with none of the declared columns, or no usable header)."""


# A Zendesk or X page of a few thousand records can exceed DuckDB's 16 MB default per JSON object. DuckDB reserves
# a read buffer of twice this size per file, so it also sets the least memory ingest needs: at 512 MiB, ingest failed
# under a 2 GB memory cap (OUTCOMES_DUCKDB_MEMORY_LIMIT); 64 MiB is still a thousand times a demo API page (65 KB).
MAX_OBJECT_BYTES = 64 * 1024 * 1024
# The header is read first and the columns are given, so DuckDB's sniffer never guesses (and never fails) on a
# file with a broken line; broken lines go to its rejects tables instead.
BARE_CR_STAND_IN = "\ue000"  # a private-use character: never in real text
CSV_OPTIONS = (
    "header=true, auto_detect=false, delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false, "
    "store_rejects=true, rejects_table='_csv_rejects', rejects_scan='_csv_scans'"
)


@dataclass
class Incoming:
    header: list[str] | None = None  # CSV only
    rejects: list[tuple[str, str]] = field(default_factory=list)  # (reason, payload)
    note: str | None = None


@dataclass
class DocumentCache:
    """Which file `_documents` holds, and the line rejects found reading it, so that the next entity reading the
    same page file (tweets pages feed x_tweets and x_users) does not parse it again."""

    key: tuple | None = None
    rejects: list[tuple[str, str]] = field(default_factory=list)


def read_into_incoming(
    con: duckdb.DuckDBPyConnection, entity: Entity, path: Path, scratch_dir: Path, cache: DocumentCache
) -> Incoming:
    size = path.stat().st_size
    if size == 0 or (size < 4096 and not path.read_bytes().strip()):
        con.execute("CREATE OR REPLACE TEMP TABLE _incoming AS SELECT NULL::JSON AS rec WHERE false")
        return Incoming(header=None if isinstance(entity.source, JsonRecords) else [], note="empty file")
    if isinstance(entity.source, JsonRecords):
        key = (path, path.stat().st_mtime_ns, entity.source.json_format)
        if cache.key != key:
            cache.key, cache.rejects = None, _read_documents(con, entity.source, path, scratch_dir)
            cache.key = key
        return Incoming(rejects=cache.rejects + _unnest_records(con, entity.source))
    cache.key = None
    if isinstance(entity.source, ParquetRows):
        return _read_parquet(con, path)
    return _read_csv(con, path, entity.source, scratch_dir)


def _read_parquet(con, path: Path) -> Incoming:
    """Parquet columns as text, like a CSV's, so one contract check serves both; nested values become JSON text."""
    reader = f"read_parquet({quote_literal(str(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    header = [name for name, *_ in described]
    as_text = ", ".join(
        f"CAST({'to_json(' + quote_ident(name) + ')' if _is_nested(type_) else quote_ident(name)} AS VARCHAR) "
        f"AS {quote_ident(name)}"
        for name, type_, *_ in described
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT {as_text} FROM {reader}")
    return Incoming(header=header)


def _is_nested(type_: str) -> bool:
    return type_.endswith("]") or type_.startswith(("STRUCT", "MAP", "UNION"))


def _documents_sql(source: JsonRecords, path: Path) -> str:
    return (
        f"SELECT json AS doc FROM read_json_objects({quote_literal(str(path))}, "
        f"format={quote_literal(source.json_format)}, maximum_object_size={MAX_OBJECT_BYTES})"
    )


def _unnest_records(con, source: JsonRecords) -> list[tuple[str, str]]:
    """`_documents` -> `_incoming`; documents whose record array is not an array come back as rejects."""
    if not source.array_path:
        con.execute("CREATE OR REPLACE TEMP TABLE _incoming AS SELECT doc AS rec FROM _documents")
        return []
    json_path = quote_literal("$." + ".".join(source.array_path))
    label = ".".join(source.array_path)
    rejected = con.execute(
        f"SELECT CAST(doc AS VARCHAR) FROM _documents WHERE json_type(doc, {json_path}) NOT IN ('ARRAY', 'NULL')"
    ).fetchall()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _incoming AS "
        f"SELECT unnest(from_json(doc -> {json_path}, '[\"json\"]')) AS rec FROM _documents "
        f"WHERE json_type(doc, {json_path}) = 'ARRAY'"
    )
    return [(f"{label} is not an array", payload) for (payload,) in rejected]


def _read_documents(con, source: JsonRecords, path: Path, scratch_dir: Path) -> list[tuple[str, str]]:
    """Fill `_documents`; returns the lines that could not be parsed (empty when DuckDB read the file whole)."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _documents AS {_documents_sql(source, path)}")
        return []
    except duckdb.Error:
        pass
    rejects: list[tuple[str, str]] = []
    good: list[bytes] = []
    documents = [path.read_bytes()] if source.json_format != "newline_delimited" else path.read_bytes().split(b"\n")
    for number, document in enumerate(documents, start=1):
        if not document.strip():
            continue
        where = f"line {number}" if len(documents) > 1 else "file"
        try:
            document.decode("utf-8")
        except UnicodeDecodeError as exc:
            rejects.append((f"invalid UTF-8 at {where}, byte {exc.start}", document.decode("utf-8", "replace")))
            continue
        try:
            orjson.loads(document)
        except orjson.JSONDecodeError as exc:
            rejects.append((f"invalid JSON at {where}: {exc}", document.decode("utf-8")))
            continue
        good.append(document)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    clean = scratch_dir / f"{uuid.uuid4().hex}.jsonl"
    clean.write_bytes(b"\n".join(orjson.dumps(orjson.loads(document)) for document in good) + b"\n")
    try:
        clean_source = JsonRecords(source.array_path, "newline_delimited")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _documents AS {_documents_sql(clean_source, clean)}")
    finally:
        clean.unlink()
    return rejects


def csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first_line = handle.readline().decode("utf-8-sig")
    header = [
        name if name.strip() else f"column{index}" for index, name in enumerate(next(csv.reader([first_line]), []))
    ]
    if len(set(header)) != len(header):
        raise ContractError(f"CSV header has repeated column names: {header}")
    return header


def _without_bare_carriage_returns(path: Path, scratch_dir: Path) -> Path:
    """A scratch copy where each CR not followed by LF is BARE_CR_STAND_IN (DuckDB's CSV reader would end the line
    there); `contract.csv_access` turns it back into a CR in the loaded text."""
    data = path.read_bytes()
    if b"\r" not in data.replace(b"\r\n", b""):
        return path
    scratch_dir.mkdir(parents=True, exist_ok=True)
    copy = scratch_dir / f"{uuid.uuid4().hex}.csv"
    copy.write_bytes(re.sub(rb"\r(?!\n)", BARE_CR_STAND_IN.encode(), data))
    return copy


def _read_csv(con, path: Path, source: CsvRows, scratch_dir: Path) -> Incoming:
    if source.bare_cr_in_text:
        readable = _without_bare_carriage_returns(path, scratch_dir)
        try:
            return _read_csv(con, readable, CsvRows(), scratch_dir)
        finally:
            if readable != path:
                readable.unlink()
    header = csv_header(path)
    con.execute("DROP TABLE IF EXISTS _csv_rejects")
    con.execute("DROP TABLE IF EXISTS _csv_scans")
    columns = "{" + ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in header) + "}"
    reader = f"read_csv({quote_literal(str(path))}, columns={columns}, {CSV_OPTIONS})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT * FROM {reader}")
    rejected = con.execute(
        "SELECT line, string_agg(DISTINCT error_type || ' in ' || coalesce(column_name, 'line') || ': ' "
        "|| error_message, '; '), any_value(csv_line) FROM _csv_rejects GROUP BY line ORDER BY line"
    ).fetchall()
    rejects = [(f"unreadable CSV line {line}: {reason}", payload or "") for line, reason, payload in rejected]
    return Incoming(header=header, rejects=rejects)


def payload_sql(entity: Entity, header: list[str] | None) -> str:
    """The record as JSON text, kept in quarantine so nothing is lost."""
    if header is None:
        return "CAST(rec AS VARCHAR)"
    fields = ", ".join(f"{quote_literal(name)}, {quote_ident(name)}" for name in header)
    return f"CAST(json_object({fields}) AS VARCHAR)" if header else "''"


def extra_fields_sql(entity: Entity, header: list[str] | None) -> tuple[str, str]:
    """(SQL for the `_extra_fields` JSON of a record, SQL for the list of its undeclared field names)."""
    known = [*entity.column_names, *entity.ignored_fields]
    declared = "[" + ", ".join(quote_literal(name) for name in known) + "]"
    if header is None:
        # The keys are computed once per record, in the source query (`json_fields_sql`), as `_extra_keys`.
        keys = f"list_filter(json_keys(rec), lambda key: NOT list_contains({declared}, key))"
        value = (
            "CASE WHEN len(_extra_keys) > 0 THEN CAST(to_json(map_from_entries("
            "list_transform(_extra_keys, lambda key: {'key': key, 'value': rec -> key}))) AS JSON) END"
        )
        return value, keys
    extra = [name for name in header if name not in known]
    if not extra:
        return "CAST(NULL AS JSON)", "CAST([] AS VARCHAR[])"
    fields = ", ".join(f"{quote_literal(name)}, {quote_ident(name)}" for name in extra)
    return f"json_object({fields})", "[" + ", ".join(quote_literal(name) for name in extra) + "]"
