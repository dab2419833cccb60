"""Freshness of the connector schemas the project reads (pipeline/orchestration/connectors.py), from the sync time
the EL tool writes on every row (`_fivetran_synced`).

Fivetran touches `_fivetran_synced` only on rows that changed, so a quiet table (groups, pipelines) can be months
old in a healthy connector: a connector is stale when its newest sync over all its tables is older than the limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.orchestration.connectors import Connector
from pipeline.suites import EXPECTATIONS_DIR, load_spec

SYNC_COLUMN = "_fivetran_synced"


@dataclass(frozen=True)
class ConnectorFreshness:
    connector: str
    tables: int
    newest_sync: datetime | None
    age_days: float | None
    max_age_days: float

    @property
    def fresh(self) -> bool:
        return self.age_days is not None and self.age_days <= self.max_age_days

    def problem(self) -> str:
        if self.newest_sync is None:
            return f"no {SYNC_COLUMN} value in any of its {self.tables} tables: cannot tell when it last synced"
        return (
            f"last synced {self.newest_sync:%Y-%m-%d %H:%M} UTC, {self.age_days:.1f} days before the run "
            f"(limit {self.max_age_days:g} days): is the connector paused or failing?"
        )


def max_age_days(expectations_dir: Path = EXPECTATIONS_DIR) -> float:
    """OUTCOMES_FRESHNESS_MAX_AGE_DAYS, else expectations/sources.yml `defaults.freshness_max_age_days`."""
    default = load_spec("sources.yml", expectations_dir).get("defaults", {}).get("freshness_max_age_days", 3)
    return float(os.environ.get("OUTCOMES_FRESHNESS_MAX_AGE_DAYS") or default)


def _tables(connection, connector: Connector, warehouse_path: Path) -> list[str]:
    """SQL relations for each of the connector's tables that has a sync column."""
    if connector.parquet_dir:
        files = sorted(connector.parquet_dir.glob("*.parquet"))
        relations = [f"read_parquet('{path}')" for path in files]
        return [
            relation
            for relation in relations
            if SYNC_COLUMN in [row[0] for row in connection.execute(f"describe select * from {relation}").fetchall()]
        ]
    catalog = "connector"
    path = connector.database_path or warehouse_path
    connection.execute(f"attach '{path}' as {catalog} (read_only)")
    rows = connection.execute(
        "select table_name from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and column_name = ?",
        [catalog, connector.schema, SYNC_COLUMN],
    ).fetchall()
    return [f'{catalog}."{connector.schema}"."{table}"' for (table,) in rows]


def check(connector: Connector, warehouse_path: Path, as_of: datetime, limit_days: float) -> ConnectorFreshness:
    """The newest `_fivetran_synced` over the connector's tables against `as_of` (UTC, naive)."""
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")  # a TIMESTAMPTZ sync time casts to UTC, not the machine's zone
        relations = _tables(connection, connector, warehouse_path)
        newest = None
        if relations:
            union = " union all ".join(f"select max({SYNC_COLUMN}::timestamp) as synced from {r}" for r in relations)
            newest = connection.execute(f"select max(synced) from ({union})").fetchall()[0][0]
    age = (as_of - newest).total_seconds() / 86400 if newest is not None else None
    return ConnectorFreshness(connector.name, len(relations), newest, age, limit_days)
