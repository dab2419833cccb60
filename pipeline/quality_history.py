"""Every validation the quality gate runs, kept in its own DuckDB file beside the warehouse.

It lives outside the warehouse so that the gate can record while GX holds the warehouse open read-only, and so that
it survives a warehouse rebuilt from scratch. It gives the gate its baselines (the row count of the last good run,
the batches already accepted) and is published with the marts as `quality_validations`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

TABLE = "quality_validations"
CREATE_SQL = f"""
create table if not exists {TABLE} (
    run_id varchar not null,
    suite varchar not null,
    kind varchar not null,
    table_name varchar not null,
    batch_id varchar,
    validated_at timestamp not null,
    success boolean not null,
    evaluated_expectations integer not null,
    failed_expectations integer not null,
    failures varchar[] not null,
    row_count bigint
)
"""


@dataclass(frozen=True)
class Validation:
    run_id: str
    suite: str
    kind: str
    table_name: str
    batch_id: str | None
    validated_at: datetime
    success: bool
    evaluated_expectations: int
    failed_expectations: int
    failures: list[str]
    row_count: int | None


def _connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    if read_only and not path.exists():
        read_only = False
    connection = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        connection.execute(CREATE_SQL)
    return connection


def record(path: Path, validations: list[Validation]) -> None:
    if not validations:
        return
    columns = list(asdict(validations[0]))
    with _connect(path) as connection:
        connection.executemany(
            f"insert into {TABLE} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            [list(asdict(validation).values()) for validation in validations],
        )


def last_good_rows(path: Path, kind: str) -> dict[str, int]:
    """Row count of each suite's latest passing validation (for a source: its latest accepted batch)."""
    with _connect(path) as connection:
        rows = connection.execute(
            f"select suite, arg_max(row_count, validated_at) from {TABLE}"
            " where kind = ? and success and row_count is not null group by suite",
            [kind],
        ).fetchall()
    return dict(rows)


def accepted_batches(path: Path) -> set[tuple[str, str]]:
    """(raw table, batch id) of every source batch that passed all its suites in one run."""
    with _connect(path) as connection:
        rows = connection.execute(
            f"select distinct table_name, batch_id from {TABLE} where kind = 'source' and batch_id is not null"
            " group by table_name, batch_id, run_id having bool_and(success)"
        ).fetchall()
    return set(rows)
