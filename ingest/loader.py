"""Load one landing file into one entity's raw table, together with its ledger row, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest import ledger
from ingest.entity import Entity


@dataclass(frozen=True)
class Batch:
    batch_id: str
    loaded_at: datetime  # naive UTC, the same for every row of the run


def load_file(
    con: duckdb.DuckDBPyConnection, entity: Entity, path: Path, source_file: str, content_sha256: str, batch: Batch
) -> int:
    """Insert the file's records and its ledger row; on any error nothing of the file stays. Returns rows loaded."""
    insert = (
        f"INSERT INTO {entity.qualified_table} BY NAME "
        "SELECT src.*, ? AS _batch_id, CAST(? AS TIMESTAMP) AS _loaded_at, ? AS _source_file "
        f"FROM ({entity.read_sql(str(path))}) AS src"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        result = con.execute(insert, [batch.batch_id, batch.loaded_at, source_file]).fetchone()
        rows = int(result[0]) if result else 0
        ledger.record(
            con,
            source_file=source_file,
            content_sha256=content_sha256,
            entity=entity.table,
            batch_id=batch.batch_id,
            rows_loaded=rows,
            loaded_at=batch.loaded_at,
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return rows
