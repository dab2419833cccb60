"""The benchmark's lower bound (benchmarks/lower_bound.sql) computes the same KPIs as the marts on the same landing.

The script runs on the demo landing; the marts come from that landing ingested and built by dbt (`built_warehouse`).
Counts and sums must be equal; medians, averages and shares are compared with a relative tolerance of 1e-9.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import duckdb
import pytest
import yaml

from benchmarks.lower_bound import PROJECT_ROOT, SCRIPT, run_lower_bound

FLOAT_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def lower_bound(demo_landing) -> dict:
    return run_lower_bound(demo_landing)


@pytest.fixture(scope="module")
def marts(built_warehouse):
    con = duckdb.connect(str(built_warehouse.warehouse_path), read_only=True)
    yield con
    con.close()


def plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def mart_rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, map(plain, row), strict=True)) for row in cursor.fetchall()]


def by_key(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
    keyed = {tuple(row[name] for name in key): row for row in rows}
    assert len(keyed) == len(rows), f"duplicate {key} rows"
    return keyed


def assert_same(expected: list[dict], actual: list[dict], key: tuple[str, ...], exact: tuple[str, ...], close=()):
    """Same keys; for each key, `exact` columns equal and `close` columns equal within FLOAT_TOLERANCE."""
    assert expected, "the mart is empty: nothing would be compared"
    want, got = by_key(expected, key), by_key(actual, key)
    assert sorted(got) == sorted(want), f"keys differ: only mart {set(want) - set(got)}, only lb {set(got) - set(want)}"
    for name, row in want.items():
        for column in exact:
            assert got[name][column] == row[column], f"{column} at {name}: lb {got[name][column]} != {row[column]}"
        for column in close:
            want_value = row[column] if row[column] is None else pytest.approx(row[column], rel=FLOAT_TOLERANCE)
            assert got[name][column] == want_value, f"{column} at {name}: lb {got[name][column]} != {row[column]}"


def test_first_response_and_sla_by_team(lower_bound, marts):
    actual = lower_bound["results"]["lb_first_response_by_team"]
    conversations = mart_rows(
        marts,
        """
        select
            team,
            channel,
            count(*) as conversations,
            count(first_response_at) as responded_conversations,
            quantile_cont(first_response_minutes, 0.5) as median_first_response_minutes,
            quantile_cont(first_response_minutes, 0.9) as p90_first_response_minutes
        from marts.fct_care_conversations
        group by team, channel
        """,
    )
    assert_same(
        conversations,
        actual,
        ("team", "channel"),
        exact=("conversations", "responded_conversations"),
        close=("median_first_response_minutes", "p90_first_response_minutes"),
    )
    daily = mart_rows(
        marts,
        """
        select
            team,
            channel,
            sum(conversations) as conversations,
            sum(responded_conversations) as responded_conversations,
            sum(sla_met_conversations) as sla_met_conversations,
            sum(first_response_breaches) as first_response_breaches,
            1.0 * sum(sla_met_conversations) / sum(conversations) as sla_attainment_rate
        from marts.mart_social_care
        group by team, channel
        """,
    )
    assert_same(
        daily,
        actual,
        ("team", "channel"),
        exact=("conversations", "responded_conversations", "sla_met_conversations", "first_response_breaches"),
        close=("sla_attainment_rate",),
    )
    # Not a vacuous match: several teams, answered and breached conversations on social and ticket channels.
    assert {row["channel"] for row in actual} >= {"x_mention", "x_dm", "email"}
    assert len({row["team"] for row in actual}) >= 4
    assert 0 < sum(row["sla_met_conversations"] for row in actual) < sum(row["conversations"] for row in actual)


def test_weekly_topic_volume(lower_bound, marts):
    actual = lower_bound["results"]["lb_weekly_topic_volume"]
    expected = mart_rows(
        marts,
        "select week_start, topic, owning_team, interactions, baseline_interactions, is_hot_button "
        "from marts.mart_topic_trends",
    )
    assert_same(
        expected,
        actual,
        ("week_start", "topic"),
        exact=("owning_team", "interactions", "is_hot_button"),
        close=("baseline_interactions",),
    )
    assert sum(row["interactions"] for row in actual) > 1000


def test_channel_mix(lower_bound, marts):
    actual = lower_bound["results"]["lb_channel_mix"]
    expected = mart_rows(marts, "select * from marts.mart_channel_mix")
    assert_same(
        expected,
        actual,
        ("month_start", "channel_group", "segment"),
        exact=("interactions",),
        close=("share_of_segment", "share_of_month"),
    )
    assert {row["channel_group"] for row in actual} >= {"social", "support", "review", "community", "web_event"}
    assert len({row["segment"] for row in actual}) >= 3


def test_influenced_revenue(lower_bound, marts):
    actual = lower_bound["results"]["lb_influenced_revenue"]
    expected = mart_rows(marts, "select * from marts.mart_revenue_influence")
    assert list(actual[0]) == list(expected[0]), "columns differ from mart_revenue_influence"
    averages = ("avg_cycle_days_engaged", "avg_cycle_days_not_engaged")
    rates = ("win_rate_engaged", "win_rate_not_engaged", "influenced_won_share")
    counts = [name for name in expected[0] if name not in ("month_start", "currency", *averages, *rates)]
    assert_same(expected, actual, ("month_start", "currency"), exact=tuple(counts), close=averages + rates)
    assert 0 < sum(row["influenced_won_amount"] for row in actual) < sum(row["won_amount"] for row in actual)


def test_script_vars_equal_dbt_vars():
    """The dbt vars copied into the script (`set variable`) and the literal baseline frame still match dbt's."""
    dbt_vars = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    script = SCRIPT.read_text()
    copied = {
        name: yaml.safe_load(value)
        for name, value in re.findall(r"^set variable (\w+) = (.+);$", script, flags=re.MULTILINE)
    }
    assert len(copied) >= 9
    for name, value in copied.items():
        assert dbt_vars[name] == value, f"{name}: script {value!r}, dbt_project.yml {dbt_vars[name]!r}"
    frame = re.search(r"rows between (\d+) preceding and 1 preceding", script)
    assert frame is not None and int(frame.group(1)) == dbt_vars["hot_button_baseline_weeks"]


def test_timings_reported(lower_bound):
    assert lower_bound["wall_seconds"] > 0
    assert lower_bound["cpu_seconds"] > 0
    assert lower_bound["peak_rss_bytes"] > 10 * 2**20
