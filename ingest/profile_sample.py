"""What `make profile` (ingest/profile.py) learns from a sample of an export, all of it computed in DuckDB.

A file is read as a file drop would read it (CSV: the header's columns as text, a blank header name as
`column<position>`; JSONL: each line a record, its fields as text; Parquet: columns as text, nested values as JSON
text), the first rows of each file into the temp table `_sample`, then every column is measured in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.contract import EARLIEST_EVENT, json_path
from ingest.incoming import MAX_OBJECT_BYTES, csv_header
from ingest.sql import quote_ident, quote_literal
from ingest.timestamps import timestamp_form_sql, utc_timestamp_sql

SAMPLE_ROWS = 10_000
MAX_SAMPLED_FILES = 20
# As the ingest reader (ingest/incoming.py CSV_OPTIONS), but skipping the lines it would quarantine.
CSV_OPTIONS = (
    "header=true, auto_detect=false, delim=',', quote='\"', escape='\"', strict_mode=true, null_padding=false, "
    "ignore_errors=true"
)
# Leading zeros stay text (zip codes, padded ids), and 19 digits may not fit a BIGINT.
INTEGER = r"-?(0|[1-9][0-9]{0,17})"
BOOLEAN_WORDS = "true|false|t|f|yes|no|y|n"
NUMBER = r"-?[0-9]+([.][0-9]+)?"
EMAIL = r"[^@\s]+@[^@\s]+[.][A-Za-z]{2,}"
MENTION = r"(^|\s)@[A-Za-z0-9_]{1,15}"
DATE_LIKE = r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}"
# strptime formats tried on date-like values that none of the recognised forms reads, most common first: on a tie
# (a day of 12 or less reads either way) the first wins and the others are named.
DATE_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
)


class UnreadableFile(ValueError):
    """A file a drop could not read as its format; the message says why (listed as skipped)."""


@dataclass
class Column:
    name: str
    position: int
    present: int = 0  # values that are not null (blank text included)
    filled: int = 0  # values that are not blank
    distinct: int = 0
    integers: int = 0
    booleans: int = 0
    json: int = 0
    numbers: int = 0
    emails: int = 0
    mentions: int = 0
    date_like: int = 0
    times: int = 0  # values utc_timestamp reads as a time between 1990 and tomorrow
    forms: dict[str, int] = field(default_factory=dict)
    avg_length: float = 0.0
    values: list[str] | None = None  # the distinct values (lower case) when there are at most 10
    example: str | None = None
    time_example: str | None = None
    bad_time_example: str | None = None
    guessed_format: str | None = None  # set by guess_formats: a strptime format reading the values
    format_times: int = 0
    format_ties: list[str] = field(default_factory=list)

    @property
    def type(self) -> str:
        # Against every present value: the contract refuses blank text in a typed field that is not NULL.
        if self.filled and self.integers == self.present:
            return "BIGINT"
        if self.filled and self.booleans == self.present:
            return "BOOLEAN"
        if self.filled and self.json == self.present:
            return "JSON"
        return "VARCHAR"

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0


@dataclass
class Sample:
    rows: int
    columns: list[Column]
    files_sampled: int

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def header_of(con: duckdb.DuckDBPyConnection, fmt: str, path: Path) -> list[str] | None:
    """The columns a CSV or Parquet file declares (None for JSONL, whose fields come from its records)."""
    if fmt == "csv":
        try:
            header = csv_header(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UnreadableFile(str(exc)) from None
        if len(header) == 1 and (delimiter := next((d for d in ";\t|" if d in header[0]), None)):
            raise UnreadableFile(f"delimited by {delimiter!r}: file drops read comma-separated CSV")
        return header
    if fmt == "parquet":
        try:
            return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_parquet(path)}").fetchall()]
        except duckdb.Error as exc:
            raise UnreadableFile(f"not readable as Parquet: {str(exc).splitlines()[0]}") from None
    return None


def read_sample(con: duckdb.DuckDBPyConnection, fmt: str, paths: list[Path]) -> Sample:
    """Fill `_sample` (text columns) from the first rows of (at most MAX_SAMPLED_FILES of) `paths`, and measure it."""
    step = max(1, len(paths) // MAX_SAMPLED_FILES)
    sampled = paths[::step][:MAX_SAMPLED_FILES]
    limit = max(500, SAMPLE_ROWS // len(sampled))
    try:
        if fmt == "jsonl":
            names = _read_jsonl(con, sampled, limit)
        else:
            names = header_of(con, fmt, sampled[0]) or []
            reader = _csv if fmt == "csv" else _parquet_text
            selects = [f"(SELECT * FROM {reader(con, path, names)} LIMIT {limit})" for path in sampled]
            con.execute(f"CREATE OR REPLACE TEMP TABLE _sample AS {' UNION ALL BY NAME '.join(selects)}")
    except duckdb.Error as exc:
        if fmt == "csv" and any(_has_bare_carriage_return(path) for path in sampled):
            raise UnreadableFile(
                "carriage returns inside unquoted values (as twcs.csv writes them), which the profiler cannot sample; "
                "declare it by hand with `bare_cr_in_text: true`, or land it where a built-in source reads it"
            ) from None
        raise UnreadableFile(f"not readable as {fmt}: {str(exc).splitlines()[0]}") from None
    rows = con.execute("SELECT count(*) FROM _sample").fetchone()[0]
    columns = _measure(con, names) if names and rows else [Column(name, i) for i, name in enumerate(names)]
    return Sample(rows, columns, len(sampled))


def _has_bare_carriage_return(path: Path) -> bool:
    with path.open("rb") as handle:
        previous = b""
        while chunk := handle.read(1 << 20):
            # A CR at a chunk's end is judged with the next chunk's first byte.
            text = previous + chunk
            if b"\r" in text[:-1].replace(b"\r\n", b""):
                return True
            previous = text[-1:]
    return previous == b"\r"


def _csv(con, path: Path, names: list[str]) -> str:
    columns = "{" + ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in names) + "}"
    return f"read_csv({quote_literal(str(path))}, columns={columns}, {CSV_OPTIONS})"


def _parquet(path: Path) -> str:
    return f"read_parquet({quote_literal(str(path))})"


def _parquet_text(con, path: Path, names: list[str]) -> str:
    """Columns as text, nested ones as JSON text, as ingest/incoming.py `_read_parquet` reads them."""
    described = con.execute(f"DESCRIBE SELECT * FROM {_parquet(path)}").fetchall()
    nested = {name for name, type_, *_ in described if type_.endswith("]") or type_.startswith(("STRUCT", "MAP"))}
    fields = ", ".join(
        f"CAST({'to_json(' + quote_ident(name) + ')' if name in nested else quote_ident(name)} AS VARCHAR) "
        f"AS {quote_ident(name)}"
        for name, *_ in described
    )
    return f"(SELECT {fields} FROM {_parquet(path)})"


def _read_jsonl(con, paths: list[Path], limit: int) -> list[str]:
    """Records' fields as text, read as the contract reads them (json_extract_string); the fields in the order the
    sample first shows them."""
    selects = " UNION ALL ".join(
        f"(SELECT json AS rec FROM read_json_objects({quote_literal(str(path))}, format='newline_delimited', "
        f"maximum_object_size={MAX_OBJECT_BYTES}, ignore_errors=true) LIMIT {limit})"
        for path in paths
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _documents AS {selects}")
    objects, total = con.execute(
        "SELECT count(*) FILTER (WHERE json_type(rec) = 'OBJECT'), count(*) FROM _documents WHERE rec IS NOT NULL"
    ).fetchone()
    if total and not objects:
        raise UnreadableFile("its records are not JSON objects")
    names = [
        name
        for (name,) in con.execute(
            "SELECT key FROM (SELECT r, unnest(keys) AS key, generate_subscripts(keys, 1) AS i FROM "
            "(SELECT row_number() OVER () AS r, json_keys(rec) AS keys FROM _documents "
            "WHERE json_type(rec) = 'OBJECT')) "
            "GROUP BY key ORDER BY min(r), arg_min(i, r)"
        ).fetchall()
    ]
    if not names:
        con.execute("CREATE OR REPLACE TEMP TABLE _sample AS SELECT 1 AS _none WHERE false")
        return []
    paths_sql = ", ".join(json_path(name) for name in names)
    fields = ", ".join(f"_text[{i + 1}] AS {quote_ident(name)}" for i, name in enumerate(names))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _sample AS SELECT {fields} FROM "
        f"(SELECT json_extract_string(rec, [{paths_sql}]) AS _text FROM _documents WHERE json_type(rec) = 'OBJECT')"
    )
    return names


IN_RANGE = (
    f"BETWEEN TIMESTAMP '{EARLIEST_EVENT}' AND CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP) + INTERVAL 1 DAY"
)


def _measure(con, names: list[str]) -> list[Column]:
    casted = ", ".join(f"CAST({quote_ident(name)} AS VARCHAR) AS {quote_ident(name)}" for name in names)
    rows = con.execute(
        f"""
        WITH cells AS (
            UNPIVOT (SELECT {casted} FROM _sample) ON COLUMNS(*) INTO NAME _col VALUE _val
        ), timed AS (
            -- No timestamp form is longer than 48 characters or without a digit: long texts skip the parsing.
            SELECT _col, _val, nullif(trim(_val), '') AS _v,
                CASE WHEN length(trim(_val)) <= 48 AND regexp_matches(_val, '[0-9]')
                    THEN {utc_timestamp_sql("_val")} END AS _ts
            FROM cells
        ), read AS (
            SELECT *, CASE WHEN _ts IS NOT NULL THEN {timestamp_form_sql("_val")} END AS _form FROM timed
        )
        SELECT _col, count(_val), count(_v), count(DISTINCT _val),
            count(*) FILTER (WHERE regexp_full_match(_val, '{INTEGER}')),
            count(*) FILTER (WHERE regexp_full_match(lower(_val), '{BOOLEAN_WORDS}')),
            count(*) FILTER (WHERE regexp_matches(_v, '^[\\[{{]') AND json_valid(_v)),
            count(*) FILTER (WHERE regexp_full_match(_v, '{NUMBER}')),
            count(*) FILTER (WHERE regexp_full_match(_v, '{EMAIL}')),
            count(*) FILTER (WHERE regexp_matches(_v, '{MENTION}')),
            count(*) FILTER (WHERE regexp_matches(_v, '{DATE_LIKE}')),
            count(*) FILTER (WHERE _ts {IN_RANGE}),
            histogram(_form) FILTER (WHERE _ts {IN_RANGE}),
            avg(length(_v)),
            CASE WHEN count(DISTINCT lower(_v)) <= 10 THEN list(DISTINCT lower(_v)) END,
            any_value(_v),
            any_value(_v) FILTER (WHERE _ts {IN_RANGE}),
            any_value(_v) FILTER (WHERE _v IS NOT NULL AND (_ts IS NULL OR NOT _ts {IN_RANGE}))
        FROM read GROUP BY _col
        """
    ).fetchall()
    measured = {row[0]: row[1:] for row in rows}
    columns = []
    for position, name in enumerate(names):
        column = Column(name, position)
        if name in measured:
            (
                column.present,
                column.filled,
                column.distinct,
                column.integers,
                column.booleans,
                column.json,
                column.numbers,
                column.emails,
                column.mentions,
                column.date_like,
                column.times,
                forms,
                avg_length,
                column.values,
                column.example,
                column.time_example,
                column.bad_time_example,
            ) = measured[name]
            column.forms = dict(forms or {})
            column.avg_length = float(avg_length or 0)
        columns.append(column)
    return columns


def guess_formats(con: duckdb.DuckDBPyConnection, columns: list[Column]) -> None:
    """For date-like columns the recognised forms do not read whole, the strptime format reading most of their values
    (kept when it reads more of them than the recognised forms do)."""
    wanted = [c for c in columns if c.share(c.date_like) >= 0.8 and c.times < c.filled]
    if not wanted:
        return
    counts = ", ".join(
        f"count(*) FILTER (WHERE {utc_timestamp_sql('_val', None, fmt)} {IN_RANGE})" for fmt in DATE_FORMATS
    )
    selected = ", ".join(f"CAST({quote_ident(c.name)} AS VARCHAR) AS {quote_ident(c.name)}" for c in wanted)
    rows = con.execute(
        f"SELECT _col, [{counts}] FROM (UNPIVOT (SELECT {selected} FROM _sample) ON COLUMNS(*) "
        "INTO NAME _col VALUE _val) GROUP BY _col"
    ).fetchall()
    for name, per_format in rows:
        column = next(c for c in wanted if c.name == name)
        best = max(per_format)
        if best > column.times and column.share(best) >= 0.8:
            column.guessed_format = DATE_FORMATS[per_format.index(best)]
            column.format_times = best
            column.format_ties = [fmt for fmt, n in zip(DATE_FORMATS, per_format, strict=True) if n == best][1:]
