"""Great Expectations suites built from the reviewed specs in expectations/ (marts.yml, sources.yml).

A suite checks one batch: the SQL query GX reads (a whole mart, or the rows one ingest batch added to a raw table)
with the expectations its spec asks for. Values that depend on the run (the as-of time for freshness, the row count
of the last good run for volume) are filled in here, so the specs stay declarative.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import great_expectations.expectations as gxe
import yaml

from extract.pages import API_FILE_PREFIX
from ingest.contract import FieldAccess, event_time_sql
from ingest.entity import Entity
from ingest.sql import quote_ident, quote_literal

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
NEWEST_AGE_COLUMN = "_newest_record_age_days"


@dataclass(frozen=True)
class Suite:
    name: str
    kind: str  # "source" or "mart"
    table: str
    batch_id: str | None
    query: str
    expectations: list
    # The column whose maximum is the suite's row count in the quality history, when not the batch's row count.
    count_column: str | None = None
    # A one-row query over a whole table: the gate runs it once in DuckDB and GX checks the row it returned, since GX
    # would rerun the scan for every metric it computes (pipeline/quality_gate.py, `prefetch`).
    prefetch: bool = False
    # The DuckDB file the query reads, when not the warehouse (the mart gate's changed rows).
    database: Path | None = None


def load_spec(name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> dict:
    return yaml.safe_load((expectations_dir / name).read_text())


def _age_days_sql(newest: str, as_of: datetime) -> str:
    return f"date_diff('second', ({newest}), {quote_literal(as_of.isoformat(sep=' '))}::timestamp) / 86400.0"


def _not_null(columns: list[str]) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column) for column in dict.fromkeys(columns)]


def _unique(key: list[str]) -> list:
    if len(key) == 1:
        return [gxe.ExpectColumnValuesToBeUnique(column=key[0])]
    return [gxe.ExpectCompoundColumnsToBeUnique(column_list=key)] if key else []


def _value_expectations(spec: dict) -> list:
    found = [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in spec.get("rates", [])]
    found += [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in spec.get("non_negative", [])]
    found += [
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values)
        for column, values in spec.get("allowed", {}).items()
    ]
    return found


def _freshness(max_age_days: float | None) -> list:
    if max_age_days is None:
        return []
    return [gxe.ExpectColumnMaxToBeBetween(column=NEWEST_AGE_COLUMN, max_value=max_age_days)]


def _volume(previous_rows: int | None, max_drop: float | None) -> list:
    """The row count, always observed (the quality history keeps it as the next run's baseline), and held to the
    last good run's count less the allowed drop when there is one."""
    return [gxe.ExpectTableRowCountToBeBetween(min_value=_volume_minimum(previous_rows, max_drop))]


def _volume_minimum(previous_rows: int | None, max_drop: float | None) -> int:
    return 0 if previous_rows is None or max_drop is None else math.ceil(previous_rows * (1 - max_drop))


# Bump when what a mart suite checks changes in this module, not in the specs: every mart is then validated again.
MART_CHECKS_VERSION = 1
MART_REFERENCE = re.compile(r'\bmarts\."?([a-z0-9_]+)', re.IGNORECASE)


def mart_check_definitions(expectations_dir: Path = EXPECTATIONS_DIR) -> dict[str, dict]:
    """What each mart's suite checks, as plain data: its spec, the defaults, the text of its consistency queries and
    the other marts they read (`reads`). The mart gate digests it with the fingerprints of the mart and of the marts
    it reads: a mart whose digest equals the one validated for the current release is not validated again. The
    as-of time is not part of it: freshness is checked on every run."""
    spec_file = load_spec("marts.yml", expectations_dir)
    definitions = {}
    for mart, spec in spec_file["marts"].items():
        queries = {
            check: (expectations_dir / "consistency" / check).read_text() for check in spec.get("consistency", [])
        }
        reads = sorted({name for text in queries.values() for name in MART_REFERENCE.findall(text)} - {mart})
        definitions[mart] = {
            "version": MART_CHECKS_VERSION,
            "spec": spec,
            "defaults": spec_file.get("defaults", {}),
            "consistency": queries,
            "reads": reads,
        }
    return definitions


def mart_suites(
    as_of: datetime | None,
    last_good_rows: dict[str, int],
    expectations_dir: Path = EXPECTATIONS_DIR,
    empty_marts: frozenset[str] = frozenset(),
    unchanged: frozenset[str] = frozenset(),
    changed_rows: dict[str, tuple[Path, str]] | None = None,
) -> list[Suite]:
    """One suite per mart in marts.yml. `as_of` None turns freshness off; `last_good_rows` maps a suite name to the
    row count of its last passing validation.

    A mart in `empty_marts` has no rows because no source that feeds it was loaded (any subset of sources is a normal
    run): it has no newest row to be stale, so freshness is not checked; its volume still is, so a mart that had
    rows at the last good publish and has none now fails.

    A mart in `unchanged` was validated with this content and these checks before (the mart gate decides): only its
    freshness is checked, as one prefetched row, since the as-of time moves on while the mart stays the same; it
    gets no suite when it has no freshness to check.

    A mart in `changed_rows` (mart -> the DuckDB file and table holding its rows that changed since it last passed,
    pipeline/quality/changed_rows.py) gets its row checks on those rows and its whole-mart checks as SQL aggregates
    (`mart_table_suites`)."""
    spec_file = load_spec("marts.yml", expectations_dir)
    defaults = spec_file.get("defaults", {})
    suites = []
    for mart, spec in spec_file["marts"].items():
        name, table = f"mart.{mart}", f"marts.{quote_ident(mart)}"
        freshness = spec.get("freshness") if as_of and mart not in empty_marts else None
        if mart in unchanged:
            if freshness:
                newest = f"select max({quote_ident(freshness['column'])}) from {table}"
                query = f"select {_age_days_sql(newest, as_of)} as {NEWEST_AGE_COLUMN}"
                expectations = _freshness(freshness["max_age_days"])
                suites.append(Suite(name, "mart", mart, None, query, expectations, prefetch=True))
            continue
        if mart in (changed_rows or {}):
            database, changed_table = changed_rows[mart]
            previous = last_good_rows.get(name)
            max_drop = spec.get("volume_max_drop", defaults.get("volume_max_drop"))
            suites += mart_table_suites(mart, spec, database, changed_table, freshness, as_of, previous, max_drop)
            continue
        select = f"select * from {table}"
        if freshness:
            newest = f"select max({quote_ident(freshness['column'])}) from {table}"
            select = f"select *, {_age_days_sql(newest, as_of)} as {NEWEST_AGE_COLUMN} from {table}"
        key = spec.get("key", [])
        expectations = _not_null(key + spec.get("not_null", [])) + _unique(key) + _value_expectations(spec)
        expectations += _freshness(freshness["max_age_days"] if freshness else None)
        expectations += _volume(last_good_rows.get(name), spec.get("volume_max_drop", defaults.get("volume_max_drop")))
        for check in spec.get("consistency", []):
            expectations.append(
                gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query=(expectations_dir / "consistency" / check).read_text(),
                    description=f"consistency: {check}",
                )
            )
        suites.append(Suite(name, "mart", mart, None, select, expectations))
    return suites


