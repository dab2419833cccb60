"""Load a landing folder into the DuckDB warehouse's `raw` schema."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest import audit, file_drops, ledger, refusals, suppression
from ingest.duckdb_settings import connection_config
from ingest.entity import RAW_SCHEMA
from ingest.incoming import ContractError, DocumentCache
from ingest.interval import DataInterval
from ingest.loader import Batch, load_file
from ingest.registry import ENTITIES
from ingest.report import EntityReport, FileFailure, IngestError, IngestReport


def default_batch_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def unmatched_files(landing_dir: Path, matched: set[Path]) -> list[str]:
    """Files no entity reads, so a user sees an export that was not picked up (hidden files and the demo
    generator's manifest.json are not exports)."""
    relative = {path: path.relative_to(landing_dir) for path in landing_dir.rglob("*") if path.is_file()}
    return sorted(
        name.as_posix()
        for path, name in relative.items()
        if path not in matched and name.as_posix() != "manifest.json" and not any(p.startswith(".") for p in name.parts)
    )


def load_landing(
    landing_dir: Path,
    warehouse_path: Path,
    batch_id: str | None = None,
    sources_config: Path | None = None,
    *,
    interval: DataInterval | None = None,
    tables: set[str] | None = None,
) -> IngestReport:
    """Load every landing file not yet loaded (by content hash, per entity) into `raw`.

    `tables` limits the run to those raw tables (one source's ingest DAG); every table is still created, so dbt
    always finds its sources. `interval` loads only that data interval (see ingest/interval.py).

    Each (entity, file) is loaded in its own transaction with its ledger row. A file that fails is rolled back and
    the run continues; at the end `IngestError` (carrying the report) names every failed file and entity.
    Entities with no landing file still get their (empty) table and are listed in `report.missing_entities`.
    `sources_config` (config/sources.yml) adds the generic file drops it declares under `file_drops`.
    """
    landing_dir = Path(landing_dir)
    warehouse_path = Path(warehouse_path)
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing folder not found: {landing_dir}")
    drops = file_drops.load_config(sources_config)
    entities = (*ENTITIES, *(drop.entity for drop in drops))
    now = datetime.now(UTC)
    if batch_id is not None and not batch_id.strip():
        raise ValueError("batch_id must not be blank")
    batch = Batch(batch_id or default_batch_id(now), now.replace(tzinfo=None))
    report = IngestReport(
        batch_id=batch.batch_id,
        loaded_at=batch.loaded_at.isoformat(),
        data_interval=interval.key if interval else None,
    )
    if tables is not None and (unknown := tables - {entity.table for entity in entities}):
        raise ValueError(f"no ingest entity loads these tables: {sorted(unknown)}")
    selected = [entity for entity in entities if tables is None or entity.table in tables]
    max_refused_share = refusals.max_refused_share()

    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    # Per-file transactions would otherwise checkpoint the WAL every 16 MB; one checkpoint at close is enough.
    con = duckdb.connect(str(warehouse_path), config={"checkpoint_threshold": "1GB", **connection_config()})
    try:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
        ledger.ensure_ledger(con)
        audit.ensure_tables(con)
        for entity in entities:
            con.execute(entity.create_table_sql())
            for statement in entity.add_missing_meta_columns_sql():
                con.execute(statement)
        file_drops.create_canonical_views(con, drops)
        suppressed = suppression.load(con, landing_dir, warehouse_path, drops)
        scratch_dir = warehouse_path.parent / ".ingest_scratch"
        documents = DocumentCache()
        # File by file, so that a page file feeding two entities (tweets -> x_tweets and x_users) is hashed and
        # parsed once.
        work = sorted(
            ((path, order, entity) for order, entity in enumerate(selected) for path in entity.files(landing_dir)),
            key=lambda item: (item[0], item[1]),
        )
        for entity in selected:
            report.entities[entity.table] = EntityReport()
        if tables is None:
            report.unmatched_files = unmatched_files(landing_dir, {path for path, _, _ in work})
        if interval is not None:
            work = [item for item in work if interval.overlaps_file(item[0])]
        hashes: dict[Path, str] = {}
        for path, _, entity in work:
            counts = report.entities[entity.table]
            counts.files_found += 1
            source_file = path.relative_to(landing_dir).as_posix()
            if path not in hashes:
                hashes[path] = ledger.file_sha256(path)
            sha = hashes[path]
            interval_key = interval.key if interval is not None and entity.event_time else None
            if ledger.is_loaded(con, entity.table, sha, interval_key):
                counts.files_skipped += 1
                continue
            try:
                file_audit = load_file(
                    con, entity, path, source_file, sha, batch, scratch_dir, documents, interval, suppressed
                )
            except (duckdb.Error, OSError, UnicodeDecodeError, ContractError) as exc:
                counts.files_failed += 1
                report.failures.append(FileFailure(entity.table, source_file, str(exc).strip()))
                continue
            counts.add(file_audit)
            if refused := refusals.check_file(con, file_audit, batch.batch_id, max_refused_share):
                report.refused_files.append(refused)
    finally:
        con.close()
    if report.failures or report.refused_files:
        raise IngestError(report)
    return report
