"""Load one landing file into one entity's raw table: type it, quarantine what breaks the contract, skip exact
duplicates of rows already loaded, and record the ledger and audit rows, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest import audit, contract, ledger
from ingest.entity import CsvRows, Entity
from ingest.incoming import ContractError, DocumentCache, extra_fields_sql, payload_sql, read_into_incoming
from ingest.interval import DataInterval
from ingest.sql import quote_ident
from ingest.suppression import Suppression


@dataclass(frozen=True)
class Batch:
    batch_id: str
    loaded_at: datetime  # naive UTC, the same for every row of the run


def staged_sql(entity: Entity, header: list[str] | None, loaded_at: datetime) -> str:
    bare_cr = isinstance(entity.source, CsvRows) and entity.source.bare_cr_in_text
    access = contract.json_access(entity) if header is None else contract.csv_access(set(header), bare_cr)
    extra_value, extra_keys = extra_fields_sql(entity, header)
    if header is None:
        source = f"({contract.json_fields_sql(entity)}, {extra_keys} AS _extra_keys, rowid AS _row FROM _incoming)"
        extra_keys = "_extra_keys"
    else:
        source = "(SELECT *, rowid AS _row FROM _incoming)"
    typed = ", ".join(
        f"{contract.typed_value(entity, access, name, type_)} AS {quote_ident(name)}" for name, type_ in entity.columns
    )
    event_at = contract.event_time_sql(entity, access) if entity.event_time else "NULL::TIMESTAMP"
    # The payload is hashed, not kept: quarantine reads the few refused records' payloads back from `_incoming`.
    return (
        "CREATE OR REPLACE TEMP TABLE _staged AS "
        f"SELECT {typed}, {extra_value} AS _extra_fields, {extra_keys} AS _extra_keys, _row, {event_at} AS _event_at, "
        f"md5({payload_sql(entity, header)}) AS _record_hash, "
        f"{contract.violations(entity, access, loaded_at)} AS _violations "
        f"FROM {source}"
    )


def quarantined_payloads_sql(entity: Entity, header: list[str] | None) -> str:
    """(payload, reasons) of the staged records that break the contract."""
    return (
        f"SELECT incoming._payload, staged._violations FROM (SELECT rowid AS _row, {payload_sql(entity, header)} "
        "AS _payload FROM _incoming) AS incoming "
        "INNER JOIN (SELECT _row, _violations FROM _staged WHERE _violations <> '') AS staged USING (_row)"
    )


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    source_file: str,
    content_sha256: str,
    batch: Batch,
    scratch_dir: Path,
    documents: DocumentCache | None = None,
    interval: DataInterval | None = None,
    suppression: Suppression | None = None,
) -> audit.FileAudit:
    """Load the file's valid, new records; quarantine the rest. On any error nothing of the file stays.

    With an `interval` (and an entity with an event time), only records whose event time lies in it are loaded or
    quarantined; the others are counted as outside the interval. Records without a readable event time belong to
    the first run that reads the file, as do records that break the contract: each is loaded or quarantined once.
    Records of people who asked to be forgotten (`suppression`, ingest/suppression.py) are counted and dropped."""
    by_interval = interval is not None and entity.event_time is not None
    first_read = not ledger.was_read(con, entity.table, content_sha256)
    incoming = read_into_incoming(con, entity, path, scratch_dir, documents or DocumentCache())
    report = audit.FileAudit(entity.table, source_file, note=incoming.note)
    if incoming.header is not None:
        report.missing_columns = [name for name in entity.column_names if name not in incoming.header]
        if incoming.header and len(report.missing_columns) == len(entity.column_names):
            raise ContractError(f"the header has none of the columns of {entity.table}: {incoming.header[:5]}")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(staged_sql(entity, incoming.header, batch.loaded_at))
        outside = 0
        if by_interval:
            # Refused records and records without an event time are settled by the first read of the file.
            outside = con.execute(
                "DELETE FROM _staged WHERE CASE WHEN _violations <> '' OR _event_at IS NULL "
                f"THEN {'FALSE' if first_read else 'TRUE'} ELSE NOT {interval.contains_sql('_event_at')} END"
            ).fetchone()[0]
        suppressed = suppression.apply(con, entity) if suppression is not None else 0
        rejects = incoming.rejects if first_read or not by_interval else []
        outside += len(incoming.rejects) - len(rejects)
        meta = [batch.batch_id, entity.table, source_file]
        if rejects:
            con.executemany(
                f"INSERT INTO {audit.QUARANTINE_TABLE} VALUES (?, ?, ?, ?, ?, CAST(? AS TIMESTAMP))",
                [[*meta, reason, payload, batch.loaded_at] for reason, payload in rejects],
            )
        staged, quarantined, new_columns = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE _violations <> ''), "
            "list_sort(list_distinct(flatten(list(_extra_keys)))) FROM _staged"
        ).fetchone()
        if quarantined:
            con.execute(
                f"INSERT INTO {audit.QUARANTINE_TABLE} SELECT ?, ?, ?, _violations, _payload, CAST(? AS TIMESTAMP) "
                f"FROM ({quarantined_payloads_sql(entity, incoming.header)})",
                [*meta, batch.loaded_at],
            )
        # Exact copies (same payload) of a row already in raw, or earlier in this file, are counted, not loaded.
        # Only the raw rows sharing a hash with this file are joined, so the cost follows the file, not the table.
        columns = ", ".join(quote_ident(name) for name in entity.column_names)
        fresh = con.execute(
            f"INSERT INTO {entity.qualified_table} BY NAME SELECT {columns}, _extra_fields, _record_hash, "
            "? AS _batch_id, CAST(? AS TIMESTAMP) AS _loaded_at, ? AS _source_file FROM ("
            "SELECT *, row_number() OVER (PARTITION BY _record_hash) AS _copy FROM _staged WHERE _violations = '') "
            f"AS valid WHERE valid._copy = 1 AND valid._record_hash NOT IN (SELECT _record_hash FROM "
            f"{entity.qualified_table} SEMI JOIN _staged USING (_record_hash))",
            [batch.batch_id, batch.loaded_at, source_file],
        ).fetchone()[0]
        report.new_columns = new_columns or []
        report.rows_read = staged + outside + suppressed + len(rejects)
        report.rows_quarantined = quarantined + len(rejects)
        report.rows_outside_interval = outside
        report.rows_suppressed = suppressed
        report.rows_loaded = fresh
        report.rows_duplicate = staged - quarantined - fresh
        ledger.record(
            con,
            source_file=source_file,
            content_sha256=content_sha256,
            entity=entity.table,
            batch_id=batch.batch_id,
            rows_loaded=fresh,
            loaded_at=batch.loaded_at,
            data_interval=interval.key if by_interval else None,
        )
        audit.record(con, report, batch.batch_id, content_sha256, batch.loaded_at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return report
