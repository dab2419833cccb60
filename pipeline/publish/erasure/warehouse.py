"""Erasure in the warehouse: the tables nothing rebuilds (raw, quarantine, dbt snapshots), the audit and suppression
tables, the full rebuild of every model, and a rewrite of the file so no byte of the person stays in a free block.

Raw rows go by the values ingest/suppression.py names for each table, so a re-sent export brings back nothing of
what was removed here. Quarantined records keep their payload text: one that holds an identifier of the person goes.
Snapshots keep the CRM's history, so every version of the person's contact goes. Another person's message that
names the person (an email, an @handle) is kept with the name replaced by [erased].
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.audit import QUARANTINE_TABLE
from ingest.duckdb_settings import connection_config
from ingest.entity import RAW_SCHEMA
from ingest.sql import quote_ident, quote_literal
from ingest.suppression import KINDS, PRIVACY_SCHEMA, PersonColumns, ensure_table
from pipeline import dbt_build
from pipeline.orchestration import connectors, test_scope
from pipeline.publish.erasure.resolve import Identity
from pipeline.settings import PipelinePaths

AUDIT_TABLE = f"{PRIVACY_SCHEMA}.erasure_audit"
SNAPSHOTS_SCHEMA = "snapshots"
ERASED = "[erased]"
# Schemas dbt builds again from raw (`dbt build --full-refresh`): nothing to erase there first.
REBUILT_SCHEMAS = ("staging", "intermediate", "marts", "seeds")
# Identifiers shorter than this are matched in a text only as a whole cell: a 4-digit id occurs by chance.
MIN_MENTION_CHARS = 6
TEXT_TYPES = ("VARCHAR", "JSON")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_table(con)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (erasure_id VARCHAR NOT NULL, request_hash VARCHAR NOT NULL, "
        "requested_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, status VARCHAR NOT NULL, matched BOOLEAN NOT NULL, "
        "removed JSON)"
    )


def record_request(con, erasure_id: str, request_hash: str, matched: bool, requested_at: datetime) -> None:
    con.execute(
        f"INSERT INTO {AUDIT_TABLE} VALUES (?, ?, ?, NULL, 'started', ?, NULL)",
        [erasure_id, request_hash, requested_at.replace(tzinfo=None), matched],
    )


def record_result(con, erasure_id: str, status: str, removed: dict[str, int]) -> None:
    con.execute(
        f"UPDATE {AUDIT_TABLE} SET finished_at = ?, status = ?, removed = ? WHERE erasure_id = ?",
        [datetime.now(UTC).replace(tzinfo=None), status, json.dumps(removed, sort_keys=True), erasure_id],
    )


def suppress(con, identity: Identity, key, erasure_id: str) -> int:
    """One keyed hash per `<kind>:<value>` of the person, so ingest keeps their records out from now on."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = sorted({(key.pseudonym(mark), mark.split(":", 1)[0]) for mark in identity.marks})
    unknown = {kind for _, kind in rows} - set(KINDS)
    if unknown:
        raise ValueError(f"identifier kinds ingest does not match: {sorted(unknown)}")
    con.executemany(
        f"INSERT INTO {PRIVACY_SCHEMA}.suppression SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
        f"(SELECT 1 FROM {PRIVACY_SCHEMA}.suppression WHERE identifier_hash = ?)",
        [[hashed, kind, key.key_id, erasure_id, now, hashed] for hashed, kind in rows],
    )
    return len(rows)


def _tables(con, schema: str) -> list[str]:
    found = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' "
        "ORDER BY table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in found]


def _text_columns(con, schema: str, table: str) -> list[tuple[str, str]]:
    found = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return [(name, data_type) for name, data_type in found if data_type in TEXT_TYPES]


