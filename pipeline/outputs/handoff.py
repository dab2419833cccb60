"""Hand open feedback items to their owning teams: a CSV and a JSON file per team and, when a ticketing endpoint is
configured, one HTTP POST per item.

Files: `<reports>/handoff/<team-slug>.csv|json` (mode 0600), rewritten each run with the team's open items in the
serving file's `mart_feedback_routing` (items routed to `Unassigned` have no owning team and are only counted).

The team must answer the customer, so the items carry what the default serving copy pseudonymises or redacts, in
clear: the text and who wrote it (author_key, and the CRM contact it was matched to: key, name, email, handle). The
serving release says which items are current; their clear values come from the restricted release
(serving/restricted/, when published), else from the warehouse's marts. A key neither has (a person erased since
the release) keeps the serving copy's values.

Endpoint: OUTCOMES_TICKETING_URL (+ OUTCOMES_TICKETING_TOKEN), else the Airflow connection `outcomes_ticketing`
(http: host, optional port and schema, extra `path` default /tickets, password sent as a bearer token). Neither: files
only.

The sent-log `handoff_log.duckdb` beside the warehouse makes a re-run safe: an item logged `sent` is never posted
again (to any endpoint), an item logged `failed` is posted again on the next run. Each item is logged right after its
POST, and carries `Idempotency-Key: <feedback_key>` so an endpoint that deduplicates also absorbs a POST whose
success was never logged (the process died in between).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import requests

from pipeline import http_post
from pipeline.outputs import absence
from pipeline.outputs.handoff_clear_values import NoClearSource, with_clear_values
from pipeline.outputs.handoff_endpoint import (  # noqa: F401 - tests and callers use them from here
    CONNECTION_ID,
    TOKEN_ENV,
    URL_ENV,
    Endpoint,
    configured_endpoint,
    endpoint_from_connection,
    with_default_path,
)
from pipeline.settings import PipelinePaths, load_paths

log = logging.getLogger(__name__)

MART = "mart_feedback_routing"
UNASSIGNED = "Unassigned"
LOG_TABLE = "handoff_log"
POST_FIELDS = (
    "feedback_key",
    "owning_team",
    "feedback_type",
    "topic",
    "product_area",
    "received_at",
    "age_days",
    "sentiment_score",
    "body",
    "account_key",
    "author_key",
    "contact_key",
    "contact_name",
    "contact_email",
    "contact_handle",
)
FILE_MODE = 0o600
FOLDER_MODE = 0o700
ATTEMPTS = 3
RETRY_WAIT_SECONDS = 0.2  # exponential: 0.2 s then 0.4 s, so an item gives up within a second plus timeouts
TIMEOUT = (3.0, 10.0)  # connect, read
# After this many items in a row fail in a way that looks like the endpoint being down, the rest wait for the next run
# instead of each spending its retries on it.
MAX_CONSECUTIVE_TRANSIENT_FAILURES = 5
ERROR_CHARS = 500
COUNTS = ("items", "newly_sent", "already_sent", "failed", "deferred")

CREATE_LOG_SQL = f"""
create table if not exists {LOG_TABLE} (
    feedback_key varchar primary key,
    team varchar not null,
    endpoint varchar not null,
    status varchar not null check (status in ('sent', 'failed')),
    http_status integer,
    attempts integer not null,
    first_attempt_at timestamp not null,
    sent_at timestamp,
    error varchar
)
"""
UPSERT_LOG_SQL = f"""
insert into {LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)
on conflict (feedback_key) do update set
    team = excluded.team,
    endpoint = excluded.endpoint,
    status = excluded.status,
    http_status = excluded.http_status,
    attempts = {LOG_TABLE}.attempts + excluded.attempts,
    sent_at = excluded.sent_at,
    error = excluded.error
