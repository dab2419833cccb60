"""The `raw._ingest_files` ledger: which file content each entity has already loaded."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.entity import RAW_SCHEMA

LEDGER_TABLE = f"{RAW_SCHEMA}._ingest_files"


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} (source_file VARCHAR, content_sha256 VARCHAR, entity VARCHAR, "
        "batch_id VARCHAR, rows_loaded BIGINT, loaded_at TIMESTAMP)"
    )
    # The data interval a scheduled run loaded the file for (NULL: the whole file); added in a later version.
    con.execute(f"ALTER TABLE {LEDGER_TABLE} ADD COLUMN IF NOT EXISTS data_interval VARCHAR")


def is_loaded(
    con: duckdb.DuckDBPyConnection, entity: str, content_sha256: str, data_interval: str | None = None
) -> bool:
    """Whether this content was loaded whole, or for this data interval."""
    found = con.execute(
        f"SELECT count(*) FROM {LEDGER_TABLE} WHERE entity = ? AND content_sha256 = ? "
        "AND (data_interval IS NULL OR data_interval = ?)",
        [entity, content_sha256, data_interval],
    ).fetchone()
    return found is not None and found[0] > 0


def was_read(con: duckdb.DuckDBPyConnection, entity: str, content_sha256: str) -> bool:
    """Whether any run has read this content (for any interval): its records without an event time are settled."""
    found = con.execute(
        f"SELECT count(*) FROM {LEDGER_TABLE} WHERE entity = ? AND content_sha256 = ?", [entity, content_sha256]
    ).fetchone()
    return found is not None and found[0] > 0


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    source_file: str,
    content_sha256: str,
    entity: str,
    batch_id: str,
    rows_loaded: int,
    loaded_at: datetime,
    data_interval: str | None = None,
) -> None:
    con.execute(
        f"INSERT INTO {LEDGER_TABLE} (source_file, content_sha256, entity, batch_id, rows_loaded, loaded_at, "
        "data_interval) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [source_file, content_sha256, entity, batch_id, rows_loaded, loaded_at, data_interval],
    )
