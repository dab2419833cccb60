"""The hand-off writes a CSV and a JSON file per owning team and POSTs each open item once to a real HTTP server on
127.0.0.1; the sent-log keeps a re-run from sending anything twice and retries failed POSTs on the next run."""

from __future__ import annotations

import csv
import json
import threading
from collections import Counter, deque
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from pipeline import publish
from pipeline.outputs import handoff

TOKEN = "test-ticketing-token"


class TicketServer:
    """Accepts POSTed tickets; fails the next queued statuses first, then always fails keys in `failing`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []  # every request: path, headers, body
        self.accepted: list[dict] = []  # bodies answered 201
        self.fail_next: deque[int] = deque()
        self.failing: dict[str, int] = {}  # feedback_key -> status
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> TicketServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, headers: dict, body: dict) -> int:
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            if self.fail_next:
                return self.fail_next.popleft()
            if body["feedback_key"] in self.failing:
                return self.failing[body["feedback_key"]]
            self.accepted.append(body)
            return 201

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = server.answer(self.path, dict(self.headers), body)
                payload = json.dumps({"id": body["feedback_key"]} if status == 201 else {"error": "rejected"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


@pytest.fixture
def unconfigured(monkeypatch):
    for name in (handoff.URL_ENV, handoff.TOKEN_ENV, "AIRFLOW_CONN_OUTCOMES_TICKETING"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def published(warehouse_copy, unconfigured):
    publish.publish(warehouse_copy)
    return warehouse_copy


@pytest.fixture
def server(published, monkeypatch):
    with TicketServer() as running:
        monkeypatch.setenv(handoff.URL_ENV, f"{running.url}/tickets")
        monkeypatch.setenv(handoff.TOKEN_ENV, TOKEN)
        yield running


def open_items(paths) -> dict[str, list[dict]]:
    """The mart's open items by owning team (in the order teams are handed off), as the hand-off should see them."""
    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        result = connection.execute(
            "select * from mart_feedback_routing where is_open and owning_team <> 'Unassigned'"
            " order by received_at, feedback_key"
        )
        columns = [column[0] for column in result.description]
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    by_team: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda row: row["owning_team"]):
        by_team.setdefault(row["owning_team"], []).append(row)
    return by_team


def as_json(value):
    return value.isoformat() if isinstance(value, datetime | date) else value


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(as_json(value))


def log_rows(paths) -> dict[str, dict]:
    with duckdb.connect(str(handoff.log_path(paths)), read_only=True) as connection:
        result = connection.execute("select * from handoff_log")
        columns = [column[0] for column in result.description]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in result.fetchall()}


def test_files_per_team_match_the_mart_and_every_open_item_is_posted_once(published, server):
    paths = published
    expected = open_items(paths)
    keys = sorted(row["feedback_key"] for rows in expected.values() for row in rows)
    assert len(expected) >= 2 and len(keys) >= 5

    report = handoff.hand_off(paths)

    json.dumps(report)
    assert report["endpoint_configured"] and report["endpoint"] == f"{server.url}/tickets"
    assert report["failures"] == []
    totals = {"items": len(keys), "newly_sent": len(keys), "already_sent": 0, "failed": 0, "deferred": 0}
    assert report["totals"] == totals
    for team, rows in expected.items():
        counts = report["teams"][team]
        assert (counts["items"], counts["newly_sent"]) == (len(rows), len(rows))
        with open(counts["csv"], newline="", encoding="utf-8") as handle:
            written = list(csv.reader(handle))
        columns = list(rows[0])
        assert written[0] == columns
        assert written[1:] == [[as_csv(row[column]) for column in columns] for row in rows]
        with open(counts["json"], encoding="utf-8") as handle:
            document = json.load(handle)
        assert document["team"] == team
        assert document["items"] == [{column: as_json(value) for column, value in row.items()} for row in rows]
    assert {name for team in report["teams"].values() for name in (team["csv"], team["json"])} == {
        str(path) for path in handoff.handoff_dir(paths).iterdir()
    }

    assert sorted(body["feedback_key"] for body in server.accepted) == keys
    by_key = {row["feedback_key"]: row for rows in expected.values() for row in rows}
    for request in server.requests:
        key = request["body"]["feedback_key"]
        assert request["path"] == "/tickets"
        assert request["headers"]["Idempotency-Key"] == key
        assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
        assert request["body"] == {field: as_json(by_key[key][field]) for field in handoff.POST_FIELDS}
    logged = log_rows(paths)
    assert sorted(logged) == keys
    assert {(row["status"], row["attempts"], row["http_status"]) for row in logged.values()} == {("sent", 1, 201)}

    again = handoff.hand_off(paths)
    assert len(server.requests) == len(keys)
    assert again["totals"]["newly_sent"] == 0 and again["totals"]["already_sent"] == len(keys)