TABLE_ROWS_COLUMN = "_table_rows"
DUPLICATE_KEY_ROWS_COLUMN = "_duplicate_key_rows"


def mart_table_suites(
    mart: str,
    spec: dict,
    database: Path,
    changed_table: str,
    freshness: dict | None,
    as_of: datetime | None,
    previous_rows: int | None,
    max_drop: float | None,
) -> list[Suite]:
    """A mart checked by its changed rows: `mart.<name>.changed_rows`, the row checks on the rows in `changed_table`
    of `database`, and `mart.<name>.whole`, one prefetched row over the whole mart: its row count (volume), the rows
    whose key another row also has, and the age of its newest event. The gate reports them as one outcome."""
    table = f"marts.{quote_ident(mart)}"
    key = spec.get("key", [])
    row_checks = _not_null(key + spec.get("not_null", [])) + _value_expectations(spec)
    row_checks.append(gxe.ExpectTableRowCountToBeBetween(min_value=0))
    aggregates = [f"count(*) as {TABLE_ROWS_COLUMN}"]
    volume = _volume_minimum(previous_rows, max_drop)
    whole = [gxe.ExpectColumnMaxToBeBetween(column=TABLE_ROWS_COLUMN, min_value=volume)]
    if key:
        present = " and ".join(f"{quote_ident(column)} is not null" for column in key)
        columns = ", ".join(quote_ident(column) for column in key)
        aggregates.append(
            f"count(*) filter (where {present}) - count(distinct ({columns})) filter (where {present})"
            f" as {DUPLICATE_KEY_ROWS_COLUMN}"
        )
        whole.append(
            gxe.ExpectColumnMaxToBeBetween(
                column=DUPLICATE_KEY_ROWS_COLUMN, max_value=0, description=f"key {key} unique over the whole mart"
            )
        )
    if freshness:
        newest = f"select max({quote_ident(freshness['column'])}) from {table}"
        aggregates.append(f"{_age_days_sql(newest, as_of)} as {NEWEST_AGE_COLUMN}")
        whole += _freshness(freshness["max_age_days"])
    return [
        Suite(
            f"mart.{mart}.changed_rows",
            "mart",
            mart,
            None,
            f"select * from {quote_ident(changed_table)}",
            row_checks,
            database=database,
        ),
        Suite(
            f"mart.{mart}.whole",
            "mart",
            mart,
            None,
            f"select {', '.join(aggregates)} from {table}",
            whole,
            count_column=TABLE_ROWS_COLUMN,
            prefetch=True,
        ),
    ]


