"""The whole pipeline through Airflow (`dag.test()` of each DAG), checked against an independent computation on the
landing files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import publish, run_all
from pipeline.outputs.run_summary import format_summary
from tests.conftest import paths_in

BRAND_USER_IDS = {"1001", "1002", "1003", "1004"}


def load_dag():
    return run_all.load_dags()["social_outcomes"]


def task_states(dag_run) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances(session=session)}


def read_pages(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


def expected_mention_first_responses(landing: Path) -> pd.Series:
    """Minutes from each customer mention to the first brand reply in its conversation, from the raw pages."""
    tweets = pd.DataFrame([tweet for page in read_pages(landing / "x" / "tweets") for tweet in page["data"]])
    tweets["created_at"] = pd.to_datetime(tweets["created_at"])
    roots = tweets[(tweets["id"] == tweets["conversation_id"]) & ~tweets["author_id"].isin(BRAND_USER_IDS)]
    brand = tweets[tweets["author_id"].isin(BRAND_USER_IDS) & (tweets["id"] != tweets["conversation_id"])]
    joined = roots.merge(brand, on="conversation_id", suffixes=("_root", "_reply"))
    joined = joined[joined["created_at_reply"] >= joined["created_at_root"]]
    first_reply = joined.groupby("conversation_id")["created_at_reply"].min()
    opened = roots.set_index("conversation_id")["created_at"]
    minutes = (first_reply - opened.loc[first_reply.index]).dt.total_seconds() / 60
    return minutes.reindex(opened.index).rename(lambda conversation: f"x_mention:{conversation}")


def expected_ticket_first_responses(landing: Path) -> pd.Series:
    """Minutes from ticket creation to the first public comment by an agent, from the Zendesk pages."""
    pages = read_pages(landing / "zendesk" / "tickets")
    agents = {user["id"] for page in pages for user in page["users"] if user["role"] == "agent"}
    created = {}
    for ticket in (ticket for page in pages for ticket in page["tickets"]):
        created[ticket["id"]] = ticket["created_at"]
    responses = {}
    for event in (
        event for page in read_pages(landing / "zendesk" / "ticket_events") for event in page["ticket_events"]
    ):
        for child in event["child_events"]:
            if child["event_type"] == "Comment" and child.get("public") and child.get("author_id") in agents:
                at = pd.Timestamp(event["created_at"])
                if at >= pd.Timestamp(created[event["ticket_id"]]):
                    previous = responses.get(event["ticket_id"])
                    responses[event["ticket_id"]] = at if previous is None else min(previous, at)
    opened = pd.Series({ticket: pd.Timestamp(at) for ticket, at in created.items()})
    first = pd.Series(responses, dtype="datetime64[ns, UTC]").reindex(opened.index)
    minutes = (first - opened).dt.total_seconds() / 60
    return minutes.rename(lambda ticket: f"zendesk:{ticket}")


def mart_first_responses(serving_path: Path, channels: list[str]) -> pd.Series:
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        frame = connection.execute(
            "select conversation_id, first_response_minutes from fct_care_conversations where channel in ?",
            [channels],
        ).df()
    return frame.set_index("conversation_id")["first_response_minutes"]


@pytest.fixture(scope="module")
def pipeline_run(airflow_db, demo_landing, tmp_path_factory):
    """Every ingest DAG, then the transform DAG, at test scale; yields the transform run, its task states and the
    paths it wrote."""
    monkeypatch = pytest.MonkeyPatch()
    paths = paths_in(tmp_path_factory.mktemp("e2e"), demo_landing, monkeypatch)
    dag_run = run_all.run_pipeline()["social_outcomes"]
    yield dag_run, task_states(dag_run), paths
    monkeypatch.undo()


def test_dag_run_succeeds_and_publishes(pipeline_run):
    dag_run, states, paths = pipeline_run
    assert str(dag_run.state) == "success", states
    assert set(states.values()) == {"success"}
    summary = json.loads(paths.run_summary_path.read_text())
    assert summary["rows_per_layer"]["raw"] and summary["rows_per_layer"]["marts"]
    published_rows = summary["stages"]["publish"]["tables"]["fct_care_conversations"]
    assert summary["care_headlines"]["overall"]["conversations"] == published_rows > 0
    kpis = [row["kpi"] for row in summary["scorecard"]]
    assert kpis[:3] == ["social_share", "median_first_response_minutes", "sla_attainment"]
    assert "revenue_at_risk" in kpis
    printed = format_summary(summary)
    assert "Executive scorecard" in printed and "SLA attainment" in printed


def test_each_run_writes_data_docs_and_dbt_docs_linked_from_the_summary(pipeline_run):
    _, _, paths = pipeline_run
    summary = json.loads(paths.run_summary_path.read_text())
    printed = format_summary(summary)
    for stage, key, marker in (
        ("gate", "data_docs", "mart.fct_interactions"),
        ("source_gate", "data_docs", "source.x_tweets"),
        ("dbt", "docs", "mart_exec_scorecard"),
    ):
        page = Path(summary["stages"][stage][key])
        assert page.exists() and marker in page.read_text()
        assert str(page) in printed
    assert "landed source batches" in printed and "suites passed" in printed


def test_social_first_response_matches_independent_computation(pipeline_run, demo_landing):
    _, _, paths = pipeline_run
    expected = expected_mention_first_responses(demo_landing).sort_index()
    actual = mart_first_responses(paths.serving_path, ["x_mention"]).sort_index()
    assert list(actual.index) == list(expected.index)
    pd.testing.assert_series_equal(actual, expected, check_names=False, check_dtype=False, atol=1e-6)


def test_ticket_first_response_matches_independent_computation(pipeline_run, demo_landing):
    _, _, paths = pipeline_run
    expected = expected_ticket_first_responses(demo_landing).sort_index()
    actual = mart_first_responses(paths.serving_path, ["email", "web", "chat", "voice"]).sort_index()
    assert list(actual.index) == list(expected.index)
    pd.testing.assert_series_equal(actual, expected, check_names=False, check_dtype=False, atol=1e-6)


def test_worst_sla_team_is_the_planted_one(pipeline_run, demo_landing):
    _, _, paths = pipeline_run
    planted = json.loads((demo_landing / "manifest.json").read_text())["truths"]["worst_sla_team"]["team"]
    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        ranking = connection.execute(
            "select team, avg(case when is_sla_breached then 0.0 else 1.0 end) as attainment"
            " from fct_care_conversations group by team order by attainment"
        ).fetchall()
    assert ranking[0][0] == planted
    assert ranking[0][1] < ranking[1][1] - 0.1


def test_failed_gate_blocks_publish_and_keeps_the_serving_file(airflow_db, warehouse_copy):
    release = publish.publish(warehouse_copy).release
    previous = warehouse_copy.serving_path.read_bytes()
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute(
            "insert into marts.fct_care_conversations select * from marts.fct_care_conversations limit 1"
        )
    gate_and_publish = load_dag().partial_subset(task_ids=["quality_gate", "publish"], include_upstream=False)
    dag_run = gate_and_publish.test()
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed"
    assert states == {"quality_gate": "failed", "publish": "upstream_failed"}
    assert warehouse_copy.serving_path.read_bytes() == previous
    assert publish.current_release(warehouse_copy) == release
    report = json.loads((warehouse_copy.reports_dir / "quality" / "gate_marts.json").read_text())
    assert report["success"] is False


def test_a_second_run_tests_what_changed_through_airflow(pipeline_run):
    """The first run tested every row; the next transform run's `dbt test` task gets the scope task dbt_scope chose
    (templated environment): no unit tests, data tests limited to what changed, and the build recorded."""
    _, _, paths = pipeline_run
    first = json.loads((paths.warehouse_path.parent / "dbt_tests.json").read_text())
    assert first["full_tests_at"] and first["last_build_started_at"]
    full = json.loads(paths.run_summary_path.read_text())["stages"]["dbt"]
    assert full["tests"] == "full: no run has tested every row yet" and full["kinds"]["unit_test"] > 10
    docs_written = Path(full["docs"]).stat().st_mtime_ns
    dag_run = run_all.run_dag(load_dag())
    assert str(dag_run.state) == "success", task_states(dag_run)
    second = json.loads((paths.warehouse_path.parent / "dbt_tests.json").read_text())
    assert second["full_tests_at"] == first["full_tests_at"]
    assert second["last_build_started_at"] > first["last_build_started_at"]
    dbt = json.loads(paths.run_summary_path.read_text())["stages"]["dbt"]
    assert dbt["tests"].startswith("changed: rows changed since"), dbt["tests"]
    assert dbt["kinds"].get("test", 0) > 100 and "unit_test" not in dbt["kinds"], dbt["kinds"]
    # same project: the dbt docs site of the full run is kept, and still linked
    assert dbt["docs"] == full["docs"] and Path(dbt["docs"]).stat().st_mtime_ns == docs_written
