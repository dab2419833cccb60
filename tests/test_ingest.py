"""Ingest layer against hand-written landing fixtures in the shapes of docs/landing_contract.md."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import ingest

# Quarantine is tested here on tiny files; the share of a file that may be refused has its own tests.
pytestmark = pytest.mark.usefixtures("any_refused_share")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_LANDING = Path(__file__).parent / "fixtures" / "landing"


def _cols(type_: str, names: str) -> list[tuple[str, str]]:
    return [(name.strip(), type_) for name in names.split(",")]


# Transcribed from the contract's "Tables in raw", independently of the ingest modules.
CONTRACT_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "x_tweets": _cols("VARCHAR", "id, text, author_id, created_at, conversation_id, in_reply_to_user_id, lang")
    + _cols("JSON", "referenced_tweets, entities, public_metrics"),
    "x_dm_events": _cols("VARCHAR", "id, event_type, text, sender_id, dm_conversation_id, created_at")
    + _cols("JSON", "participant_ids"),
    "x_own_tweets": _cols("VARCHAR", "id, text, author_id, created_at, conversation_id, lang, pulled_at")
    + _cols("JSON", "referenced_tweets, public_metrics"),
    "x_users": _cols("VARCHAR", "id, username, name, created_at")
    + _cols("BOOLEAN", "verified")
    + _cols("JSON", "public_metrics"),
    "zendesk_tickets": _cols("BIGINT", "id, requester_id, submitter_id, assignee_id, group_id, organization_id")
    + _cols("VARCHAR", "url, created_at, updated_at, type, subject, description, priority, status")
    + _cols("JSON", "tags, via, custom_fields"),
    "zendesk_users": _cols("BIGINT", "id") + _cols("VARCHAR", "name, email, role, created_at, updated_at"),
    "zendesk_ticket_events": _cols("BIGINT", "id, ticket_id, updater_id, timestamp")
    + _cols("VARCHAR", "created_at, event_type")
    + _cols("JSON", "via, child_events"),
    "zendesk_groups": _cols("BIGINT", "id") + _cols("VARCHAR", "name, created_at, updated_at"),
    "reviews": _cols(
        "VARCHAR",
        "review_id, source, product, rating, title, body, author_name, author_email, author_handle, language, "
        "created_at",
    ),
    "community_ideas": _cols("VARCHAR", "id, title, details, status, created")
    + _cols("BIGINT", "score, commentCount")
    + _cols("JSON", "author, board, category, tags"),
    "crm_accounts": _cols(
        "VARCHAR",
        "Id, Name, Industry, AnnualRevenue, NumberOfEmployees, BillingCountry, Type, CreatedDate, LastModifiedDate",
    ),
    "crm_contacts": _cols(
        "VARCHAR",
        "Id, AccountId, FirstName, LastName, Email, Twitter_Handle__c, Title, LeadSource, CreatedDate, "
        "LastModifiedDate",
    ),
    "crm_opportunities": _cols(
        "VARCHAR",
        "Id, AccountId, ContactId, Name, StageName, Amount, Probability, CreatedDate, CloseDate, IsClosed, IsWon, "
        "LeadSource, LastModifiedDate",
    ),
    "crm_customer_lifecycle": _cols("VARCHAR", "account_id, customer_since, churned_at, plan, mrr"),
    "segment_events": _cols(
        "VARCHAR", "messageId, type, event, name, userId, anonymousId, timestamp, receivedAt, sentAt"
    )
    + _cols("JSON", "context, properties, traits"),
    "email_events": _cols("VARCHAR", "email, event, sg_event_id, sg_message_id, url, useragent")
    + _cols("BIGINT", "timestamp")
    + _cols("JSON", "category"),
    "twcs_tweets": _cols(
        "VARCHAR", "tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id"
    ),
    "call_center_calls": _cols(
        "VARCHAR",
        "call_id, direction, from_number, to_number, contact_email, queue, agent_id, started_at, answered_at, "
        "ended_at, wait_seconds, talk_seconds, disposition",
    ),
}
META_COLUMNS = [
    ("_extra_fields", "JSON"),
    ("_record_hash", "VARCHAR"),
    ("_batch_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_source_file", "VARCHAR"),
]
# Real exports loaded as published (tests/test_real_exports.py loads them); every column VARCHAR.
REAL_EXPORT_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "olist_customers": _cols(
        "VARCHAR", "customer_id, customer_unique_id, customer_zip_code_prefix, customer_city, customer_state"
    ),
    "olist_orders": _cols(
        "VARCHAR",
        "order_id, customer_id, order_status, order_purchase_timestamp, order_approved_at, "
        "order_delivered_carrier_date, order_delivered_customer_date, order_estimated_delivery_date",
    ),
    "olist_order_items": _cols(
        "VARCHAR", "order_id, order_item_id, product_id, seller_id, shipping_limit_date, price, freight_value"
    ),
    "olist_order_payments": _cols(
        "VARCHAR", "order_id, payment_sequential, payment_type, payment_installments, payment_value"
    ),
    "olist_order_reviews": _cols(
        "VARCHAR",
        "review_id, order_id, review_score, review_comment_title, review_comment_message, review_creation_date, "
        "review_answer_timestamp",
    ),
    "olist_products": _cols(
        "VARCHAR",
        "product_id, product_category_name, product_name_lenght, product_description_lenght, product_photos_qty, "
        "product_weight_g, product_length_cm, product_height_cm, product_width_cm",
    ),
    "olist_sellers": _cols("VARCHAR", "seller_id, seller_zip_code_prefix, seller_city, seller_state"),
    "olist_category_translations": _cols("VARCHAR", "product_category_name, product_category_name_english"),
    "olist_geolocation": _cols(
        "VARCHAR",
        "geolocation_zip_code_prefix, geolocation_lat, geolocation_lng, geolocation_city, geolocation_state",
    ),
    "olist_marketing_qualified_leads": _cols("VARCHAR", "mql_id, first_contact_date, landing_page_id, origin"),
    "olist_closed_deals": _cols(
        "VARCHAR",
        "mql_id, seller_id, sdr_id, sr_id, won_date, business_segment, lead_type, lead_behaviour_profile, "
        "has_company, has_gtin, average_stock, business_type, declared_product_catalog_size, declared_monthly_revenue",
    ),
    "maven_accounts": _cols(
        "VARCHAR", "account, sector, year_established, revenue, employees, office_location, subsidiary_of"
    ),
    "maven_products": _cols("VARCHAR", "product, series, sales_price"),
    "maven_sales_teams": _cols("VARCHAR", "sales_agent, manager, regional_office"),
    "maven_sales_pipeline": _cols(
        "VARCHAR", "opportunity_id, sales_agent, product, account, deal_stage, engage_date, close_date, close_value"
    ),
}
ACCOUNTING_TABLES = {"_ingest_files", "_ingest_audit", "_quarantine"}
# Views over the generic file drops mapped onto each canonical entity (empty without drops).
FILE_DROP_VIEWS = {
    f"file_drop_{name}" for name in ("interactions", "touchpoints", "accounts", "contacts", "opportunities")
}
LEDGER_COLUMNS = _cols("VARCHAR", "source_file, content_sha256, entity, batch_id") + [
    ("rows_loaded", "BIGINT"),
    ("loaded_at", "TIMESTAMP"),
    ("data_interval", "VARCHAR"),
]


def _page_records(*keys: str):
    def count(path: Path) -> int:
        total = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            value = json.loads(line)
            for key in keys:
                value = value.get(key, {})
            total += len(value or [])
        return total

    return count


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def _csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def _groups(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8"))["groups"])


SOURCES: dict[str, tuple[tuple[str, ...], object]] = {
    "x_tweets": (("x/tweets/*.jsonl",), _page_records("data")),
    "x_dm_events": (("x/dm_events/*.jsonl",), _page_records("data")),
    "x_own_tweets": (("x/own_tweets/*.jsonl",), _page_records("data")),
    "x_users": (("x/tweets/*.jsonl", "x/dm_events/*.jsonl"), _page_records("includes", "users")),
    "zendesk_tickets": (("zendesk/tickets/*.jsonl",), _page_records("tickets")),
    "zendesk_users": (("zendesk/tickets/*.jsonl",), _page_records("users")),
    "zendesk_ticket_events": (("zendesk/ticket_events/*.jsonl",), _page_records("ticket_events")),
    "zendesk_groups": (("zendesk/groups.json",), _groups),
    "reviews": (("reviews/*.csv",), _csv_rows),
    "community_ideas": (("community/ideas/*.jsonl",), _page_records("posts")),
    "crm_accounts": (("crm/accounts.csv",), _csv_rows),
    "crm_contacts": (("crm/contacts.csv",), _csv_rows),
    "crm_opportunities": (("crm/opportunities.csv",), _csv_rows),
    "crm_customer_lifecycle": (("crm/customer_lifecycle.csv",), _csv_rows),
    "segment_events": (("segment/events/*.jsonl",), _lines),
    "email_events": (("email/events/*.jsonl",), _lines),
    "call_center_calls": (("calls/*.csv",), _csv_rows),
    "twcs_tweets": (("twcs/*.csv",), _csv_rows),
}


def expected_count(landing: Path, table: str) -> int:
    patterns, count = SOURCES[table]
    return sum(count(path) for pattern in patterns for path in landing.glob(pattern))


def table_count(warehouse: Path, table: str, where: str = "") -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f'SELECT count(*) FROM raw."{table}" {where}').fetchone()[0]


def all_counts(warehouse: Path) -> dict[str, int]:
    return {table: table_count(warehouse, table) for table in [*CONTRACT_COLUMNS, "_ingest_files"]}


@pytest.fixture
def landing(tmp_path) -> Path:
    """A private, writable copy of the fixture landing folder."""
    return Path(shutil.copytree(FIXTURE_LANDING, tmp_path / "landing"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("loaded") / "nested" / "dir" / "warehouse.duckdb"
    report = ingest.load_landing(FIXTURE_LANDING, warehouse, batch_id="batch-1")
    return report, warehouse


def test_fixtures_cover_every_contract_table():
    assert set(SOURCES) == set(CONTRACT_COLUMNS)
    for table in CONTRACT_COLUMNS:
        assert expected_count(FIXTURE_LANDING, table) > 0, table


def test_raw_tables_have_contract_columns_and_types(loaded):
    _, warehouse = loaded
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' ORDER BY table_name, ordinal_position"
        ).fetchall()
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in rows:
        actual.setdefault(table, []).append((column, type_))
    assert set(actual) == {*CONTRACT_COLUMNS, *REAL_EXPORT_COLUMNS, *ACCOUNTING_TABLES, *FILE_DROP_VIEWS}
    for table, columns in {**CONTRACT_COLUMNS, **REAL_EXPORT_COLUMNS}.items():
        assert sorted(actual[table]) == sorted(columns + META_COLUMNS), table
    assert actual["_ingest_files"] == LEDGER_COLUMNS


def test_every_source_record_is_read_and_loaded_once(loaded):
    report, warehouse = loaded
    for table in CONTRACT_COLUMNS:
        counts = report.entities[table]
        assert counts.rows_read == expected_count(FIXTURE_LANDING, table), table
        assert counts.rows_quarantined == 0, table
        assert table_count(warehouse, table) == counts.rows_loaded == counts.rows_read - counts.rows_duplicate, table
    # The same user is side-loaded on several pages: identical copies are counted as duplicates, not loaded again.
    assert report.entities["x_users"].rows_duplicate > 0
    assert report.entities["x_tweets"].rows_duplicate == 0
    assert report.files_failed == 0
    assert set(report.missing_entities) == set(REAL_EXPORT_COLUMNS)  # this landing folder has no real exports


def test_report_is_json_serialisable(loaded):
    report, _ = loaded
    payload = json.loads(json.dumps(report.to_dict()))
    assert payload["batch_id"] == "batch-1"
    assert payload["totals"]["rows_loaded"] == report.rows_loaded
    assert payload["entities"]["x_users"]["files_loaded"] == 2


def test_meta_columns_and_ledger(loaded):
    report, warehouse = loaded
    with duckdb.connect(str(warehouse), read_only=True) as con:
        meta = con.execute(
            "SELECT DISTINCT _batch_id, _loaded_at, _source_file FROM raw.x_tweets UNION ALL "
            "SELECT DISTINCT _batch_id, _loaded_at, _source_file FROM raw.reviews ORDER BY _source_file"
        ).fetchall()
        ledger = con.execute(
            "SELECT entity, source_file, rows_loaded, batch_id, length(content_sha256) FROM raw._ingest_files "
            "WHERE entity = 'x_users' ORDER BY source_file"
        ).fetchall()
    assert [row[2] for row in meta] == ["reviews/2025-01.csv", "x/tweets/2025-01.jsonl"]
    assert {row[0] for row in meta} == {"batch-1"}
    assert len({row[1] for row in meta}) == 1
    assert meta[0][1].isoformat() == report.loaded_at
    assert [(entity, source_file, batch, digits) for entity, source_file, _, batch, digits in ledger] == [
        ("x_users", "x/dm_events/2025-01.jsonl", "batch-1", 64),
        ("x_users", "x/tweets/2025-01.jsonl", "batch-1", 64),
    ]
    assert sum(row[2] for row in ledger) == table_count(warehouse, "x_users")


def test_nested_values_are_json_and_absent_fields_null(loaded):
    _, warehouse = loaded
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tweet = con.execute(
            "SELECT referenced_tweets, entities, in_reply_to_user_id, public_metrics FROM raw.x_tweets "
            "WHERE id = '1875000000000000003'"
        ).fetchone()
        reply = con.execute("SELECT referenced_tweets FROM raw.x_tweets WHERE id = '1875000000000000002'").fetchone()
        idea = con.execute(
            "SELECT details, score, tags FROM raw.community_ideas WHERE id = '5f1a0000000000000000aa03'"
        ).fetchone()
        ticket = con.execute(
            "SELECT organization_id, assignee_id, tags FROM raw.zendesk_tickets WHERE status = 'new'"
        ).fetchone()
        verified = con.execute("SELECT verified FROM raw.x_users WHERE id = '1001'").fetchone()
        email = con.execute("SELECT url, useragent, category FROM raw.email_events WHERE sg_event_id = 'e1'").fetchone()
    assert tweet[:3] == (None, None, None)
    assert json.loads(tweet[3])["like_count"] == 30
    assert json.loads(reply[0]) == [{"type": "replied_to", "id": "1875000000000000001"}]
    assert idea[0] is None and idea[1] == 7 and json.loads(idea[2]) == [{"name": "api"}]
    assert ticket[:2] == (None, None) and json.loads(ticket[2]) == ["billing"]
    assert verified == (True,)
    assert email[:2] == (None, None) and json.loads(email[2]) == ["newsletter"]


def test_csv_quoting_and_empty_fields(loaded):
    _, warehouse = loaded
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reviews = dict(
            con.execute("SELECT review_id, [body, author_email, author_handle, rating] FROM raw.reviews").fetchall()
        )
        account = con.execute("SELECT Name FROM raw.crm_accounts WHERE Id = '001000000000000001'").fetchone()
    assert reviews["r-0001"] == ["Fast, friendly answers", "jane@example.com", "jane_doe", "5"]
    assert reviews["r-0002"] == ['Charged twice.\nRefund took a week, "eventually" fixed', None, "bob_r", "2"]
    assert reviews["r-0003"][2] is None
    assert account == ("Doe, Inc.",)


def test_second_load_adds_nothing(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    first = ingest.load_landing(landing, warehouse)
    before = all_counts(warehouse)
    second = ingest.load_landing(landing, warehouse)
    assert second.batch_id != first.batch_id
    assert second.files_loaded == 0 and second.rows_loaded == 0
    assert second.files_skipped == first.files_loaded
    assert all_counts(warehouse) == before


def test_renamed_copy_is_skipped(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest.load_landing(landing, warehouse)
    shutil.copy(landing / "email/events/2025-01.jsonl", landing / "email/events/2025-02.jsonl")
    shutil.copy(landing / "reviews/2025-01.csv", landing / "reviews/copy.csv")
    before = all_counts(warehouse)
    report = ingest.load_landing(landing, warehouse)
    assert report.entities["email_events"].files_skipped == 2
    assert report.entities["reviews"].files_skipped == 2
    assert report.files_loaded == 0
    assert all_counts(warehouse) == before


def test_new_file_loads_later_with_its_own_batch(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    ingest.load_landing(landing, warehouse, batch_id="b1")
    events = [
        {"email": "sam@example.com", "timestamp": 1738400000, "event": "processed", "sg_event_id": "f1",
         "sg_message_id": "msg9", "category": ["newsletter"]},
        {"email": "sam@example.com", "timestamp": 1738400100, "event": "bounce", "sg_event_id": "f2",
         "sg_message_id": "msg9", "category": ["newsletter"]},
    ]  # fmt: skip
    (landing / "email/events/2025-02.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    report = ingest.load_landing(landing, warehouse, batch_id="b2")
    assert report.files_loaded == 1
    assert report.entities["email_events"].rows_loaded == 2
    assert table_count(warehouse, "email_events", "WHERE _batch_id = 'b2'") == 2
    assert table_count(warehouse, "email_events", "WHERE _source_file = 'email/events/2025-02.jsonl'") == 2
    assert table_count(warehouse, "email_events", "WHERE _batch_id = 'b1'") == expected_count(
        FIXTURE_LANDING, "email_events"
    )
    assert table_count(warehouse, "_ingest_files", "WHERE batch_id = 'b2'") == 1


def test_truncated_json_line_is_quarantined_and_the_rest_of_the_file_loads(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    bad_tweets = landing / "x/tweets/2025-02.jsonl"
    good_page = (landing / "x/tweets/2025-01.jsonl").read_text().splitlines()[0]
    new_page = good_page.replace("1875000000000000001", "1875000000000000101")
    bad_tweets.write_text(new_page + "\n" + good_page[: len(good_page) // 2] + "\n")
    bad_segment = landing / "segment/events/2025-02.jsonl"
    bad_segment.write_text(
        '{"messageId": "z-1", "type": "track", "event": "Signed Up", "timestamp": "2025-02-01T10:00:00Z"}\n'
        '{"messageId": "z-2", "ty\n'
    )

    report = ingest.load_landing(landing, warehouse)

    assert report.files_failed == 0
    assert report.entities["segment_events"].rows_quarantined == 1
    assert report.entities["x_tweets"].rows_quarantined == 1
    assert table_count(warehouse, "segment_events", "WHERE _source_file = 'segment/events/2025-02.jsonl'") == 1
    assert table_count(warehouse, "x_tweets", "WHERE _source_file = 'x/tweets/2025-02.jsonl'") > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reasons = con.execute("SELECT entity, reason, payload FROM raw._quarantine ORDER BY entity").fetchall()
    assert [(entity, reason.split(":")[0]) for entity, reason, _ in reasons] == [
        ("segment_events", "invalid JSON at line 2"),
        ("x_tweets", "invalid JSON at line 2"),
        ("x_users", "invalid JSON at line 2"),
    ]
    assert reasons[0][2] == '{"messageId": "z-2", "ty'
    # The file was handled: a second run skips it instead of quarantining the same line again.
    again = ingest.load_landing(landing, warehouse)
    assert again.rows_loaded == 0 and again.rows_quarantined == 0


def test_csv_without_a_required_column_is_quarantined_row_by_row(landing, tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    (landing / "calls/2025-02.csv").write_text("call_id,direction\nc-9,inbound\n")
    report = ingest.load_landing(landing, warehouse)
    calls = report.entities["call_center_calls"]
    assert calls.rows_quarantined == 1
    assert "started_at" in calls.missing_columns
    assert table_count(warehouse, "call_center_calls") == expected_count(FIXTURE_LANDING, "call_center_calls")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reason, payload = con.execute("SELECT reason, payload FROM raw._quarantine").fetchone()
    assert reason == "missing required field started_at"
    assert json.loads(payload) == {"call_id": "c-9", "direction": "inbound"}


def test_missing_families_create_empty_tables_and_are_reported(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING / "crm", landing / "crm")
    warehouse = tmp_path / "wh.duckdb"
    report = ingest.load_landing(landing, warehouse)
    crm = {"crm_accounts", "crm_contacts", "crm_opportunities", "crm_customer_lifecycle"}
    assert set(report.missing_entities) == {*CONTRACT_COLUMNS, *REAL_EXPORT_COLUMNS} - crm
    assert report.entities["x_tweets"].files_found == 0
    counts = all_counts(warehouse)
    assert all(counts[table] == 0 for table in set(CONTRACT_COLUMNS) - crm)
    assert all(counts[table] > 0 for table in crm)


def test_files_no_source_reads_are_listed_not_loaded(landing, tmp_path):
    (landing / "exports").mkdir()
    (landing / "exports" / "churn.xlsx").write_bytes(b"PK\x03\x04")
    (landing / "MANIFEST.md").write_text("# where these files came from\n")
    (landing / ".DS_Store").write_bytes(b"\x00")
    report = ingest.load_landing(landing, tmp_path / "wh.duckdb")
    assert report.unmatched_files == ["MANIFEST.md", "exports/churn.xlsx", "twcs/PROVENANCE.md"]
    assert report.to_dict()["unmatched_files"] == report.unmatched_files
    assert report.failures == []


def test_missing_landing_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        ingest.load_landing(tmp_path / "nope", tmp_path / "wh.duckdb")


def test_cli_prints_report_and_fails_on_bad_file(landing, tmp_path):
    warehouse = tmp_path / "out" / "wh.duckdb"
    command = [sys.executable, "-m", "ingest", "--landing", str(landing), "--warehouse", str(warehouse)]
    done = subprocess.run([*command, "--batch-id", "cli-1"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["batch_id"] == "cli-1"
    assert payload["totals"]["rows_loaded"] == sum(table_count(warehouse, t) for t in CONTRACT_COLUMNS)
    assert payload["totals"]["rows_quarantined"] == 0

    # A CSV whose header has none of the contract's columns is the wrong file: it fails, named on stderr.
    (landing / "calls/2025-03.csv").write_bytes(b"\x00\x01\x02" * 10)
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "call_center_calls: calls/2025-03.csv" in done.stderr
    payload = json.loads(done.stdout)
    assert payload["totals"]["files_failed"] == 1
    assert payload["totals"]["files_skipped"] > 0
    assert payload["batch_id"] != "cli-1"
