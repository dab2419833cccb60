"""Forget one person on request (GDPR Art. 17, CCPA deletion): `make forget WHO=...` or the DAG `forget_person`.

1. Resolve the request to every identity the warehouse links to it (resolve.py).
2. In one transaction: remove the person from raw, quarantine and the dbt snapshots, add their identifiers to the
   suppression list ingest applies (ingest/suppression.py), and record the request in `privacy.erasure_audit`.
3. Scrub every copy beyond the warehouse (serving releases and their Parquet files, the quality history, hand-off
   logs, reports): pipeline/publish/scrub.
4. Rebuild every model from the cleaned raw tables (`dbt build --full-refresh`, tests included), rewrite the
   warehouse file so no deleted byte survives, and check that no table still holds one of the person's values.
5. Run the mart gate and publish a new release written in full, then record what was removed where.

The audit keeps a keyed hash of the request (HMAC under the pseudonym key), the time and the counts; never the
identifier. A request that matches nobody says so, and is still audited and suppressed. After step 3 the warehouse
no longer knows who the person was, so an erasure that stops later is finished by the next `make forget` (any WHO):
it rebuilds and publishes for every erasure not yet completed.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import duckdb

from ingest import file_drops
from ingest.duckdb_settings import connection_config
from ingest.suppression import person_columns
from pipeline.publish import pseudonyms
from pipeline.publish.erasure import warehouse
from pipeline.publish.erasure.resolve import Identity, normalize, resolve_identity
from pipeline.publish.person import Person
from pipeline.settings import PipelinePaths, load_paths

Scrubber = Callable[[PipelinePaths, Person, pseudonyms.PseudonymKey], dict[str, int]]


class ErasureIncomplete(RuntimeError):
    pass


@dataclass
class ErasureReport:
    erasure_id: str
    request_hash: str
    matched: bool
    identities: int = 0
    suppressed: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    finished: list[str] = field(default_factory=list)  # earlier erasures this run completed
    release: str | None = None
    status: str = "started"

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """What was done, with counts only: this text goes to terminals and task logs."""
        if not self.matched:
            lines = [
                f"Erasure {self.erasure_id}: the request matched nobody in the warehouse or its copies. It is recorded"
                f" in {warehouse.AUDIT_TABLE} (request hash {self.request_hash[:16]}...) and its identifier is on the"
                " suppression list, so ingest keeps any record of it out from now on."
            ]
        else:
            lines = [
                f"Erasure {self.erasure_id}: {self.identities} linked identities, {sum(self.removed.values())} rows"
                f" removed or redacted, {self.suppressed} identifiers suppressed; release {self.release}."
            ]
            lines += [f"  {where:<60} {count:>8}" for where, count in sorted(self.removed.items())]
        if self.finished:
            lines.append(f"Also finished the earlier erasure(s) {', '.join(self.finished)}.")
        lines.append(
            "Landing files are the sender's own exports and were not changed: delete or replace the person's files"
            " there (README, 'Personal data')."
        )
        return "\n".join(lines)


def default_scrubber() -> Scrubber:
    try:
        from pipeline.publish.scrub import scrub_copies
    except ImportError as missing:
        raise ErasureIncomplete(
            "The copies scrubber (pipeline.publish.scrub.scrub_copies) is not installed: the serving releases, the"
            " quality history, hand-off logs and reports would keep the person. Nothing was changed."
        ) from missing
    return scrub_copies


def request_hash(key: pseudonyms.PseudonymKey, who: str) -> str:
    """The audit's record of a request: a keyed hash, so nobody without the key can test whether someone asked."""
    return key.pseudonym("request:" + normalize(who).lower())


def _unfinished(con: duckdb.DuckDBPyConnection, erasure_id: str) -> list[str]:
    rows = con.execute(
        f"SELECT erasure_id FROM {warehouse.AUDIT_TABLE} WHERE matched AND status <> 'completed' AND erasure_id <> ?"
        " ORDER BY requested_at",
        [erasure_id],
    ).fetchall()
    return [row[0] for row in rows]


