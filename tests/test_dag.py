"""The DAG files import cleanly: one ingest DAG per enabled source from the configuration, the transform DAG scheduled
on their assets with one task per dbt model, the warehouse writers in one pool, and retries and alerts wired."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from airflow.timetables.interval import CronDataIntervalTimetable
from airflow.utils.dates import cron_presets

from pipeline import ingest_dags

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAGS_FOLDER = PROJECT_ROOT / "dags"
CONFIG = PROJECT_ROOT / "config" / "sources.yml"
TRANSFORM_ORDER = ["source_gate", "dbt.dbt_producer_watcher", "dbt_docs", "quality_gate", "publish"]
AFTER_PUBLISH = ["dashboard", "handoff"]
POOL = "warehouse_writer"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


@pytest.fixture(scope="module")
def sources():
    return ingest_dags.load_sources(CONFIG)


def test_one_ingest_dag_per_enabled_source(dagbag, sources):
    assert dagbag.import_errors == {}
    configured = yaml.safe_load(CONFIG.read_text())["ingest_dags"]["sources"]
    assert {source.name for source in sources} <= set(configured)
    others = {"social_outcomes", "weekly_voc_report", "forget_person"}
    assert set(dagbag.dag_ids) == {*(source.dag_id for source in sources), *others}
    for source in sources:
        dag = dagbag.dags[source.dag_id]
        assert set(dag.task_ids) == {"extract", "ingest"}
        assert dag.get_task("ingest").upstream_task_ids == {"extract"}
        assert isinstance(dag.timetable, CronDataIntervalTimetable)  # runs have a real data interval
        assert dag.timetable._expression == cron_presets.get(source.schedule, source.schedule)
        assert dag.catchup is source.catchup


def test_ingest_updates_the_assets_of_its_raw_tables(dagbag, sources):
    x = next(source for source in sources if source.name == "x")
    ingest = dagbag.dags["ingest_x"].get_task("ingest")
    assert {outlet.name for outlet in ingest.outlets} == {
        "raw.x_tweets",
        "raw.x_dm_events",
        "raw.x_own_tweets",
        "raw.x_users",
    }
    every_table = [table for source in sources for table in source.tables]
    assert len(every_table) == len(set(every_table)), "a raw table belongs to one source"
    assert x.tables == ("x_tweets", "x_dm_events", "x_own_tweets", "x_users")


def test_transform_is_scheduled_on_every_ingest_asset(dagbag, sources):
    dag = dagbag.dags["social_outcomes"]
    scheduled_on = {asset.name for asset in dag.timetable.asset_condition.objects}
    assert scheduled_on == {f"raw.{table}" for source in sources for table in source.tables}


def test_transform_runs_in_order_with_one_task_per_model(dagbag):
    dag = dagbag.dags["social_outcomes"]
    dag.check_cycle()
    order = [task.task_id for task in dag.topological_sort()]
    positions = [order.index(task_id) for task_id in [*TRANSFORM_ORDER, "summarize"]]
    assert positions == sorted(positions)
    for task_id in AFTER_PUBLISH:
        assert dag.get_task(task_id).upstream_task_ids == {"publish"}
    model_tasks = {task_id for task_id in dag.task_ids if task_id.startswith("dbt.") and task_id.endswith("_run")}
    assert "dbt.fct_care_conversations_run" in model_tasks and len(model_tasks) > 40
    assert "dbt.dbt_producer_watcher" in dag.get_task("dbt.fct_care_conversations_run").get_flat_relative_ids(
        upstream=True
    )
    # The data and unit tests: one `dbt test` task after every model (the producer's build runs no test), before
    # the docs and the gates, holding the warehouse's one writer slot.
    tests = dag.get_task("dbt.dbt_project_test")
    assert type(tests).__name__ == "DbtTestLocalOperator" and tests.pool == POOL
    assert model_tasks <= tests.get_flat_relative_ids(upstream=True)
    assert "dbt_docs" in tests.get_flat_relative_ids(upstream=False)
    # What the tests check (every row, or what changed) is chosen at run time before dbt, and reaches `dbt test` as
    # templated environment; dbt_docs records the build.
    assert "dbt_scope" in tests.get_flat_relative_ids(upstream=True)
    assert "dbt_scope" in dag.get_task("dbt_docs").upstream_task_ids
    scope = "{{ ti.xcom_pull(task_ids='dbt_scope')['env']['SOCIAL_OUTCOMES_TEST_SCOPE'] }}"
    assert tests.env["SOCIAL_OUTCOMES_TEST_SCOPE"] == scope
    assert {"SOCIAL_OUTCOMES_TEST_SINCE", "DBT_EXCLUDE_RESOURCE_TYPES"} <= set(tests.env)
    assert "env" in tests.template_fields
    # the build states the full scope itself, whatever an earlier task left in the process
    producer = dag.get_task("dbt.dbt_producer_watcher")
    assert producer.env["DBT_EXCLUDE_RESOURCE_TYPES"] == "" and producer.env["SOCIAL_OUTCOMES_TEST_SCOPE"] == "full"


def test_warehouse_writers_share_one_pool_and_only_publish_writes_serving(dagbag, sources):
    dag = dagbag.dags["social_outcomes"]
    writers = ["source_gate", "dbt.dbt_producer_watcher", "dbt_docs", "quality_gate", "publish"]
    assert {dag.get_task(task_id).pool for task_id in writers} == {POOL}
    for source in sources:
        assert dagbag.dags[source.dag_id].get_task("ingest").pool == POOL
        assert dagbag.dags[source.dag_id].get_task("extract").pool != POOL
    assert dag.get_task("dashboard").pool != POOL


def test_ingest_retries_with_exponential_backoff_and_every_task_alerts_on_failure(dagbag, sources):
    from pipeline import alerts

    for source in sources:
        for task in dagbag.dags[source.dag_id].tasks:
            assert task.retries == alerts.INGEST_RETRIES["retries"] > 0
            assert task.retry_exponential_backoff
            assert alerts.task_failure_alert in task.on_failure_callback
    for task in dagbag.dags["social_outcomes"].tasks:
        assert alerts.task_failure_alert in task.on_failure_callback


def test_a_table_claimed_by_two_sources_is_a_clear_error(tmp_path):
    config = tmp_path / "sources.yml"
    config.write_text(
        yaml.safe_dump({"ingest_dags": {"sources": {"a": {"modules": ["x_api"]}, "b": {"modules": ["x_api"]}}}})
    )
    with pytest.raises(ingest_dags.IngestDagConfigError, match="raw.x_tweets is loaded by both a and b"):
        ingest_dags.load_sources(config)
    config.write_text(yaml.safe_dump({"ingest_dags": {"sources": {"a": {"modules": ["no_such_source"]}}}}))
    with pytest.raises(ingest_dags.IngestDagConfigError, match="no_such_source"):
        ingest_dags.load_sources(config)


def test_schedule_end_date_and_manual_only_sources_come_from_the_configuration(tmp_path):
    config = tmp_path / "sources.yml"
    sources = {
        "x": {"modules": ["x_api"], "schedule": "0 6 * * *", "end_date": "2025-03-31", "catchup": True},
        "zendesk": {"modules": ["zendesk"], "schedule": None},
    }
    config.write_text(yaml.safe_dump({"ingest_dags": {"defaults": {"start_date": "2025-03-01"}, "sources": sources}}))
    x, zendesk = ingest_dags.load_sources(config)
    assert (x.schedule, x.catchup, x.start_date.isoformat(), x.end_date.isoformat()) == (
        "0 6 * * *",
        True,
        "2025-03-01T00:00:00+00:00",
        "2025-03-31T00:00:00+00:00",
    )
    assert (zendesk.schedule, zendesk.end_date) == (None, None)  # only triggered runs
    sources["zendesk"]["schedule"] = ""
    config.write_text(yaml.safe_dump({"ingest_dags": {"sources": sources}}))
    with pytest.raises(ingest_dags.IngestDagConfigError, match="zendesk.schedule"):
        ingest_dags.load_sources(config)


def test_local_mode_dbt_processes_do_not_share_a_target_folder():
    # One dbt process per node in LOCAL mode: a shared target folder made each reuse the first one's partial parse,
    # which points into a temporary project copy deleted by then (every seed failed).
    from cosmos.constants import ExecutionMode

    from pipeline import dbt_cosmos

    watcher, local = (dbt_cosmos.dbt_path_env(mode) for mode in (ExecutionMode.WATCHER, ExecutionMode.LOCAL))
    assert "DBT_TARGET_PATH" in watcher  # the docs task reads run_results.json from there
    assert local == {key: value for key, value in watcher.items() if key != "DBT_TARGET_PATH"}
