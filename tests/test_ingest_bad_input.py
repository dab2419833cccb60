"""A corpus of bad input: every record is loaded, quarantined with its reason, or counted as a duplicate."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

import ingest

# Quarantine is tested here on tiny files; the share of a file that may be refused has its own tests.
pytestmark = pytest.mark.usefixtures("any_refused_share")

REVIEW_HEADER = "review_id,source,product,rating,title,body,author_name,author_email,author_handle,language,created_at"
GOOD_REVIEW = "r-1,g2,Acme,5,Great,Works well,Jane,jane@example.com,jane,en,2025-01-03T10:11:12Z"


def event(message_id: str, **fields) -> dict:
    return {
        "messageId": message_id,
        "type": "track",
        "event": "Signed Up",
        "timestamp": "2025-02-01T10:00:00Z",
        **fields,
    }


def tweet(tweet_id: str, **fields) -> dict:
    record = {"id": tweet_id, "text": "@acmehelp hi", "author_id": "2001", "conversation_id": tweet_id}
    return {**record, "created_at": "2025-01-03T10:11:12.000Z", **fields}


def lines(*records: dict) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def load(tmp_path: Path, files: dict[str, bytes]):
    landing = tmp_path / "landing"
    for relative, content in files.items():
        (landing / relative).parent.mkdir(parents=True, exist_ok=True)
        (landing / relative).write_bytes(content)
    warehouse = tmp_path / "warehouse.duckdb"
    report = ingest.load_landing(landing, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantine = con.execute("SELECT entity, source_file, reason, payload FROM raw._quarantine").fetchall()
        audits = con.execute(
            "SELECT entity, source_file, rows_read, rows_loaded, rows_quarantined, rows_duplicate, new_columns, note "
            "FROM raw._ingest_audit"
        ).fetchall()
    for entity, source_file, read, loaded, quarantined, duplicate, _, _ in audits:
        assert read == loaded + quarantined + duplicate, (entity, source_file)
        assert quarantined == sum(1 for row in quarantine if row[:2] == (entity, source_file))
    return report, warehouse, quarantine, {(row[0], row[1]): row[2:] for row in audits}


def reasons(quarantine) -> list[str]:
    return sorted(row[2] for row in quarantine)


def test_invalid_utf8_in_json_lines_and_csv(tmp_path):
    bad_line = (
        b'{"messageId": "m-2", "type": "track", "event": "Sign\xff\xfe Up", "timestamp": "2025-02-01T10:00:00Z"}\n'
    )
    csv = (
        f"{REVIEW_HEADER}\n{GOOD_REVIEW}\n".encode()
        + b"r-2,g2,Acme,4,Ok,Caf\xe9 au lait,Bo,,,fr,2025-01-04T10:00:00Z\n"
    )
    report, _, quarantine, _ = load(
        tmp_path, {"segment/events/2025-02.jsonl": lines(event("m-1")) + bad_line, "reviews/2025-01.csv": csv}
    )
    assert report.entities["segment_events"].rows_loaded == 1
    assert report.entities["reviews"].rows_loaded == 1
    found = reasons(quarantine)
    assert found[0].startswith("invalid UTF-8 at line 2")
    assert found[1].startswith("unreadable CSV line 3: INVALID ENCODING")


def test_wrong_types_and_missing_required_keys(tmp_path):
    events = lines(
        {"email": "a@example.com", "event": "open", "sg_event_id": "e-1", "timestamp": 1735725600},
        {"email": "b@example.com", "event": "open", "sg_event_id": "e-2", "timestamp": "yesterday"},
        {"email": "c@example.com", "event": "open", "timestamp": 1735725600},
    )
    page = {"data": [tweet("1"), {k: v for k, v in tweet("2").items() if k != "id"}, "not a record"]}
    report, _, quarantine, _ = load(
        tmp_path, {"email/events/2025-01.jsonl": events, "x/tweets/2025-01.jsonl": lines(page)}
    )
    assert report.entities["email_events"].rows_loaded == 1
    assert report.entities["x_tweets"].rows_loaded == 1
    assert reasons(quarantine) == [
        "missing required field id",
        "missing required field id; missing required field author_id; missing required field conversation_id; "
        "missing required field created_at",
        "missing required field sg_event_id",
        "timestamp is not an integer: yesterday; timestamp is not a timestamp: yesterday",
    ]


def test_empty_files_and_header_only_csv(tmp_path):
    report, _, quarantine, audits = load(
        tmp_path,
        {
            "segment/events/2025-01.jsonl": b"",
            "reviews/2025-01.csv": b"",
            "reviews/2025-02.csv": f"{REVIEW_HEADER}\r\n".encode(),
        },
    )
    assert quarantine == []
    assert report.files_failed == 0
    assert audits[("segment_events", "segment/events/2025-01.jsonl")][:4] == (0, 0, 0, 0)
    assert audits[("segment_events", "segment/events/2025-01.jsonl")][-1] == "empty file"
    assert audits[("reviews", "reviews/2025-01.csv")][-1] == "empty file"
    assert audits[("reviews", "reviews/2025-02.csv")][:4] == (0, 0, 0, 0)


def test_one_megabyte_text_field_is_quarantined_not_truncated(tmp_path):
    body = "x" * 1_000_000
    csv = f'{REVIEW_HEADER}\n{GOOD_REVIEW}\nr-2,g2,Acme,1,Long,"{body}",Bo,,,en,2025-01-04T10:00:00Z\n'
    report, _, quarantine, _ = load(tmp_path, {"reviews/2025-01.csv": csv.encode()})
    assert report.entities["reviews"].rows_loaded == 1
    assert reasons(quarantine) == ["body is longer than 100000 characters (1000000)"]
    assert body in quarantine[0][3]


def test_event_times_in_1900_and_2100_are_out_of_range(tmp_path):
    page = {
        "data": [
            tweet("1"),
            tweet("2", created_at="1900-01-01T00:00:00Z"),
            tweet("3", created_at="2100-01-01T00:00:00Z"),
        ]
    }
    report, _, quarantine, _ = load(tmp_path, {"x/tweets/2025-01.jsonl": lines(page)})
    assert report.entities["x_tweets"].rows_loaded == 1
    assert reasons(quarantine) == [
        "created_at out of range: 1900-01-01T00:00:00Z",
        "created_at out of range: 2100-01-01T00:00:00Z",
    ]


def test_duplicates_are_counted_and_versions_kept(tmp_path):
    same = event("m-1")
    changed = event("m-1", event="Demo Requested")
    report, warehouse, quarantine, _ = load(tmp_path, {"segment/events/2025-02.jsonl": lines(same, same, changed)})
    counts = report.entities["segment_events"]
    assert (counts.rows_read, counts.rows_loaded, counts.rows_duplicate) == (3, 2, 1)
    assert quarantine == []
    # A later file repeating a row already loaded adds nothing either.
    landing = tmp_path / "landing"
    (landing / "segment/events/2025-03.jsonl").write_bytes(lines(same))
    again = ingest.load_landing(landing, warehouse)
    assert again.entities["segment_events"].rows_duplicate == 1
    assert again.entities["segment_events"].rows_loaded == 0


def test_unexpected_columns_are_kept_and_reported(tmp_path):
    csv = f"{REVIEW_HEADER},sentiment_score\n{GOOD_REVIEW},0.9\n"
    page = {"data": [tweet("1", edit_history_tweet_ids=["1"])]}
    report, warehouse, quarantine, audits = load(
        tmp_path, {"reviews/2025-01.csv": csv.encode(), "x/tweets/2025-01.jsonl": lines(page)}
    )
    assert quarantine == []
    assert report.entities["reviews"].new_columns == ["sentiment_score"]
    assert report.entities["x_tweets"].new_columns == ["edit_history_tweet_ids"]
    assert audits[("reviews", "reviews/2025-01.csv")][4] == ["sentiment_score"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        review_extra = con.execute("SELECT _extra_fields FROM raw.reviews").fetchone()[0]
        tweet_extra = con.execute("SELECT _extra_fields FROM raw.x_tweets").fetchone()[0]
    assert json.loads(review_extra) == {"sentiment_score": "0.9"}
    assert json.loads(tweet_extra) == {"edit_history_tweet_ids": ["1"]}


@pytest.mark.parametrize("array", ['"oops"', "{}", "3"])
def test_page_whose_record_array_is_not_an_array(tmp_path, array):
    content = f'{{"data": {array}, "meta": {{"result_count": 1}}}}\n'.encode()
    report, _, quarantine, _ = load(tmp_path, {"x/tweets/2025-01.jsonl": content})
    assert report.entities["x_tweets"].rows_quarantined == 1
    assert reasons(quarantine) == ["data is not an array"]


def test_broken_csv_lines_are_quarantined_and_quoted_line_breaks_survive(tmp_path):
    csv = (
        f"{REVIEW_HEADER}\n{GOOD_REVIEW}\n"
        'r-2,g2,Acme,4,Ok,"two\rlines, one bare CR",Bo,,,en,2025-01-04T10:00:00Z\n'
        "r-3,g2,Acme,4,Ok,x,Bo,,,en,2025-01-04T10:00:00Z,one field too many\n"
        'r-4,g2,Acme,4,Ok,"never closed,Bo,,,en,2025-01-04T10:00:00Z\n'
    )
    report, warehouse, quarantine, _ = load(tmp_path, {"reviews/2025-01.csv": csv.encode()})
    assert report.entities["reviews"].rows_loaded == 2
    found = reasons(quarantine)
    assert found[0].startswith("unreadable CSV line 4: TOO MANY COLUMNS")
    assert found[1].startswith("unreadable CSV line 5: UNQUOTED VALUE")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        body = con.execute("SELECT body FROM raw.reviews WHERE review_id = 'r-2'").fetchone()[0]
    assert body == "two\rlines, one bare CR"
