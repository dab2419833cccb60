"""The mart gate checks the rows of a big mart that changed since it last passed, not the whole mart.

A row check (not null, allowed values, a range) reads one row, so a row that passed the same checks before passes
again. After a mart passes, the gate keeps beside the warehouse the 64-bit hash of each of its rows (STATE_FILE: one
table per mart, and `_checks` with the digest of the checks and columns they passed). On the next run the rows whose
hash is not kept, the new and changed ones, are copied into a scratch DuckDB file (SCRATCH_FILE, deleted after the
gate) and the row checks run on them. What depends on the whole mart is checked in SQL over the whole mart, one
prefetched row (pipeline/suites.py, `mart_table_suite`): the row count against the last good run (volume), keys
seen on more than one row (uniqueness), the newest event (freshness).

Marts with consistency checks (they read other marts and the whole batch) and marts under OUTCOMES_GATE_CHANGED_ROWS
_MIN_ROWS rows (whole-mart checks cost little there) are validated whole, as are marts without kept hashes or whose
checks, columns or DuckDB version changed since (hash() may change between versions). DECISIONLOG "Mart gate".
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.sql import quote_ident, quote_literal
from pipeline.publish import fingerprints
from pipeline.settings import PipelinePaths

STATE_FILE = "mart_gate_rows.duckdb"
SCRATCH_FILE = "mart_gate_changed_rows.duckdb"
CHECKS_TABLE = "_checks"
MIN_ROWS_ENV = "OUTCOMES_GATE_CHANGED_ROWS_MIN_ROWS"
DEFAULT_MIN_ROWS = 100_000
ROW = fingerprints.ROW


@dataclass(frozen=True)
class ChangedRows:
    """A mart whose row checks run on `changed_table` of `database` (the scratch file): `rows` of its rows are new
    or changed since it last passed."""

    database: Path
    changed_table: str
    rows: int


def state_path(paths: PipelinePaths) -> Path:
    return paths.warehouse_path.parent / STATE_FILE


def scratch_path(paths: PipelinePaths) -> Path:
    return paths.warehouse_path.parent / SCRATCH_FILE


def min_rows() -> int:
    value = os.environ.get(MIN_ROWS_ENV, "").strip()
    if not value:
        return DEFAULT_MIN_ROWS
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{MIN_ROWS_ENV} must be a whole number of rows, not {value!r}") from None


def checks_digests(warehouse_path: Path, definitions: dict[str, dict]) -> dict[str, str]:
    """Per mart: its check definition, its columns and types, and the DuckDB version, digested. Kept hashes count
    only under an equal digest."""
    columns: dict[str, list] = {}
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        for table, column, data_type in connection.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append((column, data_type))
    return {
        mart: fingerprints.digest([definition, columns.get(mart), duckdb.__version__])
        for mart, definition in definitions.items()
        if mart in columns
    }


def _hash_table(mart: str) -> str:
    return quote_ident(f"rows__{mart}")


def _kept_checks(state: Path) -> dict[str, str]:
    if not state.exists():
        return {}
    try:
        with duckdb.connect(str(state), read_only=True) as connection:
            return dict(connection.execute(f"select mart, checks_digest from {CHECKS_TABLE}").fetchall())
    except duckdb.Error:
        return {}  # unreadable state: every mart is validated whole, and the state is written again


@contextlib.contextmanager
def prepared(
    paths: PipelinePaths, candidates: dict[str, int], digests: dict[str, str]
) -> Iterator[dict[str, ChangedRows]]:
    """For each candidate mart (name -> rows) with kept hashes under its current checks digest, copy its new and
    changed rows into the scratch file. Yields the marts to check by changed rows; the scratch file is removed on
    exit."""
    state, scratch = state_path(paths), scratch_path(paths)
    kept = _kept_checks(state)
    eligible = [mart for mart in candidates if kept.get(mart) is not None and kept[mart] == digests.get(mart)]
    scratch.unlink(missing_ok=True)
    try:
        found = {}
        if eligible:
            with duckdb.connect(str(scratch)) as connection:
                connection.execute(f"attach {quote_literal(str(paths.warehouse_path))} as warehouse (read_only)")
                connection.execute(f"attach {quote_literal(str(state))} as kept (read_only)")
                for mart in eligible:
                    changed = f"changed__{mart}"
                    connection.execute(
                        f"create table {quote_ident(changed)} as select {ROW}.*"
                        f" from warehouse.marts.{quote_ident(mart)} as {ROW}"
                        f" anti join kept.{_hash_table(mart)} as kept_rows on hash({ROW}) = kept_rows.row_hash"
                    )
                    (rows,) = connection.execute(f"select count(*) from {quote_ident(changed)}").fetchone()
                    found[mart] = ChangedRows(scratch, changed, rows)
        yield found
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)


def keep(paths: PipelinePaths, passed: dict[str, tuple[str, fingerprints.MartFingerprint]]) -> None:
    """After the gate: the row hashes of each mart that passed now (mart -> checks digest and the fingerprint it was
    validated with), replacing what was kept for it, in one transaction. A mart whose hashes no longer add up to that
    fingerprint (the warehouse changed after the gate read it) is forgotten instead: its next gate checks it whole."""
    if not passed:
        return
    with duckdb.connect(str(state_path(paths))) as connection:
        connection.execute(f"attach {quote_literal(str(paths.warehouse_path))} as warehouse (read_only)")
        connection.execute(f"create table if not exists {CHECKS_TABLE} (mart varchar primary key, checks_digest text)")
        columns: dict[str, list] = {}
        for table, column, data_type in connection.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_catalog = 'warehouse' and table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append((column, data_type))
        connection.execute("begin")
        for mart, (digest, validated) in sorted(passed.items()):
            connection.execute(
                f"create or replace table {_hash_table(mart)} as select hash({ROW}) as row_hash"
                f" from warehouse.marts.{quote_ident(mart)} as {ROW}"
            )
            rows, xor, total = connection.execute(
                f"select count(*), bit_xor(row_hash), sum(row_hash) from {_hash_table(mart)}"
            ).fetchone()
            if fingerprints.fingerprint(columns.get(mart), rows, xor, total) == validated:
                connection.execute(f"insert or replace into {CHECKS_TABLE} values (?, ?)", [mart, digest])
            else:
                connection.execute(f"drop table {_hash_table(mart)}")
                connection.execute(f"delete from {CHECKS_TABLE} where mart = ?", [mart])
        connection.execute("commit")