def forget(paths: PipelinePaths, who: str, scrub: Scrubber | None = None) -> ErasureReport:
    key = pseudonyms.load_key(paths)  # before anything changes: the suppression list and audit need it
    scrub = scrub or default_scrubber()
    drops = file_drops.load_config(paths.sources_config_path)
    rules = person_columns(drops)
    erasure_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    requested_at = datetime.now(UTC)
    with duckdb.connect(str(paths.warehouse_path), config=connection_config()) as con:
        warehouse.ensure_tables(con)
        identity: Identity = resolve_identity(con, who, drops)
        report = ErasureReport(erasure_id, request_hash(key, who), identity.matched)
        report.identities = len(identity.contacts | identity.actors)
        con.execute("BEGIN TRANSACTION")
        try:
            report.removed = warehouse.erase_sources(con, identity, rules)
            report.matched = report.matched or bool(report.removed)
            report.suppressed = warehouse.suppress(con, identity, key, erasure_id)
            warehouse.record_request(con, erasure_id, report.request_hash, report.matched, requested_at)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        report.finished = _unfinished(con, erasure_id)
    if not report.matched and not report.finished:
        report.status = "completed"
        _record(paths, report)
        return report
    try:
        if report.matched:
            report.removed |= {f"copies: {where}": count for where, count in scrub(paths, identity.person, key).items()}
        report.release = _rebuild_and_publish(paths, identity if report.matched else None, report)
    except Exception as error:
        report.status = f"failed: {type(error).__name__}"
        _record(paths, report)
        raise
    report.status = "completed"
    _record(paths, report)
    return report


def _rebuild_and_publish(paths: PipelinePaths, identity: Identity | None, report: ErasureReport) -> str:
    from pipeline import publish
    from pipeline.quality import mart_gate

    warehouse.rebuild(paths)
    warehouse.compact(paths)
    if identity is not None:
        with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
            left = warehouse.remaining(con, identity)
        if left:
            raise ErasureIncomplete(
                "After the rebuild these tables still hold the person (a source erasure does not reach, such as an EL"
                " tool's connector schema; erase them there and run `make forget` again): "
                + ", ".join(f"{table} ({count} rows)" for table, count in sorted(left.items()))
            )
    mart_gate.run_mart_gate(paths)
    return publish.publish(paths, full=True).release


def _record(paths: PipelinePaths, report: ErasureReport) -> None:
    with duckdb.connect(str(paths.warehouse_path), config=connection_config()) as con:
        for erasure_id in [report.erasure_id, *(report.finished if report.status == "completed" else [])]:
            removed = report.removed if erasure_id == report.erasure_id else {}
            if erasure_id != report.erasure_id:
                # An earlier erasure keeps the counts it recorded; only its status changes.
                stored = con.execute(
                    f"SELECT removed FROM {warehouse.AUDIT_TABLE} WHERE erasure_id = ?", [erasure_id]
                ).fetchone()
                removed = json.loads(stored[0]) if stored and stored[0] else {}
            warehouse.record_result(con, erasure_id, report.status, removed)


def forget_person_task(params: dict | None = None) -> dict:
    """The DAG task: the identifier comes from the run's params (not a templated argument, so Airflow does not keep
    it among the task's rendered fields); the returned report (XCom) holds counts only."""
    who = (params or {}).get("who") or ""
    report = forget(load_paths(), who)
    print(report.summary())
    return report.to_dict()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].strip():
        print("usage: python -m pipeline.publish.erasure <email | handle | CRM contact id>", file=sys.stderr)
        return 2
    try:
        report = forget(load_paths(), args[0])
    except (pseudonyms.MissingPseudonymKey, ValueError) as error:
        print(f"Erasure refused: {error}", file=sys.stderr)
        return 1
    except RuntimeError as error:  # a failed dbt build or gate, a source erasure cannot reach
        print(
            f"Erasure stopped: {error}\nFix the cause and run `make forget` again (any WHO finishes an erasure that"
            " stopped after the warehouse was cleaned).",
            file=sys.stderr,
        )
        return 1
    print(report.summary())
    return 0
