"""`make profile DATA=folder` (ingest/profile.py): the file drop entries it prints for exports ingest does not
recognise parse, name the right event time and form, and load every record of their files without a refusal."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

import ingest
from ingest.file_drops import parse_drop
from ingest.profile import profile_folder, render

ROOT = Path(__file__).resolve().parent.parent
REALDATA_EXCERPTS = ROOT / "tests" / "fixtures" / "realdata"
SHARED_REALDATA = ROOT.parent / "shared" / "realdata"
NO_DROPS = ROOT / "tests" / "fixtures" / "no-such-sources.yml"

TWEETS = [  # (tweet_id, author, text, created_at, in_reply_to_id, inbound)
    ("1000000001", "sam_k", "@AcmeHelp my order never arrived", "2024-11-04 08:15:02 -0800", "", "True"),
    (
        "1000000002",
        "AcmeHelp",
        "@sam_k sorry! DM us the order number",
        "2024-11-04 09:01:44 -0800",
        "1000000001",
        "False",
    ),
    ("1000000003", "lee_r", '@AcmeHelp app crashes on login,\r\n"again"', "2024-11-05 23:59:59 -0800", "", "True"),
    ("1000000004", "AcmeHelp", "@lee_r which version are you on?", "2024-11-06 07:30:00 -0800", "1000000003", "False"),
    ("1000000005", "mo_z", "@AcmeHelp thanks, sorted", "2024-12-31 16:00:00 -0800", "", "True"),
]
TICKETS = [
    {
        "ticket_id": 501 + i,
        "subject": f"Refund request {i}",
        "description": "I was charged twice for the same order, please refund the second charge.",
        "requester": {"email": f"customer{i}@example.com", "name": f"Customer {i}"},
        "created": 1735725600000 + i * 3_600_000,  # 2025-01-01T10:00:00Z, then hourly
        "tags": ["billing", "refund"],
        "solved": i % 2 == 0,
        **({"priority": "high"} if i % 3 else {}),
    }
    for i in range(12)
]
DEALS = (  # day-first local times, a day above 12 so the order reads one way only
    "deal_id,company,stage,amount,created\n"
    "D-1,Globex,Prospecting,1200.50,25/12/2024 14:30\n"
    "D-2,Initech,Closed Won,800,03/01/2025 09:05\n"
    "D-3,Umbrella,Negotiation,15000,17/01/2025 17:45\n"
)
PEOPLE = (
    "person_id,email,full_name,city,signup_date\n"
    "p1,ana@example.com,Ana Lima,Porto,2024-02-01\n"
    "p2,bo@example.com,Bo Chen,Leeds,2024-03-15\n"
)


def _csv(rows: list[tuple], header: str) -> bytes:
    """A pandas-style export: BOM, blank index header, CRLF line ends, quoted fields with commas and newlines."""

    def field(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value

    lines = [header] + [",".join([str(i), *map(field, row)]) for i, row in enumerate(rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


@pytest.fixture(scope="module")
def made_up(tmp_path_factory) -> Path:
    """Exports no built-in source reads, plus files the profile must list as skipped."""
    landing = tmp_path_factory.mktemp("made_up")
    (landing / "social").mkdir()
    (landing / "social" / "customer_tweets.csv").write_bytes(
        _csv(TWEETS, ",tweet_id,author,text,created_at,in_reply_to_id,inbound")
    )
    (landing / "helpdesk" / "tickets").mkdir(parents=True)
    for month, records in (("2025-01", TICKETS[:6]), ("2025-02", TICKETS[6:])):
        lines = "\n".join(json.dumps(record) for record in records)
        (landing / "helpdesk" / "tickets" / f"{month}.jsonl").write_text(lines + "\n")
    (landing / "crm_export").mkdir()
    (landing / "crm_export" / "deals.csv").write_text(DEALS)
    (landing / "people.csv").write_text(PEOPLE)
    (landing / "shop").mkdir()
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT 9000 + i AS order_id, 'buyer' || i || '@example.com' AS customer_email, "
            "CAST(19.9 * (i + 1) AS DECIMAL(10, 2)) AS total, "
            "TIMESTAMPTZ '2025-03-01 10:00:00+00' + i * INTERVAL 1 DAY AS placed_at, "
            "[{'sku': 'A' || i, 'qty': 1}] AS items FROM range(7) t(i)) "
            f"TO '{landing / 'shop' / 'orders.parquet'}' (FORMAT parquet)"
        )
    (landing / ".cache").mkdir()
    (landing / ".cache" / "old.csv").write_text("a\n1\n")
    (landing / "manifest.json").write_text("{}")
    (landing / "notes.txt").write_text("not data")
    (landing / "export.json").write_text('[{"a": 1}]')
    (landing / "empty.csv").write_text("")
    (landing / "semicolons.csv").write_text("a;b\n1;2\n")
    return landing


@pytest.fixture(scope="module")
def made_up_profile(made_up) -> tuple[str, dict]:
    output = render(profile_folder(made_up, NO_DROPS), made_up)
    entries = {entry["name"]: entry for entry in yaml.safe_load(output)["file_drops"]}
    return output, entries


def test_entries_parse_and_name_the_event_time_and_its_form(made_up_profile):
    output, entries = made_up_profile
    assert set(entries) == {"customer_tweets", "tickets", "deals", "people", "orders"}
    for entry in entries.values():
        parse_drop(entry)

    tweets = entries["customer_tweets"]
    assert (tweets["format"], tweets["glob"]) == ("csv", "social/customer_tweets.csv")
    assert tweets["columns"] == ["column0", "tweet_id", "author", "text", "created_at", "in_reply_to_id", "inbound"]
    assert tweets["types"] == {
        "column0": "BIGINT",
        "tweet_id": "BIGINT",
        "in_reply_to_id": "BIGINT",
        "inbound": "BOOLEAN",
    }
    assert tweets["required"] == ["tweet_id", "created_at"]
    assert tweets["event_time"] == "created_at"
    assert "event_time: created_at  # iso8601_offset 100%" in output
    assert tweets["canonical"]["entity"] == "interactions"
    assert tweets["canonical"]["columns"] == {
        "interaction_id": "tweet_id",
        "channel": {"value": "x_mention"},
        "direction": {"value": "inbound"},
        "actor_id": "author",
        "conversation_key": "in_reply_to_id",
        "occurred_at": "created_at",
        "body": "text",
    }

    tickets = entries["tickets"]  # two monthly files with one glob, fields from every record
    assert (tickets["format"], tickets["glob"]) == ("jsonl", "helpdesk/tickets/*.jsonl")
    assert set(tickets["columns"]) == {*TICKETS[1]}
    assert tickets["types"] == {
        "ticket_id": "BIGINT",
        "requester": "JSON",
        "created": "BIGINT",
        "tags": "JSON",
        "solved": "BOOLEAN",
    }
    assert (tickets["event_time"], tickets["required"]) == ("created", ["ticket_id", "created"])
    assert "event_time: created  # epoch_milliseconds 100%" in output
    assert tickets["canonical"]["entity"] == "interactions"

    orders = entries["orders"]
    assert (orders["format"], orders["types"]) == ("parquet", {"order_id": "BIGINT", "items": "JSON"})
    assert orders["event_time"] == "placed_at"
    assert "event_time: placed_at  # iso8601_offset 100%" in output
    assert orders["canonical"]["entity"] == "touchpoints"
    assert orders["canonical"]["columns"]["amount"] == "total"
    assert orders["canonical"]["columns"]["contact_email"] == "customer_email"

    deals = entries["deals"]  # no recognised form: a strptime format, and a reminder of the time zone
    assert (deals["event_time"], deals["event_time_format"]) == ("created", "%d/%m/%Y %H:%M")
    assert deals["canonical"]["entity"] == "opportunities"
    assert {"stage_name": "stage", "amount": "amount"}.items() <= deals["canonical"]["columns"].items()

    people = entries["people"]
    assert (people["event_time"], people["canonical"]["entity"]) == ("signup_date", "contacts")
    assert "event_time: signup_date  # date 100%" in output
    assert {"email": "email", "full_name": "full_name", "city": "city"}.items() <= people["canonical"][
        "columns"
    ].items()

    entry_text = {name: output.split(f"- name: {name}\n")[1].split("- name:")[0] for name in entries}
    for naive in ("deals", "people"):
        assert "# time_zone: <set the IANA zone the export writes>" in entry_text[naive]
    for with_offset in ("customer_tweets", "tickets", "orders"):
        assert "time_zone" not in entry_text[with_offset]
    # The suggestion with the zone filled in is still a valid drop.
    parse_drop({**deals, "time_zone": "Europe/Lisbon"})


def test_skipped_and_recognised_files_are_listed(made_up_profile):
    output, _ = made_up_profile
    skipped = output.split("# Skipped")[1].split("# Not recognised")[0]
    for line in (
        ".cache/: hidden folder",
        "manifest.json: the demo generator's manifest",
        "notes.txt: not CSV, JSONL or Parquet",
        "export.json: a JSON document",
        "empty.csv: empty file",
        "semicolons.csv: delimited by ';': file drops read comma-separated CSV",
    ):
        assert f"#   {line}" in skipped
    assert "# Recognised (0 files" in output


def test_suggested_entries_load_every_record_with_no_quarantine(made_up, made_up_profile, tmp_path):
    output, _ = made_up_profile
    config = tmp_path / "sources.yml"
    config.write_text(output)  # the whole printed output, as pasted
    report = ingest.load_landing(made_up, tmp_path / "warehouse.duckdb", sources_config=config)
    loaded = {table: counts.rows_loaded for table, counts in report.entities.items() if counts.rows_read}
    assert loaded == {
        "drop_customer_tweets": len(TWEETS),
        "drop_tickets": len(TICKETS),
        "drop_deals": 3,
        "drop_people": 2,
        "drop_orders": 7,
    }
    assert sum(counts.rows_quarantined for counts in report.entities.values()) == 0
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw._quarantine").fetchone()[0] == 0
        tweets = "FROM raw.file_drop_interactions WHERE source_system = 'customer_tweets'"
        interactions = dict(con.execute(f"SELECT interaction_id, occurred_at {tweets}").fetchall())
        assert str(interactions["1000000003"]) == "2024-11-06 07:59:59"  # -0800 stored as UTC
        body = con.execute("SELECT body FROM raw.file_drop_interactions WHERE interaction_id = '1000000003'").fetchone()
        assert body == ('@AcmeHelp app crashes on login,\r\n"again"',)
        assert (
            con.execute("SELECT min(occurred_at) FROM raw.file_drop_interactions WHERE source_system = 'tickets'")
            .fetchone()[0]
            .isoformat()
            == "2025-01-01T10:00:00"
        )
        deal = con.execute(
            "SELECT amount, created_at FROM raw.file_drop_opportunities WHERE opportunity_id = 'D-1'"
        ).fetchone()
        assert (float(deal[0]), deal[1].isoformat()) == (1200.5, "2024-12-25T14:30:00")
        count, total = con.execute("SELECT count(*), sum(amount) FROM raw.file_drop_touchpoints").fetchone()
        assert (count, float(total)) == (7, 557.2)
        assert con.execute("SELECT count(*) FROM raw.file_drop_contacts WHERE email = 'bo@example.com'").fetchone() == (
            1,
        )


def test_public_sample_excerpts_are_recognised(tmp_path):
    profile = profile_folder(REALDATA_EXCERPTS, NO_DROPS)
    recognised = dict(profile.recognised)
    assert recognised["twcs/twcs_excerpt.csv"] == "twcs_tweets"
    assert recognised["olist/olist_orders_dataset.csv"] == "olist_orders"
    assert recognised["olist_marketing_funnel/olist_closed_deals_dataset.csv"] == "olist_closed_deals"
    assert recognised["maven_crm/sales_pipeline.csv"] == "maven_sales_pipeline"
    assert len(recognised) == len(list(REALDATA_EXCERPTS.rglob("*.csv")))
    assert ("cut_excerpts.py", "not CSV, JSONL or Parquet") in profile.skipped
    output = render(profile, REALDATA_EXCERPTS)
    assert yaml.safe_load(output) == {"file_drops": []}
    assert "#   twcs/twcs_excerpt.csv -> raw.twcs_tweets" in output

    # The same files where no built-in source looks for them are profiled instead.
    moved = tmp_path / "exports"
    moved.mkdir()
    for name in ("twcs/twcs_excerpt.csv", "olist/olist_order_reviews_dataset.csv"):
        (moved / Path(name).name).write_bytes((REALDATA_EXCERPTS / name).read_bytes())
    moved_profile = profile_folder(moved, NO_DROPS)
    # twcs writes carriage returns inside unquoted text, which only its own reader handles.
    assert [(name, why.split(" (")[0]) for name, why in moved_profile.skipped] == [
        ("twcs_excerpt.csv", "carriage returns inside unquoted values")
    ]
    output = render(moved_profile, moved)
    [reviews] = yaml.safe_load(output)["file_drops"]
    parse_drop(reviews)
    assert reviews["event_time"] == "review_creation_date"
    assert reviews["canonical"]["entity"] == "interactions"
    assert reviews["canonical"]["columns"]["body"] == "review_comment_message"
    assert reviews["canonical"]["columns"]["rating"] == "review_score"
    # Portuguese multi-line review text, a BOM and CRLF line ends: every record loads.
    config = tmp_path / "sources.yml"
    config.write_text(output)
    report = ingest.load_landing(moved, tmp_path / "warehouse.duckdb", sources_config=config)
    assert report.unmatched_files == ["twcs_excerpt.csv"]
    drop = report.entities["drop_olist_order_reviews_dataset"]
    with (moved / "olist_order_reviews_dataset.csv").open(encoding="utf-8-sig", newline="") as handle:
        records = sum(1 for _ in csv.reader(handle)) - 1
    assert (drop.rows_loaded, drop.rows_quarantined) == (records, 0)


def test_cli_reads_the_configured_drops_and_refuses_a_missing_folder(made_up, tmp_path):
    config = tmp_path / "sources.yml"
    config.write_text(
        "file_drops:\n"
        "  - {name: people, format: csv, glob: people.csv, columns: [person_id, email]}\n"
        "  - {name: deals, format: csv, glob: 'elsewhere/*.csv', columns: [deal_id]}\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "ingest.profile", str(made_up)],
        cwd=ROOT,
        env={**os.environ, "OUTCOMES_SOURCES_CONFIG": str(config)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "#   people.csv -> raw.drop_people" in run.stdout
    names = {entry["name"] for entry in yaml.safe_load(run.stdout)["file_drops"]}
    # people.csv is a configured drop now; `deals` is a configured name, so the suggestion takes its folder's.
    assert names == {"customer_tweets", "tickets", "crm_export_deals", "orders"}

    missing = subprocess.run(
        [sys.executable, "-m", "ingest.profile", str(tmp_path / "nowhere")], cwd=ROOT, capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert f"no such folder: {tmp_path / 'nowhere'}" in missing.stderr
    assert missing.stdout == ""


def test_make_profile_without_data_says_what_to_set():
    run = subprocess.run(["make", "-s", "profile", "DATA="], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode != 0
    assert "make profile DATA=folder" in run.stdout + run.stderr


@pytest.mark.skipif(not SHARED_REALDATA.is_dir(), reason="no ../shared/realdata beside the repository")
def test_shared_realdata_suggestions_load_with_no_quarantine(tmp_path):
    profile = profile_folder(SHARED_REALDATA, NO_DROPS)
    recognised = dict(profile.recognised)
    assert recognised.get("twcs/twcs.csv") == "twcs_tweets"
    assert any(table.startswith("olist_") for table in recognised.values())
    assert any(table.startswith("maven_") for table in recognised.values())
    output = render(profile, SHARED_REALDATA)
    entries = yaml.safe_load(output)["file_drops"] or []
    assert len(entries) == len(profile.suggestions)
    for entry in entries:
        parse_drop(entry)
    if not entries:
        return
    config = tmp_path / "sources.yml"
    config.write_text(output)
    drops = {f"drop_{entry['name']}" for entry in entries}
    report = ingest.load_landing(SHARED_REALDATA, tmp_path / "warehouse.duckdb", sources_config=config, tables=drops)
    assert all(report.entities[table].rows_loaded for table in drops if report.entities[table].rows_read)
    assert sum(counts.rows_quarantined for counts in report.entities.values()) == 0
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        # Every mapped value casts to its canonical type.
        for entity in {entry["canonical"]["entity"] for entry in entries if "canonical" in entry}:
            con.execute(f"SELECT * FROM raw.file_drop_{entity}").fetchall()
