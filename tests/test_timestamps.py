"""Timestamps as real exports write them: one corpus of every recognised form, read by the SQL that both the ingest
contract and the dbt staging models use (dbt_project/macros/utc_timestamp.sql), and a file drop whose export writes
`YYYY-MM-DD HH:MM:SS -0800` loading whole, stored as UTC."""

from __future__ import annotations

import textwrap
from datetime import datetime

import duckdb
import pytest

import ingest
from ingest.timestamps import _macros, timestamp_form_sql, utc_timestamp_sql

# (text as an export writes it, the UTC time it means); naive values are read in Europe/Berlin below.
CORPUS = [
    ("2017-10-31T22:10:47Z", "2017-10-31 22:10:47"),
    ("2017-10-31 22:10:47Z", "2017-10-31 22:10:47"),
    ("2017-10-31T22:10:47+02:00", "2017-10-31 20:10:47"),
    ("2017-10-31T22:10:47+0200", "2017-10-31 20:10:47"),
    ("2017-10-31T22:10:47+02", "2017-10-31 20:10:47"),
    ("2017-10-31T22:10:47.123456Z", "2017-10-31 22:10:47.123456"),
    ("2017-10-31T22:10:47.1-01:30", "2017-10-31 23:40:47.1"),
    ("2017-10-31 22:10:47 -0800", "2017-11-01 06:10:47"),
    ("2017-10-31 22:10:47 -08:00", "2017-11-01 06:10:47"),
    ("2017-10-31 22:10:47 UTC", "2017-10-31 22:10:47"),
    ("2020-12-30 3:15:52+0000", "2020-12-30 03:15:52"),
    ("  2017-10-31T22:10:47Z  ", "2017-10-31 22:10:47"),
    ("Wed Oct 11 06:55:44 +0000 2017", "2017-10-11 06:55:44"),
    ("Tue Oct 31 22:10:47 -0700 2017", "2017-11-01 05:10:47"),
    ("Tue, 01 Mar 2016 09:15:00 -0500", "2016-03-01 14:15:00"),
    ("Tue, 01 Mar 2016 09:15:00 GMT", "2016-03-01 09:15:00"),
    ("01 Mar 2016 09:15:00 +0100", "2016-03-01 08:15:00"),
    ("1508303000", "2017-10-18 05:03:20"),
    ("1508303000.25", "2017-10-18 05:03:20.25"),
    ("1508303000123", "2017-10-18 05:03:20.123"),
    # Naive: local time in the source's zone (Berlin is UTC+1 in March, UTC+2 in July).
    ("2016-03-01T09:15:00", "2016-03-01 08:15:00"),
    ("2016-07-01 09:15", "2016-07-01 07:15:00"),
    ("2016-03-01", "2016-02-29 23:00:00"),
    ("2020-12-30 3:15:52", "2020-12-30 02:15:52"),
]
UNREADABLE = ["not a time", "31/10/2017 22:10", "15083030001", "2017-13-45T25:00:00Z", "", "   ", None]


def read(values: list[str | None], time_zone: str | None = None, fmt: str | None = None) -> list[datetime | None]:
    with duckdb.connect() as con:
        # The session's zone must not matter: only the value's offset or the source's zone does.
        con.execute("SET TimeZone = 'America/New_York'")
        con.execute("CREATE TABLE exported (position INTEGER, value VARCHAR)")
        con.executemany("INSERT INTO exported VALUES (?, ?)", list(enumerate(values)))
        sql = f"SELECT {utc_timestamp_sql('value', time_zone, fmt)} FROM exported ORDER BY position"
        return [row[0] for row in con.execute(sql).fetchall()]


def test_every_recognised_form_reads_as_utc():
    texts, expected = zip(*CORPUS, strict=True)
    assert read(list(texts), "Europe/Berlin") == [datetime.fromisoformat(value) for value in expected]


def test_naive_values_are_utc_unless_a_time_zone_is_set():
    assert read(["2016-03-01T09:15:00", "2016-03-01T09:15:00Z"]) == [datetime(2016, 3, 1, 9, 15)] * 2


def test_what_no_form_matches_reads_as_null_in_the_contract():
    assert read(UNREADABLE) == [None] * len(UNREADABLE)


def test_an_event_time_format_reads_other_exports():
    assert read(["31/10/2017 22:10"], "America/Los_Angeles", "%d/%m/%Y %H:%M") == [datetime(2017, 11, 1, 5, 10)]
    assert read(["31.10.2017 22:10 +0100"], None, "%d.%m.%Y %H:%M %z") == [datetime(2017, 10, 31, 21, 10)]


def test_staging_fails_loudly_on_a_value_it_cannot_read():
    strict = str(_macros().utc_timestamp("value"))
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {strict} FROM (SELECT 'Wed Oct 11 06:55:44 +0000 2017' AS value)").fetchone()[0]
        with pytest.raises(duckdb.Error, match="not a timestamp: 31/10/2017"):
            con.execute(f"SELECT {strict} FROM (SELECT '31/10/2017' AS value)").fetchall()


def test_a_file_drop_with_offsets_after_a_space_loads_whole_as_utc(tmp_path):
    """The export a real team had: every record was quarantined as 'is not a timestamp' before."""
    landing = tmp_path / "landing"
    (landing / "drops" / "tweets").mkdir(parents=True)
    (landing / "drops" / "tweets" / "tweets.csv").write_text(
        "tweet_id,author,text,created_at\n"
        "1,@ann,@acmehelp my invoice is wrong,2017-10-31 22:10:47 -0800\n"
        "2,@bob,@acmehelp still waiting,2017-11-01 08:00:00 +0100\n"
        "3,@cat,@acmehelp thanks,1509580800\n"
    )
    config = tmp_path / "sources.yml"
    config.write_text(
        textwrap.dedent(
            """
            file_drops:
              - name: customer_tweets
                format: csv
                glob: "drops/tweets/*.csv"
                columns: [tweet_id, author, text, created_at]
                required: [tweet_id, created_at]
                event_time: created_at
                canonical:
                  entity: interactions
                  columns:
                    interaction_id: tweet_id
                    channel: {value: x_mention}
                    direction: {value: inbound}
                    actor_id: author
                    occurred_at: created_at
                    body: text
            """
        )
    )
    warehouse = tmp_path / "warehouse.duckdb"
    report = ingest.load_landing(landing, warehouse, sources_config=config)
    assert (report.rows_loaded, report.rows_quarantined) == (3, 0)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        occurred = con.execute("SELECT occurred_at FROM raw.file_drop_interactions ORDER BY interaction_id").fetchall()
    assert [row[0] for row in occurred] == [
        datetime(2017, 11, 1, 6, 10, 47),
        datetime(2017, 11, 1, 7, 0, 0),
        datetime(2017, 11, 2, 0, 0, 0),
    ]


def test_the_form_of_each_value_is_named_for_the_profiler():
    forms = {
        "2017-10-31 22:10:47 -0800": "iso8601_offset",
        "2017-10-31T22:10:47": "iso8601_naive",
        "2017-10-31": "date",
        "1508303000": "epoch_seconds",
        "1508303000123": "epoch_milliseconds",
        "Wed Oct 11 06:55:44 +0000 2017": "twitter_classic",
        "Tue, 01 Mar 2016 09:15:00 -0500": "rfc2822",
        "31/10/2017": None,
    }
    with duckdb.connect() as con:
        found = {
            value: con.execute(f"SELECT {timestamp_form_sql('$v')}", {"v": value}).fetchone()[0] for value in forms
        }
    assert found == forms
