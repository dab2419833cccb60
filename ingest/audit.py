"""Tables that account for every record: `raw._quarantine` (records refused, with the reason and the payload) and
`raw._ingest_audit` (per batch and file: rows read = loaded + quarantined + duplicates + outside the interval +
suppressed)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb

from ingest.entity import RAW_SCHEMA

QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"
AUDIT_TABLE = f"{RAW_SCHEMA}._ingest_audit"


@dataclass
class FileAudit:
    entity: str
    source_file: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    # Records a scheduled run left for the run whose data interval holds their event time.
    rows_outside_interval: int = 0
    # Records of people who asked to be forgotten (ingest/suppression.py): counted, neither loaded nor quarantined.
    rows_suppressed: int = 0
    new_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def adds_up(self) -> bool:
        accounted = (
            self.rows_loaded
            + self.rows_quarantined
            + self.rows_duplicate
            + self.rows_outside_interval
            + self.rows_suppressed
        )
        return self.rows_read == accounted

    def to_dict(self) -> dict:
        return asdict(self)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (batch_id VARCHAR, entity VARCHAR, source_file VARCHAR, "
        "reason VARCHAR, payload VARCHAR, quarantined_at TIMESTAMP)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (batch_id VARCHAR, entity VARCHAR, source_file VARCHAR, "
        "content_sha256 VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, "
        "rows_duplicate BIGINT, new_columns VARCHAR[], missing_columns VARCHAR[], note VARCHAR, loaded_at TIMESTAMP)"
    )
    con.execute(f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN IF NOT EXISTS rows_outside_interval BIGINT DEFAULT 0")
    con.execute(f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN IF NOT EXISTS rows_suppressed BIGINT DEFAULT 0")


def record(con: duckdb.DuckDBPyConnection, audit: FileAudit, batch_id: str, sha256: str, loaded_at) -> None:
    if not audit.adds_up:
        raise AssertionError(f"audit of {audit.source_file} does not add up: {audit}")
    con.execute(
        f"INSERT INTO {AUDIT_TABLE} (batch_id, entity, source_file, content_sha256, rows_read, rows_loaded, "
        "rows_quarantined, rows_duplicate, new_columns, missing_columns, note, loaded_at, rows_outside_interval, "
        "rows_suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            batch_id,
            audit.entity,
            audit.source_file,
            sha256,
            audit.rows_read,
            audit.rows_loaded,
            audit.rows_quarantined,
            audit.rows_duplicate,
            audit.new_columns,
            audit.missing_columns,
            audit.note,
            loaded_at,
            audit.rows_outside_interval,
            audit.rows_suppressed,
        ],
    )
