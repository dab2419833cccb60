"""Scheduled runs load exactly their data interval: interval by interval, the raw tables end up equal to one load of
every file whole, each record is loaded or quarantined once, and re-running an interval adds nothing."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import ingest
from ingest.interval import DataInterval, file_period
from ingest.registry import ENTITIES

# Quarantine is tested here on tiny files; the share of a file that may be refused has its own tests.
pytestmark = pytest.mark.usefixtures("any_refused_share")

DATA_COLUMNS_SQL = "select * exclude (_batch_id, _loaded_at, _source_file) from raw.{table} order by _record_hash"


def month_intervals(start: datetime, end: datetime) -> list[DataInterval]:
    months, cursor = [], start.replace(day=1)
    while cursor < end:
        following = (cursor + timedelta(days=32)).replace(day=1)
        months.append(DataInterval(cursor, following))
        cursor = following
    return months


def raw_rows(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            entity.table: con.execute(DATA_COLUMNS_SQL.format(table=entity.table)).fetchall() for entity in ENTITIES
        }


@pytest.fixture(scope="module")
def landing(demo_landing, tmp_path_factory) -> Path:
    """The demo landing folder plus one unpartitioned file: a tweet in the interval, one outside, one dated 1900."""
    folder = tmp_path_factory.mktemp("interval") / "landing"
    shutil.copytree(demo_landing, folder)
    tweets = [
        {
            "id": "9000000001",
            "conversation_id": "9000000001",
            "text": "in January",
            "author_id": "u1",
            "created_at": "2025-01-15T10:00:00Z",
        },
        {
            "id": "9000000002",
            "conversation_id": "9000000002",
            "text": "in March",
            "author_id": "u1",
            "created_at": "2025-03-02T10:00:00Z",
        },
        {
            "id": "9000000003",
            "conversation_id": "9000000003",
            "text": "a century early",
            "author_id": "u1",
            "created_at": "1900-01-01T00:00:00Z",
        },
    ]
    (folder / "x" / "tweets" / "late_export.jsonl").write_text(json.dumps({"data": tweets}) + "\n")
    return folder


@pytest.fixture(scope="module")
def by_interval(landing, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("by-interval") / "wh.duckdb"
    manifest = json.loads((landing / "manifest.json").read_text())
    start = datetime.fromisoformat(manifest["start"])
    end = datetime.fromisoformat(manifest["end"]) + timedelta(days=1)
    reports = [ingest.load_landing(landing, warehouse, interval=interval) for interval in month_intervals(start, end)]
    return warehouse, reports


def test_interval_runs_add_up_to_one_whole_load(landing, by_interval, tmp_path):
    whole = tmp_path / "whole.duckdb"
    ingest.load_landing(landing, whole)
    warehouse, _ = by_interval
    interval_rows, whole_rows = raw_rows(warehouse), raw_rows(whole)
    for table, rows in whole_rows.items():
        assert interval_rows[table] == rows, table
    assert len(whole_rows["x_tweets"]) > 100


def test_each_run_loads_only_its_interval(by_interval):
    warehouse, reports = by_interval
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for report in reports:
            start, end = (datetime.fromisoformat(bound) for bound in report.data_interval.split("/"))
            outside = con.execute(
                "select count(*) from raw.x_tweets where _batch_id = ? "
                "and not (try_cast(created_at as timestamptz) at time zone 'UTC' >= ? "
                "and try_cast(created_at as timestamptz) at time zone 'UTC' < ?)",
                [report.batch_id, start, end],
            ).fetchone()[0]
            assert outside == 0, report.data_interval
    january = reports[0]
    assert january.entities["x_tweets"].rows_outside_interval > 0
    assert january.entities["x_tweets"].rows_loaded > 0


def test_every_record_is_loaded_or_quarantined_once(by_interval):
    warehouse, reports = by_interval
    with duckdb.connect(str(warehouse), read_only=True) as con:
        late = con.execute(
            "select id, _batch_id from raw.x_tweets where _source_file = 'x/tweets/late_export.jsonl' order by id"
        ).fetchall()
        quarantined = con.execute(
            "select reason from raw._quarantine where source_file = 'x/tweets/late_export.jsonl'"
        ).fetchall()
    assert [row[0] for row in late] == ["9000000001", "9000000002"]
    assert late[0][1] == reports[0].batch_id and late[1][1] == reports[2].batch_id
    assert len(quarantined) == 1 and "out of range" in quarantined[0][0]
    for report in reports:
        for counts in report.entities.values():
            assert counts.rows_read == (
                counts.rows_loaded + counts.rows_quarantined + counts.rows_duplicate + counts.rows_outside_interval
            )


def test_rerunning_an_interval_adds_nothing(landing, by_interval):
    warehouse, reports = by_interval
    again = ingest.load_landing(landing, warehouse, interval=DataInterval(datetime(2025, 2, 1), datetime(2025, 3, 1)))
    assert again.rows_loaded == 0 and again.rows_quarantined == 0


def test_partitioned_files_outside_the_interval_are_not_read(landing, tmp_path):
    interval = DataInterval(datetime(2025, 2, 1), datetime(2025, 2, 2))
    report = ingest.load_landing(landing, tmp_path / "wh.duckdb", interval=interval, tables={"x_tweets"})
    assert report.entities["x_tweets"].files_found == 2  # 2025-02.jsonl and the unpartitioned late export
    assert set(report.entities) == {"x_tweets"}
    assert file_period(Path("2025-02.jsonl")) == (datetime(2025, 2, 1), datetime(2025, 3, 1))
    assert file_period(Path("2025-02-28.csv")) == (datetime(2025, 2, 28), datetime(2025, 3, 1))
    assert file_period(Path("api-20250201T000000Z.jsonl")) is None
    with pytest.raises(ValueError, match="not after"):
        DataInterval(datetime(2025, 2, 2), datetime(2025, 2, 1))
    with pytest.raises(ValueError, match="no ingest entity"):
        ingest.load_landing(landing, tmp_path / "wh.duckdb", tables={"not_a_table"})