"""


class HandoffError(RuntimeError):
    pass


@dataclass(frozen=True)
class PostResult:
    status: str  # 'sent' or 'failed'
    http_status: int | None
    attempts: int
    error: str | None = None
    transient: bool = False


def log_path(paths: PipelinePaths) -> Path:
    return paths.warehouse_path.parent / "handoff_log.duckdb"


def handoff_dir(paths: PipelinePaths) -> Path:
    return paths.reports_dir / "handoff"


def team_slug(team: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"


def read_routing(serving_path: Path) -> tuple[list[str], list[str], list[dict], str | None]:
    """(columns, every team in the mart, open items of owned teams, release) from the serving file, read-only."""
    if not serving_path.exists():
        raise HandoffError(f"No serving file at {serving_path}: publish the marts before the hand-off")
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        tables = {name for (name,) in connection.execute("select table_name from duckdb_tables()").fetchall()}
        if MART not in tables:
            raise HandoffError(f"{serving_path} has no table {MART}: nothing to hand off (is the release current?)")
        result = connection.execute(
            f"select * from {MART} where is_open and owning_team is not null and owning_team <> ?"
            " order by owning_team, received_at, feedback_key",
            [UNASSIGNED],
        )
        columns = [column[0] for column in result.description]
        items = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
        teams = connection.execute(
            f"select distinct owning_team from {MART} where owning_team is not null and owning_team <> ? order by 1",
            [UNASSIGNED],
        ).fetchall()
        unassigned = connection.execute(
            f"select count(*) from {MART} where is_open and (owning_team is null or owning_team = ?)", [UNASSIGNED]
        ).fetchone()[0]
        release = None
        if "_publish_info" in tables:
            release = connection.execute("select release from _publish_info").fetchone()[0]
    if unassigned:
        log.info("%d open feedback items have no owning team and are not handed off", unassigned)
    return columns, [team for (team,) in teams], items, release


def json_value(value):
    return value.isoformat() if isinstance(value, datetime | date) else value


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(json_value(value))


def write_atomically(path: Path, write: Callable) -> None:
    """Readers of a team's file see the previous run's or this run's, never half of one."""
    staged = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)  # owner only from the start
        with open(descriptor, "w", newline="", encoding="utf-8") as handle:
            write(handle)
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def write_team_files(
    folder: Path, team: str, columns: list[str], items: list[dict], generated_at: str, release: str | None
) -> dict[str, str]:
    slug = team_slug(team)
    csv_path, json_path = folder / f"{slug}.csv", folder / f"{slug}.json"

    def write_csv(handle) -> None:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([csv_value(item[column]) for column in columns] for item in items)

    document = {
        "team": team,
        "generated_at": generated_at,
        "release": release,
        "items": [{column: json_value(value) for column, value in item.items()} for item in items],
    }
    write_atomically(csv_path, write_csv)
    write_atomically(json_path, lambda handle: json.dump(document, handle, indent=2, ensure_ascii=False))
    return {"csv": str(csv_path), "json": str(json_path)}


def remove_stale_files(folder: Path, keep: set[str]) -> None:
    """Files of teams that no longer appear in the mart, so the folder only holds current hand-offs."""
    for path in folder.iterdir():
        if path.suffix in (".csv", ".json") and str(path) not in keep:
            path.unlink()


def post_body(item: dict) -> dict:
    return {field: json_value(item.get(field)) for field in POST_FIELDS}


def post_item(session: requests.Session, endpoint: Endpoint, item: dict) -> PostResult:
    """POST one item, retrying transient failures a few times (pipeline/http_post.py); never raises."""
    headers = {"Idempotency-Key": item["feedback_key"]}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    outcome = http_post.post_json(
        session,
        endpoint.url,
        post_body(item),
        headers,
        timeout=TIMEOUT,
        attempts=ATTEMPTS,
        wait_seconds=RETRY_WAIT_SECONDS,
        max_wait=1.0,
        error_chars=ERROR_CHARS,
    )
    if outcome.ok:
        return PostResult("sent", outcome.status, outcome.attempts)
    return PostResult("failed", outcome.status, outcome.attempts, outcome.error, transient=outcome.transient)


def open_log(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path))
    connection.execute(CREATE_LOG_SQL)
    return connection