def test_a_failed_post_is_logged_and_only_it_is_retried_next_run(published, server):
    paths = published
    ordered = [row["feedback_key"] for rows in open_items(paths).values() for row in rows]
    keys = sorted(ordered)
    blip, down, rejected = ordered[0], ordered[-1], ordered[-2]
    server.failing = {down: 500, rejected: 400}
    server.fail_next.append(503)  # the run's first request: a blip the in-run retry absorbs

    first = handoff.hand_off(paths)

    failures = {failure["feedback_key"]: (failure["http_status"], failure["attempts"]) for failure in first["failures"]}
    assert failures == {down: (500, handoff.ATTEMPTS), rejected: (400, 1)}
    assert first["totals"]["newly_sent"] == len(keys) - 2 and first["totals"]["failed"] == 2
    assert Counter(body["feedback_key"] for body in server.accepted) == Counter(set(keys) - {down, rejected})
    logged = log_rows(paths)
    assert (logged[blip]["status"], logged[blip]["attempts"]) == ("sent", 2)
    assert (logged[down]["status"], logged[down]["attempts"], logged[down]["sent_at"]) == ("failed", 3, None)
    assert logged[rejected]["status"] == "failed" and "rejected" in logged[rejected]["error"]

    server.failing = {}
    before = len(server.requests)
    second = handoff.hand_off(paths)

    assert sorted(request["body"]["feedback_key"] for request in server.requests[before:]) == sorted([down, rejected])
    assert second["failures"] == [] and second["totals"]["newly_sent"] == 2
    assert second["totals"]["already_sent"] == len(keys) - 2
    assert Counter(body["feedback_key"] for body in server.accepted) == Counter(keys)
    logged = log_rows(paths)
    assert {row["status"] for row in logged.values()} == {"sent"}
    assert logged[down]["attempts"] == handoff.ATTEMPTS + 1
    assert logged[down]["first_attempt_at"] < logged[down]["sent_at"] and logged[down]["error"] is None

    handoff.hand_off(paths)
    assert sorted(request["body"]["feedback_key"] for request in server.requests[before:]) == sorted([down, rejected])


def test_an_unreachable_endpoint_leaves_the_rest_for_the_next_run(published, monkeypatch):
    monkeypatch.setattr(handoff, "RETRY_WAIT_SECONDS", 0)
    with TicketServer() as closed:
        url = f"{closed.url}/tickets"
    monkeypatch.setenv(handoff.URL_ENV, url)

    report = handoff.hand_off(published)

    limit = handoff.MAX_CONSECUTIVE_TRANSIENT_FAILURES
    assert report["totals"]["failed"] == limit and report["totals"]["deferred"] == report["totals"]["items"] - limit
    assert all("ConnectionError" in failure["error"] for failure in report["failures"])
    assert len(log_rows(published)) == limit


def test_without_an_endpoint_only_the_files_are_written(published):
    report = handoff.hand_off(published)

    assert not report["endpoint_configured"] and report["endpoint"] is None
    assert "files only" in report["note"]
    assert report["totals"]["items"] > 0 and report["totals"]["newly_sent"] == 0 and report["failures"] == []
    assert all(Path(team[kind]).exists() for team in report["teams"].values() for kind in ("csv", "json"))
    assert not handoff.log_path(published).exists()


def test_the_airflow_connection_gives_the_endpoint_path_and_token(published, monkeypatch):
    with TicketServer() as server:
        connection = {"conn_type": "http", "host": server.url, "password": TOKEN, "extra": {"path": "/api/tickets"}}
        monkeypatch.setenv("AIRFLOW_CONN_OUTCOMES_TICKETING", json.dumps(connection))

        report = handoff.hand_off(published)

    assert report["endpoint"] == f"{server.url}/api/tickets" and "Airflow connection" in report["note"]
    assert report["totals"]["newly_sent"] == report["totals"]["items"] == len(server.accepted)
    assert {request["path"] for request in server.requests} == {"/api/tickets"}
    assert {request["headers"]["Authorization"] for request in server.requests} == {f"Bearer {TOKEN}"}


def test_a_serving_file_without_the_mart_is_a_clear_error(warehouse_copy, unconfigured):
    with pytest.raises(handoff.HandoffError, match="No serving file"):
        handoff.hand_off(warehouse_copy)
    warehouse_copy.serving_path.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse_copy.serving_path)) as connection:
        connection.execute("create table mart_social_care (day date)")
    with pytest.raises(handoff.HandoffError, match="no table mart_feedback_routing"):
        handoff.hand_off(warehouse_copy)
