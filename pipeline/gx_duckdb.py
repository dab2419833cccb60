"""Great Expectations on DuckDB through GX's SQL path, so checks run inside DuckDB instead of in pandas.

GX 1.x does not support DuckDB: through duckdb-engine every expectation fails with "list index out of range"
(GX issues 10738 and 11579). GX closes its connection (a rollback) between running a query and fetching its result,
and DuckDB drops the pending result. GX already keeps one persistent connection for dialects that need it (SQLite,
SQL Server, BigQuery, Databricks); the workaround adds DuckDB to that list. It touches a private GX name, so it lives
here alone and tests/test_gx_duckdb.py fails loudly if an upgrade changes it, or makes it unnecessary.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402  (analytics must be off before import)
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.execution_engine import sqlalchemy_execution_engine  # noqa: E402

DUCKDB_DIALECT = "duckdb"


def _release_gx_modules() -> None:
    """Drop GX's modules before the interpreter tears down, so DuckDB's objects are freed in order.

    With GX imported, a process that opened DuckDB through duckdb-engine ends its run with dozens of
    `nanobind: leaked instance ... of type "_duckdb..."` lines at exit (harmless, but they read as a crash after the
    run summary). The references live in GX's pydantic-v1 compatibility layer (great_expectations.compatibility
    .pydantic, found by bisecting GX's modules); dropping GX's modules and collecting before teardown frees them.
    tests/test_gx_duckdb.py checks that a gate run ends without those lines."""
    for name in [name for name in sys.modules if name.startswith("great_expectations")]:
        del sys.modules[name]
    gc.collect()


atexit.register(_release_gx_modules)


class _DialectName(str):
    """A dialect name GX can match both ways it checks: `.value.startswith(...)` and `==` against the engine's."""

    @property
    def value(self) -> str:
        return str(self)


def keep_duckdb_connection_open() -> None:
    """Make GX keep one connection per DuckDB engine, as it does for SQLite. Idempotent."""
    dialects = sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS
    if DUCKDB_DIALECT not in [str(getattr(dialect, "value", dialect)) for dialect in dialects]:
        sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DialectName(DUCKDB_DIALECT))


def ephemeral_context():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def add_duckdb_datasource(context, name: str, database: Path):
    """A GX SQL data source on a DuckDB file, opened read-only: the gate only reads."""
    keep_duckdb_connection_open()
    return context.data_sources.add_sql(
        name,
        connection_string=f"{DUCKDB_DIALECT}:///{database}",
        kwargs={"connect_args": {"read_only": True}},
    )


def close_datasource(datasource) -> None:
    """Close the connection GX keeps and dispose of its engines, so this process can open the file again with
    another configuration (DuckDB refuses two configurations of one file in a process)."""
    execution_engine = datasource.get_execution_engine()
    if execution_engine._connection is not None:
        execution_engine._connection.close()
        execution_engine._connection = None
    execution_engine.engine.dispose()
    datasource.get_engine().dispose()