def logged_as_sent(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute(f"select feedback_key from {LOG_TABLE} where status = 'sent'").fetchall()
    return {key for (key,) in rows}


def sent_keys(path: Path) -> set[str]:
    """Keys logged as sent, without creating the log when there is none."""
    if not path.exists():
        return set()
    with duckdb.connect(str(path), read_only=True) as connection:
        if not connection.execute("select 1 from duckdb_tables() where table_name = ?", [LOG_TABLE]).fetchall():
            return set()
        return logged_as_sent(connection)


def record(connection: duckdb.DuckDBPyConnection, item: dict, endpoint: Endpoint, result: PostResult) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    connection.execute(
        UPSERT_LOG_SQL,
        [
            item["feedback_key"],
            item["owning_team"],
            endpoint.display_url,
            result.status,
            result.http_status,
            result.attempts,
            now,
            now if result.status == "sent" else None,
            result.error,
        ],
    )


def post_pending(paths: PipelinePaths, endpoint: Endpoint, items: list[dict], counts: dict[str, dict]) -> list[dict]:
    """POST the items not yet logged as sent, logging each outcome; returns the failures."""
    failures: list[dict] = []
    consecutive_transient = 0
    with open_log(log_path(paths)) as connection, requests.Session() as session:
        already = logged_as_sent(connection)
        for item in items:
            team = counts[item["owning_team"]]
            if item["feedback_key"] in already:
                team["already_sent"] += 1
                continue
            if consecutive_transient >= MAX_CONSECUTIVE_TRANSIENT_FAILURES:
                team["deferred"] += 1
                continue
            result = post_item(session, endpoint, item)
            record(connection, item, endpoint, result)
            if result.status == "sent":
                team["newly_sent"] += 1
                consecutive_transient = 0
                continue
            team["failed"] += 1
            consecutive_transient = consecutive_transient + 1 if result.transient else 0
            failures.append(
                {
                    "feedback_key": item["feedback_key"],
                    "team": item["owning_team"],
                    "http_status": result.http_status,
                    "attempts": result.attempts,
                    "error": result.error,
                }
            )
            log.warning(
                "Hand-off of %s to %s failed after %d attempt(s), retried next run: %s",
                item["feedback_key"],
                endpoint.display_url,
                result.attempts,
                result.error,
            )
    deferred = sum(team["deferred"] for team in counts.values())
    if deferred:
        log.warning("%s looks unreachable: %d items left for the next run", endpoint.display_url, deferred)
    return failures


def hand_off(paths: PipelinePaths) -> dict:
    """Write each owning team's files of open feedback items and POST the items not yet sent; a JSON-ready report.

    POST failures are logged and reported, not raised: the next run retries them.
    """
    generated_at = datetime.now(UTC).isoformat(timespec="seconds")
    columns, teams, items, release = read_routing(paths.serving_path)
    try:
        columns, items, provenance = with_clear_values(paths, columns, items)
    except NoClearSource as error:
        raise HandoffError(str(error)) from error
    folder = handoff_dir(paths)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    counts: dict[str, dict] = {}
    for team in teams:
        team_items = [item for item in items if item["owning_team"] == team]
        files = write_team_files(folder, team, columns, team_items, generated_at, release)
        counts[team] = {key: 0 for key in COUNTS} | {"items": len(team_items)} | files
    remove_stale_files(folder, {path for team in counts.values() for path in (team["csv"], team["json"])})

    endpoint = configured_endpoint()
    failures: list[dict] = []
    if endpoint is None:
        note = f"No ticketing endpoint configured ({URL_ENV} or Airflow connection {CONNECTION_ID!r}): files only"
        log.info(note)
        already = sent_keys(log_path(paths))
        for item in items:
            counts[item["owning_team"]]["already_sent"] += item["feedback_key"] in already
    else:
        note = f"POSTed to {endpoint.display_url} ({endpoint.source})"
        failures = post_pending(paths, endpoint, items, counts)
    if not items:
        note = f"{absence.NO_DATA['feedback'] if not teams else 'no open feedback items'}; {note}"
    totals = {key: sum(team[key] for team in counts.values()) for key in COUNTS}
    return {
        "generated_at": generated_at,
        "serving_path": str(paths.serving_path),
        "release": release,
        **provenance,
        "handoff_dir": str(folder),
        "log_path": str(log_path(paths)),
        "endpoint_configured": endpoint is not None,
        "endpoint": endpoint.display_url if endpoint else None,
        "note": note,
        "teams": counts,
        "totals": totals,
        "failures": failures,
    }


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    report = hand_off(load_paths())
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
