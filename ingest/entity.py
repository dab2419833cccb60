"""One source entity: its raw table, the landing files it reads, how records come out of a file, and its contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.sql import quote_ident

RAW_SCHEMA = "raw"
Columns = Sequence[tuple[str, str]]
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_extra_fields", "JSON"),
    ("_record_hash", "VARCHAR"),
    ("_batch_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_source_file", "VARCHAR"),
)


@dataclass(frozen=True)
class JsonRecords:
    """Records in JSON documents: the array at `array_path` of each document, or the document itself if empty.

    `json_format` is DuckDB's: `newline_delimited` (one document per line) or `auto` (e.g. one pretty-printed file).
    """

    array_path: tuple[str, ...] = ()
    json_format: str = "newline_delimited"


@dataclass(frozen=True)
class CsvRows:
    """RFC 4180 CSV with a header row; columns are matched by header name. A blank header name (a pandas index
    column) becomes `column<position>`. `bare_cr_in_text`: a carriage return not followed by a line feed is part of
    a value's text (exports that write one unquoted), not a line end."""

    bare_cr_in_text: bool = False


@dataclass(frozen=True)
class ParquetRows:
    """Parquet files; columns are matched by name and read as text (nested values as JSON text)."""


@dataclass(frozen=True)
class Entity:
    """A source entity and its contract: declared columns and types, required fields, a plausible event time."""

    table: str
    globs: tuple[str, ...]
    columns: Columns
    source: JsonRecords | CsvRows | ParquetRows
    required: tuple[str, ...] = ()
    event_time: str | None = None
    event_time_is_unix_seconds: bool = False
    # strptime format of the event time, for exports written in none of the forms ingest/timestamps.py recognises.
    event_time_format: str | None = None
    # IANA time zone of event times written without an offset (naive local times); UTC unless configured.
    time_zone: str | None = None
    # Envelope fields an API adds to every record (Salesforce's `attributes`): neither loaded nor reported as new.
    ignored_fields: tuple[str, ...] = ()

    @property
    def qualified_table(self) -> str:
        return f"{RAW_SCHEMA}.{quote_ident(self.table)}"

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def create_table_sql(self) -> str:
        defs = ", ".join(f"{quote_ident(name)} {type_}" for name, type_ in (*self.columns, *META_COLUMNS))
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_table} ({defs})"

    def add_missing_meta_columns_sql(self) -> list[str]:
        """Warehouses created before a meta column existed get it added (NULL for rows already there)."""
        return [
            f"ALTER TABLE {self.qualified_table} ADD COLUMN IF NOT EXISTS {quote_ident(name)} {type_}"
            for name, type_ in META_COLUMNS
        ]

    def files(self, landing_dir: Path) -> list[Path]:
        found = {path for pattern in self.globs for path in landing_dir.glob(pattern) if path.is_file()}
        return sorted(found)


def varchar(*names: str) -> list[tuple[str, str]]:
    return [(name, "VARCHAR") for name in names]


def typed(type_: str, *names: str) -> list[tuple[str, str]]:
    return [(name, type_) for name in names]
