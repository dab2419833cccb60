"""API extractors against a real local HTTP server: paging, incremental state, retries, faults, then ingest."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import requests

import ingest
from extract import salesforce, x_api, zendesk
from extract.http import ApiClient, ApiError, MissingCredentials, RetryPolicy, secret
from tests.fake_apis import SALESFORCE_TOKEN, SLOW_SECONDS, X_TOKEN, ZENDESK_TOKEN, ZENDESK_USER, FakeApis

FAST = RetryPolicy(attempts=6, backoff_seconds=0.01, max_wait_seconds=2, connect_timeout=2, read_timeout=0.5)
assert FAST.read_timeout < SLOW_SECONDS


def read_pages(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def source_records(demo_landing):
    tweet_pages = read_pages(demo_landing / "x" / "tweets")[:4]
    ticket_pages = read_pages(demo_landing / "zendesk" / "tickets")[:3]
    event_pages = read_pages(demo_landing / "zendesk" / "ticket_events")[:2]
    accounts = pd.read_csv(demo_landing / "crm" / "accounts.csv", dtype=str).head(120)
    salesforce_accounts = [
        {"attributes": {"type": "Account", "url": f"/services/data/v61.0/sobjects/Account/{row['Id']}"}}
        | {**row, "AnnualRevenue": float(row["AnnualRevenue"]), "NumberOfEmployees": int(row["NumberOfEmployees"])}
        for row in accounts.to_dict("records")
    ]
    return {
        "salesforce": {"Account": salesforce_accounts},
        "ticket_events": [event for page in event_pages for event in page["ticket_events"]],
        "tweets": [tweet for page in tweet_pages for tweet in page["data"]],
        "users": [user for page in tweet_pages for user in page["includes"]["users"]],
        "tickets": [ticket for page in ticket_pages for ticket in page["tickets"]],
        "ticket_users": [user for page in ticket_pages for user in page["users"]],
    }


@pytest.fixture
def server(source_records):
    copies = {
        key: (list(value) if isinstance(value, list) else {k: list(v) for k, v in value.items()})
        for key, value in source_records.items()
    }
    with FakeApis(**copies) as apis:
        yield apis


def x_client(server) -> ApiClient:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {X_TOKEN}"
    return ApiClient(server.url, session, FAST)


def zendesk_client(server) -> ApiClient:
    session = requests.Session()
    session.auth = (f"{ZENDESK_USER}/token", ZENDESK_TOKEN)
    return ApiClient(server.url, session, FAST)


def raw_ids(landing: Path, warehouse: Path, table: str) -> list:
    ingest.load_landing(landing, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [row[0] for row in con.execute(f"SELECT id FROM raw.{table} ORDER BY id").fetchall()]


def test_mentions_page_through_and_land_in_the_contract_shape(server, tmp_path):
    landing, state = tmp_path / "landing", tmp_path / "state.json"
    report = x_api.pull_mentions(x_client(server), landing, state, page_size=40)
    assert report.records == len(server.tweets) and report.pages == -(-len(server.tweets) // 40)
    assert report.retries == 0
    ids = raw_ids(landing, tmp_path / "wh.duckdb", "x_tweets")
    assert ids == sorted(tweet["id"] for tweet in server.tweets)
    assert json.loads(state.read_text())["x_mentions"] == {"since_id": server.tweets[0]["id"]}


def test_transient_faults_are_retried_with_retry_after_and_nothing_is_lost(server, tmp_path):
    server.faults.extend(["429", "500", "slow", "truncated"])
    landing, state = tmp_path / "landing", tmp_path / "state.json"
    report = x_api.pull_mentions(x_client(server), landing, state, page_size=40)
    assert report.retries == 4
    assert report.records == len(server.tweets)
    assert raw_ids(landing, tmp_path / "wh.duckdb", "x_tweets") == sorted(t["id"] for t in server.tweets)


def test_a_failed_run_resumes_from_the_saved_cursor_without_loss_or_doubles(server, tmp_path):
    landing, state, warehouse = tmp_path / "landing", tmp_path / "state.json", tmp_path / "wh.duckdb"
    client = x_client(server)
    # Pages 1 and 2 are served; from then on the API fails more often than the client retries.
    original = server.search
    calls = {"n": 0}

    def flaky(params):
        calls["n"] += 1
        if calls["n"] == 2:
            server.faults.extend(["500"] * FAST.attempts)
        return original(params)

    server.search = flaky
    with pytest.raises(ApiError, match="after 6 attempts"):
        x_api.pull_mentions(client, landing, state, page_size=40)
    pending = json.loads(state.read_text())["x_mentions"]["pending"]
    assert pending["next_token"] == "80"
    partial = raw_ids(landing, warehouse, "x_tweets")
    assert len(partial) == 80

    server.search = original
    server.faults.clear()
    resumed = x_api.pull_mentions(x_client(server), landing, state, page_size=40)
    assert resumed.records == len(server.tweets) - 80
    assert ("/2/tweets/search/recent", {"next_token": "80"}) in [
        (path, {"next_token": params.get("next_token")}) for path, params in server.requests
    ]
    assert raw_ids(landing, warehouse, "x_tweets") == sorted(t["id"] for t in server.tweets)


def test_next_run_asks_only_for_newer_tweets(server, tmp_path, source_records):
    landing, state, warehouse = tmp_path / "landing", tmp_path / "state.json", tmp_path / "wh.duckdb"
    newest = server.tweets[0]
    x_api.pull_mentions(x_client(server), landing, state, page_size=100)
    newer = {**newest, "id": str(int(newest["id"]) + 1), "conversation_id": str(int(newest["id"]) + 1)}
    server.tweets.insert(0, newer)
    server.requests.clear()
    again = x_api.pull_mentions(x_client(server), landing, state, page_size=100)
    assert again.records == 1
    assert server.requests[0][1]["since_id"] == newest["id"]
    assert len(raw_ids(landing, warehouse, "x_tweets")) == len(server.tweets)


def test_bad_credentials_fail_at_once_without_retrying(server, tmp_path):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer wrong"
    client = ApiClient(server.url, session, FAST)
    with pytest.raises(ApiError, match="HTTP 401"):
        x_api.pull_mentions(client, tmp_path / "landing", tmp_path / "state.json")
    assert client.requests_made == 1


def test_credentials_come_from_the_environment_or_fail_clearly(monkeypatch):
    monkeypatch.setenv("OUTCOMES_X_BEARER_TOKEN", "from-env")
    assert secret("OUTCOMES_X_BEARER_TOKEN", "outcomes_x_api") == "from-env"
    monkeypatch.delenv("OUTCOMES_X_BEARER_TOKEN")
    monkeypatch.setenv("AIRFLOW_CONN_OUTCOMES_X_API", json.dumps({"conn_type": "http", "password": "from-airflow"}))
    assert secret("OUTCOMES_X_BEARER_TOKEN", "outcomes_x_api") == "from-airflow"
    with pytest.raises(MissingCredentials, match="OUTCOMES_ZENDESK_API_TOKEN"):
        secret("OUTCOMES_ZENDESK_API_TOKEN", "outcomes_zendesk_missing")


def test_zendesk_cursor_export_resumes_and_picks_up_changed_tickets(server, tmp_path):
    landing, state, warehouse = tmp_path / "landing", tmp_path / "state.json", tmp_path / "wh.duckdb"
    server.page_size = 40
    server.faults.extend(["truncated", "429"])
    first = zendesk.pull_tickets(zendesk_client(server), landing, state)
    assert first.records == len(server.tickets) and first.retries == 2
    assert json.loads(state.read_text())["zendesk_tickets"]["after_cursor"] == str(len(server.tickets))

    changed = {**server.tickets[0], "status": "closed", "updated_at": "2026-07-01T00:00:00Z"}
    server.tickets.append(changed)
    second = zendesk.pull_tickets(zendesk_client(server), landing, state)
    assert second.records == 1
    ingest.load_landing(landing, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        versions = con.execute(
            "SELECT status FROM raw.zendesk_tickets WHERE id = ? ORDER BY updated_at", [changed["id"]]
        ).fetchall()
        total = con.execute("SELECT count(*) FROM raw.zendesk_tickets").fetchone()[0]
    assert versions[-1] == ("closed",) and len(versions) >= 2
    assert total == len(server.tickets)


def write_config(path: Path, enabled: bool) -> Path:
    path.write_text(
        "streams:\n"
        f"  x_mentions:\n    enabled: {str(enabled).lower()}\n    page_size: 40\n"
        "  zendesk_tickets:\n    enabled: false\n"
    )
    return path


def test_configuration_enables_streams_and_environment_overrides(server, tmp_path, monkeypatch):
    from extract import run

    monkeypatch.setenv("OUTCOMES_X_API_URL", server.url)
    monkeypatch.setenv("OUTCOMES_X_BEARER_TOKEN", X_TOKEN)
    landing = tmp_path / "landing"
    assert run.run_enabled(write_config(tmp_path / "off.yml", False), landing) == {"enabled": [], "streams": {}}
    pulled = run.run_enabled(write_config(tmp_path / "on.yml", True), landing)
    assert pulled["enabled"] == ["x_mentions"]
    assert pulled["streams"]["x_mentions"]["records"] == len(server.tweets)
    assert (landing / run.STATE_FILE).exists()
    monkeypatch.setenv("OUTCOMES_EXTRACT_STREAMS", "none")
    assert run.run_enabled(tmp_path / "on.yml", landing)["enabled"] == []
    monkeypatch.setenv("OUTCOMES_EXTRACT_STREAMS", "x_mentions,facebook")
    with pytest.raises(ValueError, match="facebook"):
        run.run_enabled(tmp_path / "on.yml", landing)


def test_shipped_configuration_is_valid_and_off_by_default():
    from extract import run

    config_path = Path(__file__).resolve().parent.parent / "config" / "sources.yml"
    import yaml

    config = yaml.safe_load(config_path.read_text())
    assert set(config["streams"]) == set(run.PULLERS)
    assert run.enabled_streams(config) == []


def test_zendesk_ticket_events_export_by_time_counts_boundary_repeats_as_duplicates(server, tmp_path):
    landing, state, warehouse = tmp_path / "landing", tmp_path / "state.json", tmp_path / "wh.duckdb"
    server.page_size = 40
    server.faults.extend(["500", "slow"])
    report = zendesk.pull_ticket_events(zendesk_client(server), landing, state)
    assert report.retries == 2
    assert report.records >= len(server.ticket_events)
    last = server.ticket_events[-1]["timestamp"]
    assert json.loads(state.read_text())["zendesk_ticket_events"]["start_time"] == last
    assert raw_ids(landing, warehouse, "zendesk_ticket_events") == sorted(e["id"] for e in server.ticket_events)

    newer = {**server.ticket_events[-1], "id": server.ticket_events[-1]["id"] + 10**6, "timestamp": last + 60}
    server.ticket_events.append(newer)
    server.requests.clear()
    zendesk.pull_ticket_events(zendesk_client(server), landing, state)
    assert server.requests[0][1]["start_time"] == str(last)
    assert raw_ids(landing, warehouse, "zendesk_ticket_events")[-1] == newer["id"]


def test_salesforce_query_pages_resume_and_load_into_the_crm_tables(server, tmp_path):
    landing, state, warehouse = tmp_path / "landing", tmp_path / "state.json", tmp_path / "wh.duckdb"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {SALESFORCE_TOKEN}"
    server.page_size = 50
    server.faults.extend(["truncated", "429"])
    accounts = server.salesforce["Account"]
    report = salesforce.pull_object(ApiClient(server.url, session, FAST), landing, state, "Account")
    assert report.records == len(accounts) and report.pages == -(-len(accounts) // 50) and report.retries == 2
    newest = max(account["LastModifiedDate"] for account in accounts)
    assert json.loads(state.read_text())["salesforce_accounts"] == {"since": newest}

    changed = {**accounts[0], "Name": "Renamed Co", "LastModifiedDate": "2026-06-30T12:00:00.000Z"}
    accounts.append(changed)
    again = salesforce.pull_object(ApiClient(server.url, session, FAST), landing, state, "Account")
    assert again.records == 1 + sum(account["LastModifiedDate"] == newest for account in accounts[:-1])
    ingest_report = ingest.load_landing(landing, warehouse)
    counts = ingest_report.entities["crm_accounts"]
    assert counts.new_columns == [] and counts.rows_quarantined == 0
    assert counts.rows_loaded == len(accounts)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "SELECT Name FROM raw.crm_accounts WHERE Id = ? ORDER BY LastModifiedDate", [changed["Id"]]
        ).fetchall()
        revenue = con.execute("SELECT AnnualRevenue FROM raw.crm_accounts LIMIT 1").fetchone()[0]
    assert names[-1] == ("Renamed Co",) and len(names) == 2
    assert float(revenue) > 0
