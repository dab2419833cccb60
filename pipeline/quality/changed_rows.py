"""The mart gate checks the rows of a big mart that changed since it last passed, not the whole mart.

A row check (not null, allowed values, a range) reads one row's checked columns, so a row whose checked columns
passed the same checks before passes again. After a mart passes, the gate keeps beside the warehouse the 64-bit hash
of each row's checked columns (STATE_FILE: one table per mart, and `_checks` with the digest of the checks and
columns they passed). On the next run the rows whose hash is not kept are copied into a scratch DuckDB file
(SCRATCH_FILE, deleted after the gate) and the row checks run on them. What depends on the whole mart is checked in
SQL over the whole mart, one prefetched row (pipeline/suites.py, `mart_table_suites`): the row count against the last
good run (volume), keys seen on more than one row (uniqueness), the newest event (freshness).

Only the checked columns are hashed: hashing whole rows (message texts included) cost as much as the checks it saved
(BENCHMARKS.md, "Mart gate by changed rows"). The hashes kept after a pass are the ones computed before the checks
ran, from the same read of the mart as its changed rows.

Marts with consistency checks (they read other marts and the whole batch) and marts under
`OUTCOMES_GATE_CHANGED_ROWS_MIN_ROWS` rows (whole-mart checks cost little there) are validated whole, as are marts
without kept hashes or whose checks, columns or DuckDB version changed since (hash() may change between versions).
DECISIONLOG "Mart gate sized to the change".
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
DEFAULT_MIN_ROWS = 1_000_000


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


def row_check_columns(spec: dict) -> list[str]:
    """The columns a mart's row checks read (marts.yml: key, not_null, rates, non_negative, allowed)."""
    columns = [*spec.get("key", []), *spec.get("not_null", []), *spec.get("rates", []), *spec.get("non_negative", [])]
    return list(dict.fromkeys([*columns, *spec.get("allowed", {})]))


class Prepared:
    """The scratch file of one gate run: per candidate mart the hashes of its rows' checked columns, and for each mart
    with kept hashes under its current checks digest, its changed rows (`changed`)."""

    def __init__(self, paths: PipelinePaths) -> None:
        self.paths = paths
        self.changed: dict[str, ChangedRows] = {}

    def keep(self, passed: dict[str, str]) -> None:
        """After the checks: the hashes of each mart that passed now (mart -> checks digest) replace what was kept for
        it, in one transaction, so a crash leaves the previous state whole."""
        if not passed:
            return
        with duckdb.connect(str(state_path(self.paths))) as state:
            state.execute(f"attach {quote_literal(str(scratch_path(self.paths)))} as scratch (read_only)")
            state.execute(f"create table if not exists {CHECKS_TABLE} (mart varchar primary key, checks_digest text)")
            state.execute("begin")
            for mart, digest in sorted(passed.items()):
                state.execute(f"create or replace table {_hash_table(mart)} as from scratch.{_hash_table(mart)}")
                state.execute(f"insert or replace into {CHECKS_TABLE} values (?, ?)", [mart, digest])
            state.execute("commit")


@contextlib.contextmanager
def prepared(paths: PipelinePaths, candidates: dict[str, list[str]], digests: dict[str, str]) -> Iterator[Prepared]:
    """For each candidate mart (name -> its checked columns): hash its rows' checked columns, and where hashes were
    kept under its current checks digest, copy the rows whose hash is new into the scratch file. The scratch file is
    removed on exit."""
    state, scratch = state_path(paths), scratch_path(paths)
    kept = _kept_checks(state)
    scratch.unlink(missing_ok=True)
    found = Prepared(paths)
    try:
        # Closed before the checks: GX opens the scratch file read-only, which DuckDB refuses while this process holds
        # it open read-write.
        with duckdb.connect(str(scratch)) as connection:
            if candidates:
                connection.execute(f"attach {quote_literal(str(paths.warehouse_path))} as warehouse (read_only)")
                if kept:
                    connection.execute(f"attach {quote_literal(str(state))} as kept (read_only)")
            for mart, columns in candidates.items():
                checked = ", ".join(quote_ident(column) for column in columns)
                source = f"warehouse.marts.{quote_ident(mart)}"
                connection.execute(
                    f"create table {_hash_table(mart)} as select hash({checked}) as row_hash from {source}"
                )
                if kept.get(mart) is None or kept[mart] != digests.get(mart):
                    continue
                changed = f"changed__{mart}"
                connection.execute(
                    f"create table {quote_ident(changed)} as select {checked} from {source}"
                    f" anti join kept.{_hash_table(mart)} as kept_rows on hash({checked}) = kept_rows.row_hash"
                )
                (rows,) = connection.execute(f"select count(*) from {quote_ident(changed)}").fetchone()
                found.changed[mart] = ChangedRows(scratch, changed, rows)
        yield found
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