def identifier_pattern(values) -> str | None:
    """An RE2 pattern matching any of `values` as a whole word, case-insensitively, longest first. Groups: the
    character before, the value, the character after (RE2 has no lookaround)."""
    terms = sorted({value for value in values if len(value) >= MIN_MENTION_CHARS}, key=lambda v: (-len(v), v))
    if not terms:
        return None
    return "(?i)(^|[^A-Za-z0-9_])(" + "|".join(re.escape(term) for term in terms) + ")($|[^A-Za-z0-9_])"


def erase_raw(con, identity: Identity, rules: dict[str, PersonColumns]) -> dict[str, int]:
    """Delete the person's rows from every raw table (and empty the links to them); counts per table."""
    removed: dict[str, int] = {}
    marks = sorted(identity.marks)
    present = set(_tables(con, RAW_SCHEMA))
    for table, rule in sorted(rules.items()):
        if table not in present:
            continue
        qualified = f"{RAW_SCHEMA}.{quote_ident(table)}"
        for kind, sql, column in rule.links:
            unlinked = con.execute(
                f"UPDATE {qualified} SET {quote_ident(column)} = NULL "
                f"WHERE list_has_any({rule.link_sql(kind, sql)}, ?::VARCHAR[])",
                [marks],
            ).fetchone()[0]
            if unlinked:
                removed[f"raw.{table}.{column} (link emptied)"] = unlinked
        if rule.values or rule.lists:
            deleted = con.execute(
                f"DELETE FROM {qualified} WHERE list_has_any({rule.values_sql()}, ?::VARCHAR[])", [marks]
            ).fetchone()[0]
            if deleted:
                removed[f"raw.{table}"] = deleted
    return removed


def erase_quarantine(con, identity: Identity) -> dict[str, int]:
    pattern = identifier_pattern(identity.person.identifiers | identity.person.person_keys)
    if pattern is None or "_quarantine" not in _tables(con, RAW_SCHEMA):
        return {}
    deleted = con.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE regexp_matches(payload, ?)", [pattern]).fetchone()[0]
    return {QUARANTINE_TABLE: deleted} if deleted else {}


def erase_snapshots(con, identity: Identity) -> dict[str, int]:
    """Every version of the person in the dbt snapshots (they keep history a rebuild does not recreate)."""
    values = sorted({value.lower() for value in identity.person.identifiers | identity.person.person_keys})
    removed = {}
    for table in _tables(con, SNAPSHOTS_SCHEMA):
        columns = [name for name, data_type in _text_columns(con, SNAPSHOTS_SCHEMA, table) if data_type == "VARCHAR"]
        if not columns:
            continue
        matches = " OR ".join(f"list_contains($values, lower({quote_ident(column)}))" for column in columns)
        deleted = con.execute(
            f"DELETE FROM {SNAPSHOTS_SCHEMA}.{quote_ident(table)} WHERE {matches}", {"values": values}
        ).fetchone()[0]
        if deleted:
            removed[f"{SNAPSHOTS_SCHEMA}.{table}"] = deleted
    return removed


def redact_mentions(con, identity: Identity) -> dict[str, int]:
    """Another person's record that names the person keeps its text with the name replaced by [erased]. In JSON only
    names with a letter are replaced: a bare number there is a JSON number, which a text would make invalid."""
    person = identity.person
    values = person.identifiers | person.person_keys
    patterns = {
        "VARCHAR": identifier_pattern(values),
        "JSON": identifier_pattern({value for value in values if not value.isdigit()}),
    }
    removed = {}
    for schema in (RAW_SCHEMA, SNAPSHOTS_SCHEMA):
        for table in _tables(con, schema):
            for column, data_type in _text_columns(con, schema, table):
                pattern = patterns[data_type]
                if pattern is None:
                    continue
                target = f"{quote_ident(column)}::VARCHAR"
                # Two passes: adjacent mentions share the character between them, which one match consumes.
                replaced = target
                for _ in range(2):
                    replaced = f"regexp_replace({replaced}, {quote_literal(pattern)}, '\\1{ERASED}\\3', 'g')"
                changed = con.execute(
                    f"UPDATE {schema}.{quote_ident(table)} SET {quote_ident(column)} = CAST({replaced} AS {data_type})"
                    f" WHERE regexp_matches({target}, ?)",
                    [pattern],
                ).fetchone()[0]
                if changed:
                    removed[f"{schema}.{table}.{column} (mentions)"] = changed
    return removed


