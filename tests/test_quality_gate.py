"""The GX quality gate: good marts and batches pass; each kind of bad data is caught and named, on the marts before
publish and on each landed source batch before dbt."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import duckdb
import pytest

import ingest
from demo_data.as_of import demo_as_of
from pipeline import quality_gate, quality_history
from pipeline.quality import mart_gate

MART_BREAKAGES = {
    # Marts enforce NOT NULL on their keys, so the build that would produce a null key is simulated by dropping it.
    "null key": (
        [
            "alter table marts.mart_social_care alter column team drop not null",
            "update marts.mart_social_care set team = null"
            " where activity_date = (select min(activity_date) from marts.mart_social_care)",
        ],
        "mart_social_care",
        "expect_column_values_to_not_be_null {'column': 'team'}",
    ),
    "duplicate key": (
        ["insert into marts.mart_topic_trends select * from marts.mart_topic_trends limit 1"],
        "mart_topic_trends",
        "expect_compound_columns_to_be_unique {'column_list': ['week_start', 'topic']}",
    ),
    "rate over 1": (
        [
            "update marts.mart_social_care set sla_attainment_rate = 1.5"
            " where activity_date = (select min(activity_date) from marts.mart_social_care)"
        ],
        "mart_social_care",
        "'column': 'sla_attainment_rate', 'min_value': 0.0, 'max_value': 1.0",
    ),
    "negative duration": (
        [
            "update marts.fct_conversations set first_response_minutes = -5"
            " where conversation_id = (select min(conversation_id) from marts.fct_conversations where is_responded)"
        ],
        "fct_conversations",
        "'column': 'first_response_minutes', 'min_value': 0.0",
    ),
    "negative money": (
        ["update marts.mart_revenue_at_risk set revenue_at_risk = -1 where risk_rank = 1"],
        "mart_revenue_at_risk",
        "'column': 'revenue_at_risk', 'min_value': 0.0",
    ),
    "value outside its set": (
        [
            "update marts.fct_interactions set direction = 'sideways' where interaction_key in"
            " (select interaction_key from marts.fct_interactions limit 3)"
        ],
        "fct_interactions",
        "expect_column_values_to_be_in_set {'column': 'direction'",
    ),
    "scorecard disagrees with its mart": (
        [
            "update marts.mart_exec_scorecard set kpi_value = kpi_value + 0.05 where kpi = 'social_share'"
            " and period_start = (select max(period_start) from marts.mart_exec_scorecard)"
        ],
        "mart_exec_scorecard",
        "consistency: scorecard_matches_marts.sql",
    ),
}


def execute(paths, statements: list[str]) -> None:
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        for statement in statements:
            connection.execute(statement)


def history(paths) -> list[tuple]:
    with duckdb.connect(str(paths.quality_history_path), read_only=True) as connection:
        return connection.execute(
            "select suite, kind, batch_id, success, failed_expectations, row_count from quality_validations"
        ).fetchall()


def test_mart_gate_passes_records_history_and_writes_data_docs(warehouse_copy):
    report = mart_gate.run_mart_gate(warehouse_copy)
    assert report.success
    with duckdb.connect(str(warehouse_copy.warehouse_path), read_only=True) as connection:
        marts = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert {outcome.table for outcome in report.outcomes} == marts
    assert all(outcome.evaluated >= 3 and outcome.rows is not None for outcome in report.outcomes)
    recorded = history(warehouse_copy)
    assert len(recorded) == len(marts) and all(row[3] for row in recorded)
    index = warehouse_copy.reports_dir / "quality" / "data_docs" / "index.html"
    assert index.exists() and "mart.fct_interactions" in index.read_text()


@pytest.mark.parametrize("breakage", MART_BREAKAGES, ids=list(MART_BREAKAGES))
def test_mart_gate_catches_bad_data(warehouse_copy, breakage):
    statements, table, expected = MART_BREAKAGES[breakage]
    execute(warehouse_copy, statements)
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        mart_gate.run_mart_gate(warehouse_copy)
    message = str(failure.value)
    assert "the serving copy was not replaced" in message
    failed_lines = [line for line in message.splitlines() if line.startswith("- ")]
    # The named check fails on the broken mart (the scorecard check may fail with it: it recomputes from marts).
    assert any(line.startswith(f"- {table} (") and expected in line for line in failed_lines), message


def test_mart_gate_catches_a_volume_drop_against_the_last_good_run(warehouse_copy):
    mart_gate.run_mart_gate(warehouse_copy)
    execute(warehouse_copy, ["delete from marts.fct_interactions where hash(interaction_key) % 2 = 0"])
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        mart_gate.run_mart_gate(warehouse_copy)
    assert "- fct_interactions (" in str(failure.value)
    assert "expect_table_row_count_to_be_between" in str(failure.value)


def test_mart_gate_catches_stale_marts(warehouse_copy, monkeypatch):
    as_of = datetime.fromisoformat(demo_as_of(warehouse_copy.landing_dir)) + timedelta(days=10)
    monkeypatch.setenv("OUTCOMES_AS_OF", as_of.isoformat())
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        mart_gate.run_mart_gate(warehouse_copy)
    assert "expect_column_max_to_be_between {'column': '_newest_record_age_days'" in str(failure.value)
    monkeypatch.setenv("OUTCOMES_FRESHNESS", "off")
    assert mart_gate.run_mart_gate(warehouse_copy).success


def test_source_gate_checks_each_batch_once_and_every_source_for_freshness(warehouse_copy):
    first = quality_gate.run_source_gate(warehouse_copy)
    batches = [outcome for outcome in first.outcomes if outcome.batch_id]
    assert first.success and len(batches) >= 10
    assert any(outcome.suite == "freshness.x_tweets" for outcome in first.outcomes)
    again = quality_gate.run_source_gate(warehouse_copy)
    assert [outcome for outcome in again.outcomes if outcome.batch_id] == []
    assert again.success and all(outcome.suite.startswith("freshness.") for outcome in again.outcomes)
    assert (warehouse_copy.reports_dir / "quality" / "data_docs_sources" / "index.html").exists()


@pytest.fixture
def landing_copy(tmp_path, warehouse_copy, monkeypatch):
    landing = tmp_path / "landing_copy"
    shutil.copytree(warehouse_copy.landing_dir, landing)
    monkeypatch.setenv("OUTCOMES_LANDING_DIR", str(landing))
    return landing


def land_and_ingest(paths, landing, relative: str, text: str) -> None:
    (landing / relative).write_text(text)
    ingest.load_landing(landing, paths.warehouse_path)


def test_source_gate_stops_a_bad_batch_before_dbt_until_it_is_fixed(warehouse_copy, landing_copy):
    quality_gate.run_source_gate(warehouse_copy)
    header = (landing_copy / "calls" / "2025-01.csv").read_text().splitlines()[0]
    rows = [
        "late_1,inbound,+15550000001,+18005550100,,Support,agent1,2026-06-30T10:00:00Z,,2026-06-30T10:05:00Z,30,0,x",
        "late_1,sideways,+15550000002,+18005550100,,Support,agent1,2026-06-30T11:00:00Z,,2026-06-30T11:05:00Z,-4,0,x",
    ]
    land_and_ingest(warehouse_copy, landing_copy, "calls/2026-07.csv", "\n".join([header, *rows]) + "\n")
    for _ in range(2):  # a failed batch stays pending: the next run refuses it again
        with pytest.raises(quality_gate.QualityGateFailed) as failure:
            quality_gate.run_source_gate(warehouse_copy)
        message = str(failure.value)
        assert "dbt was not run" in message
        assert "- call_center_calls, batch " in message
        for check in (
            "expect_column_values_to_be_unique {'column': 'call_id'}",
            "expect_column_values_to_be_in_set {'column': 'direction'",
            "'column': 'wait_seconds_number', 'min_value': 0.0",
        ):
            assert check in message
    failed = [row for row in history(warehouse_copy) if not row[3]]
    assert {row[0] for row in failed} == {"source.call_center_calls"}


def test_source_gate_catches_a_shrunken_snapshot_export(warehouse_copy, landing_copy):
    quality_gate.run_source_gate(warehouse_copy)
    accounts = (landing_copy / "crm" / "accounts.csv").read_text().splitlines()
    land_and_ingest(warehouse_copy, landing_copy, "crm/accounts.csv", "\n".join(accounts[:11]) + "\n")
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        quality_gate.run_source_gate(warehouse_copy)
    assert "- crm_accounts, batch " in str(failure.value)
    assert "{'column': 'records_read', 'min_value': 64.0}: observed 10" in str(failure.value)


def test_an_api_delta_of_a_snapshot_source_is_not_a_shrunken_export(warehouse_copy, landing_copy):
    quality_gate.run_source_gate(warehouse_copy)
    header, first = (landing_copy / "crm" / "accounts.csv").read_text().splitlines()[:2]
    account = dict(zip(header.split(","), first.split(","), strict=True))  # demo accounts hold no quoted commas
    account.update(Name="Renamed Co", LastModifiedDate="2026-06-30T12:00:00.000+0000")
    page = {"totalSize": 1, "done": True, "records": [{"attributes": {"type": "Account"}, **account}]}
    (landing_copy / "crm" / "accounts").mkdir(exist_ok=True)
    land_and_ingest(warehouse_copy, landing_copy, "crm/accounts/api-20260630T120000000000Z.jsonl", json.dumps(page))
    report = quality_gate.run_source_gate(warehouse_copy)
    checked = {outcome.suite for outcome in report.outcomes if outcome.batch_id}
    assert "source.crm_accounts" in checked and "volume.crm_accounts" not in checked


def test_source_gate_catches_a_stale_source(warehouse_copy, monkeypatch):
    quality_gate.run_source_gate(warehouse_copy)
    as_of = datetime.fromisoformat(demo_as_of(warehouse_copy.landing_dir)) + timedelta(days=20)
    monkeypatch.setenv("OUTCOMES_AS_OF", as_of.isoformat())
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        quality_gate.run_source_gate(warehouse_copy)
    assert "- x_tweets (" in str(failure.value)
    assert "_newest_record_age_days" in str(failure.value)


def test_history_gives_each_suite_its_last_good_row_count(warehouse_copy):
    mart_gate.run_mart_gate(warehouse_copy)
    baselines = quality_history.last_good_rows(warehouse_copy.quality_history_path, "mart")
    with duckdb.connect(str(warehouse_copy.warehouse_path), read_only=True) as connection:
        rows = connection.execute("select count(*) from marts.fct_interactions").fetchone()[0]
    assert baselines["mart.fct_interactions"] == rows
