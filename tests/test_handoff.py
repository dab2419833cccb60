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


def clear_values(warehouse_path) -> dict[str, dict]:
    """Each routed item's text and author in clear, from the warehouse's marts."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        result = connection.execute(
            """
            select routing.feedback_key, routing.body, interactions.actor_key as author_key, interactions.contact_key,
                contacts.full_name as contact_name, contacts.email as contact_email,
                contacts.social_handle as contact_handle
            from marts.mart_feedback_routing as routing
            inner join marts.fct_interactions as interactions on routing.feedback_key = interactions.interaction_key
            left join marts.dim_contacts as contacts
                on interactions.contact_key = contacts.contact_key and contacts.is_current
            """
        )
        columns = [column[0] for column in result.description]
        return {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in result.fetchall()}


def open_items(paths) -> dict[str, list[dict]]:
    """The mart's open items by owning team (in the order teams are handed off), as the hand-off should send them:
    the serving file's items with their text and author in clear from the warehouse."""
    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        result = connection.execute(
            "select * from mart_feedback_routing where is_open and owning_team <> 'Unassigned'"
            " order by received_at, feedback_key"
        )
        columns = [column[0] for column in result.description]
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    clear = clear_values(paths.warehouse_path)
    rows = [row | clear[row["feedback_key"]] for row in rows]
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
    assert {path.stat().st_mode & 0o777 for path in handoff.handoff_dir(paths).iterdir()} == {0o600}
    assert report["clear_values_from"] == [f"warehouse {paths.warehouse_path}"]
    assert report["items_without_clear_values"] == 0

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


def plant_personal_text(paths) -> dict:
    """An open, owned item written by a known contact gets a text with their name, email, a phone number, a link
    with a personal path and their handle, in the warehouse; returns the item's key, text and contact."""
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        key, name, email, handle = connection.execute(
            """
            select routing.feedback_key, contacts.full_name, contacts.email, coalesce(contacts.social_handle, 'jdoe77')
            from marts.mart_feedback_routing as routing
            inner join marts.fct_interactions as interactions on routing.feedback_key = interactions.interaction_key
            inner join marts.dim_contacts as contacts
                on interactions.contact_key = contacts.contact_key and contacts.is_current
            where routing.is_open and routing.owning_team <> 'Unassigned' and contacts.email is not null
            order by routing.feedback_key
            limit 1
            """
        ).fetchone()
        text = (
            f"{name} here: write to {email} or call +44 20 7946 0958, my order"
            f" https://shop.example.com/orders/991?u=7 is late @{handle} @acmehelp"
        )
        for table, column in (("mart_feedback_routing", "feedback_key"), ("fct_interactions", "interaction_key")):
            connection.execute(f"update marts.{table} set body = ? where {column} = ?", [text, key])
    return {"key": key, "text": text, "name": name, "email": email, "handle": handle}


def handed_off(report: dict, key: str) -> tuple[dict, dict]:
    """The item as the team's CSV and JSON files carry it."""
    for team in report["teams"].values():
        with open(team["csv"], newline="", encoding="utf-8") as handle:
            rows = {row["feedback_key"]: row for row in csv.DictReader(handle)}
        if key in rows:
            with open(team["json"], encoding="utf-8") as handle:
                items = {item["feedback_key"]: item for item in json.load(handle)["items"]}
            return rows[key], items[key]
    raise AssertionError(f"{key} is in no team's hand-off file")


def test_the_handoff_carries_the_clear_text_while_the_serving_file_carries_the_redacted_one(
    warehouse_copy, unconfigured, monkeypatch
):
    paths = warehouse_copy
    planted = plant_personal_text(paths)
    publish.publish(paths)
    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        served = connection.execute(
            "select body from mart_feedback_routing where feedback_key = ?", [planted["key"]]
        ).fetchone()[0]
    assert planted["email"] not in served and "[email]" in served and "[phone]" in served
    assert f"@{planted['handle']}" not in served and "@acmehelp" in served and "/orders/991" not in served

    with TicketServer() as server:
        monkeypatch.setenv(handoff.URL_ENV, f"{server.url}/tickets")
        report = handoff.hand_off(paths)

    row, item = handed_off(report, planted["key"])
    assert row["body"] == item["body"] == planted["text"]
    assert row["contact_name"] == item["contact_name"] == planted["name"]
    assert row["contact_email"] == item["contact_email"] == planted["email"]
    assert item["author_key"] and item["contact_key"].startswith("crm:")
    posted = next(body for body in server.accepted if body["feedback_key"] == planted["key"])
    assert posted["body"] == planted["text"] and posted["contact_email"] == planted["email"]


def restricted_copy(paths, changes: dict[str, str | None]) -> Path:
    """A restricted release as the contract describes it (the marts in clear, at serving/restricted/<file>), built from
    the warehouse; `changes` maps keys to the text the copy holds for them, None to leave the key out."""
    path = paths.serving_path.parent / "restricted" / paths.serving_path.name
    path.parent.mkdir()
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{paths.warehouse_path}' as warehouse (read_only)")
        for table in ("mart_feedback_routing", "fct_interactions", "dim_contacts"):
            connection.execute(f"create table {table} as select * from warehouse.marts.{table}")
        for key, text in changes.items():
            if text is None:
                connection.execute("delete from mart_feedback_routing where feedback_key = ?", [key])
            else:
                connection.execute("update mart_feedback_routing set body = ? where feedback_key = ?", [text, key])
    return path


def test_a_published_restricted_release_is_read_first_and_the_warehouse_fills_its_gaps(published):
    paths = published
    first, second = [row["feedback_key"] for rows in open_items(paths).values() for row in rows][:2]
    restricted = restricted_copy(paths, {first: "the text as the restricted release holds it", second: None})

    report = handoff.hand_off(paths)

    assert report["clear_values_from"] == [
        f"restricted release {restricted}",
        f"warehouse {paths.warehouse_path}",
    ]
    assert handed_off(report, first)[1]["body"] == "the text as the restricted release holds it"
    assert handed_off(report, second)[1]["body"] == clear_values(paths.warehouse_path)[second]["body"]
    assert report["items_without_clear_values"] == 0


def test_without_a_readable_source_of_clear_texts_nothing_is_handed_off(published):
    published.warehouse_path.unlink()

    with pytest.raises(handoff.HandoffError, match="No source of clear texts"):
        handoff.hand_off(published)
    assert not handoff.handoff_dir(published).exists()


def test_with_the_restricted_copy_published_the_handoff_reads_only_it(warehouse_copy, unconfigured, monkeypatch):
    paths = warehouse_copy
    planted = plant_personal_text(paths)
    monkeypatch.setenv("OUTCOMES_RESTRICTED_SERVING", "on")
    publish.publish(paths)

    report = handoff.hand_off(paths)

    restricted = paths.serving_path.parent / "restricted" / paths.serving_path.name
    assert report["clear_values_from"] == [f"restricted release {restricted}"]
    row, item = handed_off(report, planted["key"])
    assert row["body"] == item["body"] == planted["text"] and item["contact_email"] == planted["email"]