def erase_sources(con, identity: Identity, rules: dict[str, PersonColumns]) -> dict[str, int]:
    """Everything in the warehouse a rebuild does not recreate: raw, quarantine, snapshots."""
    return {
        **erase_raw(con, identity, rules),
        **erase_quarantine(con, identity),
        **erase_snapshots(con, identity),
        **redact_mentions(con, identity),
    }


def rebuild(paths: PipelinePaths) -> dbt_build.DbtBuildReport:
    """`dbt build --full-refresh` with every test: the incremental models (text versions, touchpoints) keep rows of
    earlier builds, which a plain build would carry over."""
    scope = test_scope.Scope("full", "erasure: every model rebuilt without the person")
    completed = dbt_build.run_dbt(paths, "build", "--full-refresh", env=scope.env())
    if completed.returncode != 0:
        results = paths.dbt_target_dir / "run_results.json"
        detail = "\n".join(dbt_build.read_run_results(paths).failures) if results.exists() else ""
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-dbt_build.OUTPUT_TAIL_LINES :])
        raise dbt_build.DbtBuildFailed(
            f"dbt build --full-refresh failed (exit {completed.returncode}).\n{detail}\n--- dbt output ---\n{tail}"
        )
    test_scope.record_build(paths, scope, test_scope.build_started_at(paths.dbt_target_dir / "run_results.json"))
    report = dbt_build.read_run_results(paths)
    report.tests = f"{scope.scope}: {scope.reason}"
    return report


def compact(paths: PipelinePaths) -> int:
    """Rewrite the warehouse into a new file and swap it in: DuckDB leaves deleted rows' bytes in free blocks until
    they are reused, so only a file written from the live data alone holds none of them. Returns bytes saved."""
    warehouse = paths.warehouse_path
    fresh = warehouse.with_name(f".{warehouse.name}.erasure")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    before = warehouse.stat().st_size
    with duckdb.connect(str(warehouse), config=connection_config()) as con:
        con.execute("CHECKPOINT")
        connectors.attach_read_only(con, connectors.configured(paths.sources_config_path, paths.landing_dir))
        catalog = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH {quote_literal(str(fresh))} AS erasure_rewrite")
        try:
            con.execute(f"COPY FROM DATABASE {quote_ident(catalog)} TO erasure_rewrite")
            con.execute("CHECKPOINT erasure_rewrite")
        finally:
            con.execute("DETACH erasure_rewrite")
    with open(fresh, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(fresh, warehouse)
    Path(str(warehouse) + ".wal").unlink(missing_ok=True)
    return before - warehouse.stat().st_size


def remaining(con, identity: Identity) -> dict[str, int]:
    """Rows of any table (every schema but the privacy tables) whose text cell is one of the person's identifiers or
    keys: after the rebuild, a source the erasure cannot reach (an EL tool's connector schema) shows here."""
    person = identity.person
    values = sorted({value.lower() for value in person.identifiers | person.person_keys | person.interaction_keys})
    found = {}
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_catalog = current_database() AND table_schema <> ? ORDER BY 1, 2",
        [PRIVACY_SCHEMA],
    ).fetchall()
    for schema, table in tables:
        columns = [name for name, data_type in _text_columns(con, schema, table) if data_type == "VARCHAR"]
        if not columns or not values:
            continue
        matches = " OR ".join(f"list_contains($values, lower({quote_ident(column)}))" for column in columns)
        count = con.execute(
            f"SELECT count(*) FROM {quote_ident(schema)}.{quote_ident(table)} WHERE {matches}", {"values": values}
        ).fetchone()[0]
        if count:
            found[f"{schema}.{table}"] = count
    return found
