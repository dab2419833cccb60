"""Copy the checked marts into the serving DuckDB file that BI tools read, swapped in atomically.

The new copy is written beside the serving file and renamed over it (a rename within one folder is atomic), so a
reader sees the old file or the new one in full, and a failed publish leaves the old file untouched.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.settings import PipelinePaths

MARTS_SCHEMA = "marts"


@dataclass
class PublishReport:
    serving_path: str
    published_at: str
    tables: dict[str, int]

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def mart_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def write_serving_copy(warehouse_path: Path, target: Path, published_at: datetime) -> dict[str, int]:
    tables: dict[str, int] = {}
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"attach '{warehouse_path}' as warehouse (read_only)")
        names = mart_tables(connection, "warehouse")
        if not names:
            raise RuntimeError(f"No tables in schema '{MARTS_SCHEMA}' of {warehouse_path}: nothing to publish")
        for name in names:
            connection.execute(f'create table main."{name}" as select * from warehouse.{MARTS_SCHEMA}."{name}"')
            tables[name] = connection.execute(f'select count(*) from main."{name}"').fetchone()[0]
        connection.execute("detach warehouse")
        connection.execute(
            "create table _publish_info as select ?::timestamp as published_at, ? as source_warehouse",
            [published_at.replace(tzinfo=None), str(warehouse_path)],
        )
        connection.execute("checkpoint")
    return tables


def publish(paths: PipelinePaths) -> PublishReport:
    """Write a new serving copy of every table in the warehouse's marts schema, then swap it in."""
    serving = paths.serving_path
    serving.parent.mkdir(parents=True, exist_ok=True)
    staging_copy = serving.with_name(f".{serving.name}.{uuid.uuid4().hex}.incoming")
    published_at = datetime.now(UTC)
    try:
        tables = write_serving_copy(paths.warehouse_path, staging_copy, published_at)
        with open(staging_copy, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging_copy, serving)
    finally:
        staging_copy.unlink(missing_ok=True)
        Path(f"{staging_copy}.wal").unlink(missing_ok=True)
    return PublishReport(str(serving), published_at.isoformat(timespec="seconds"), tables)