def source_suite(entity: Entity, batch_id: str, expectations_dir: Path = EXPECTATIONS_DIR) -> Suite:
    """The suite for the rows one ingest batch added to an entity's raw table: the entity's contract (required
    fields) plus its entry in sources.yml."""
    spec = load_spec("sources.yml", expectations_dir)["sources"].get(entity.table, {})
    columns = ["*"] + [
        f"try_cast({quote_ident(column)} as double) as {quote_ident(column + '_number')}"
        for column in spec.get("non_negative", [])
    ]
    query = f"select {', '.join(columns)} from {entity.qualified_table} where _batch_id = {quote_literal(batch_id)}"
    key = spec.get("key", [])
    expectations = _not_null([*entity.required, *key]) + _unique(key) + _volume(None, None)
    expectations += _value_expectations(
        {
            "allowed": spec.get("allowed", {}),
            "non_negative": [column + "_number" for column in spec.get("non_negative", [])],
        }
    )
    return Suite(f"source.{entity.table}", "source", entity.table, batch_id, query, expectations)


# A raw._ingest_audit row of a file that is not an API extract's delta (extract/pages.py names those).
SNAPSHOT_FILE_SQL = f"not regexp_matches(source_file, '(^|/){API_FILE_PREFIX}[^/]*$')"


def export_volume_suite(
    entity: Entity, batch_id: str, previous_records: int | None, expectations_dir: Path = EXPECTATIONS_DIR
) -> Suite | None:
    """For a full-snapshot export (a CRM account list), the records its files held in this batch against the last
    accepted batch. Counted from the ingest audit, not the raw table: an unchanged record of a new snapshot is
    skipped as a duplicate and adds no raw row. API extract files (the Salesforce query API lands only changed
    records) are not snapshots and are not counted; run only for a batch with snapshot files (`SNAPSHOT_FILE_SQL`).
    None for entities without `volume_max_drop` in sources.yml."""
    max_drop = load_spec("sources.yml", expectations_dir)["sources"].get(entity.table, {}).get("volume_max_drop")
    if max_drop is None:
        return None
    query = (
        "select sum(rows_read) as records_read from raw._ingest_audit"
        f" where entity = {quote_literal(entity.table)} and batch_id = {quote_literal(batch_id)}"
        f" and {SNAPSHOT_FILE_SQL}"
    )
    minimum = 0 if previous_records is None else math.ceil(previous_records * (1 - max_drop))
    expectations = [gxe.ExpectColumnMaxToBeBetween(column="records_read", min_value=minimum)]
    return Suite(f"volume.{entity.table}", "source", entity.table, batch_id, query, expectations, "records_read")


def refused_share_suite(table: str, batch_id: str, max_share: float) -> Suite:
    """Each file of the batch had at most `max_share` of the records it read refused into quarantine (the rule
    ingest fails on, ingest/refusals.py): a batch that was mostly refused never passes, even when a later run of
    another source triggers the transform."""
    query = (
        "select source_file, rows_quarantined / (rows_read - coalesce(rows_outside_interval, 0)) as refused_share"
        f" from raw._ingest_audit where entity = {quote_literal(table)} and batch_id = {quote_literal(batch_id)}"
        " and rows_read - coalesce(rows_outside_interval, 0) > 0"
    )
    expectations = [gxe.ExpectColumnValuesToBeBetween(column="refused_share", min_value=0, max_value=max_share)]
    return Suite(f"refused.{table}", "source", table, batch_id, query, expectations)


def freshness_suite(entity: Entity, as_of: datetime, expectations_dir: Path = EXPECTATIONS_DIR) -> Suite | None:
    """Whether the newest event in an entity's raw table is recent enough: checked on every run, since a feed that
    stops lands no batch. None for entities without an event time or with freshness turned off in sources.yml."""
    spec_file = load_spec("sources.yml", expectations_dir)
    spec = spec_file["sources"].get(entity.table, {})
    default = os.environ.get("OUTCOMES_FRESHNESS_MAX_AGE_DAYS") or spec_file.get("defaults", {}).get(
        "freshness_max_age_days"
    )
    max_age = spec.get("freshness_max_age_days", float(default) if default is not None else None)
    if not entity.event_time or max_age is None:
        return None
    raw_column = FieldAccess(text=lambda name: f"cast({quote_ident(name)} as varchar)", json=lambda name: name)
    newest = f"select max({event_time_sql(entity, raw_column)}) from {entity.qualified_table}"
    query = f"select {_age_days_sql(newest, as_of)} as {NEWEST_AGE_COLUMN}"
    return Suite(f"freshness.{entity.table}", "source", entity.table, None, query, _freshness(max_age), prefetch=True)
