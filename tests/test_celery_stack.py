"""The production topology for real: Airflow with the CeleryExecutor against a real Postgres (metadata database and
Celery result backend) and a real Redis (broker) on 127.0.0.1, with a separate api-server, scheduler, dag-processor,
triggerer and Celery worker, runs the full pipeline to success through the scheduler and the worker.

Postgres and Redis come from the Debian packages `postgresql` and `redis-server` (tests/airflow_stack.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline import ingest_dags as ingest_dag_config
from tests.airflow_stack import AirflowStack

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PIPELINE_DAG = "social_outcomes"
# A hang guard, not a speed check: the whole module takes 4 to 4.5 min on a quiet 2-core machine and over 11 min
# beside other heavy work (a Celery worker and an Airflow stack per DAG run, each competing for the same 2 cores).
PIPELINE_TIMEOUT = 1800  # per run


def triggered_only_sources_config(root: Path) -> Path:
    """config/sources.yml with every ingest DAG on `schedule: null`: the scheduler creates no daily runs of its own,
    so the runs the test triggers are the only ingest runs, while asset-triggered runs still happen."""
    config = yaml.safe_load((PROJECT_ROOT / "config" / "sources.yml").read_text())
    config["ingest_dags"]["defaults"]["schedule"] = None
    path = root / "sources.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def pipeline_env(root: Path, landing: Path) -> dict[str, str]:
    """OUTCOMES_* for the pipeline's tasks: the generated landing folder, everything written under `root`."""
    return {
        "OUTCOMES_SOURCES_CONFIG": str(triggered_only_sources_config(root)),
        "OUTCOMES_LANDING_DIR": str(landing),
        "OUTCOMES_WAREHOUSE_PATH": str(root / "warehouse" / "outcomes.duckdb"),
        "OUTCOMES_SERVING_PATH": str(root / "serving" / "outcomes.duckdb"),
        "OUTCOMES_REPORTS_DIR": str(root / "reports"),
        "OUTCOMES_FRESHNESS": "off",  # demo data ends on a fixed day
    }


def run_pipeline(stack: AirflowStack) -> list[tuple[str, str]]:
    """Run the whole pipeline through the scheduler; the (dag_id, run_id) of every run it took, all successful.

    Every `ingest_<source>` DAG is triggered (manual runs: no data interval, so each loads every new landing file
    whole; they run side by side, their warehouse writes one at a time through the `warehouse_writer` pool). Their
    successful `ingest` tasks update the raw-table assets, and the scheduler itself then starts the transform DAG
    `social_outcomes`, which is scheduled on all of them: an `asset_triggered` run.
    """
    stack.wait_for_dag(PIPELINE_DAG)
    stack.unpause(PIPELINE_DAG)
    # Every ingest DAG the configuration makes, each waited for: the dag-processor parses the DAG files in no fixed
    # order, and listing what it had parsed so far could find none (then nothing ran and the test waited 30 minutes).
    config = Path(stack.extra_env["OUTCOMES_SOURCES_CONFIG"])
    ingest_dags = sorted(source.dag_id for source in ingest_dag_config.load_sources(config))
    assert ingest_dags, f"{config} enables no ingest DAG"
    for dag_id in ingest_dags:
        stack.wait_for_dag(dag_id)
    runs = []
    for dag_id in ingest_dags:
        stack.unpause(dag_id)
        runs.append((dag_id, stack.trigger(dag_id)))
    for dag_id, run_id in runs:
        stack.wait_for_run(dag_id, run_id, timeout=PIPELINE_TIMEOUT)
    (transform,) = stack.wait_for_runs(PIPELINE_DAG, 1, run_type="asset_triggered", timeout=PIPELINE_TIMEOUT)
    stack.wait_for_run(PIPELINE_DAG, transform["run_id"], timeout=PIPELINE_TIMEOUT)
    return [*runs, (PIPELINE_DAG, transform["run_id"])]


@pytest.fixture(scope="module")
def pipeline_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("celery-pipeline")


@pytest.fixture(scope="module")
def celery_stack(demo_landing, pipeline_root):
    """One CeleryExecutor stack for the module; stopping it fails the module if any of its processes outlives it."""
    with AirflowStack(
        "CeleryExecutor",
        env=pipeline_env(pipeline_root, demo_landing),
        job_schedule=True,  # the scheduler starts the asset-triggered transform run itself
        parallelism=6,
        # Most tasks are short dbt watchers whose cost is starting up (each task process parses the DAG file): four
        # at a time keep both cores busy while others report back through the API.
        worker_concurrency=4,
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def pipeline_runs(celery_stack) -> list[tuple[str, str]]:
    return run_pipeline(celery_stack)


def test_stack_is_celery_on_postgres_and_redis(celery_stack):
    env = celery_stack.env
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://airflow@127.0.0.1:")
    assert env["AIRFLOW__CELERY__BROKER_URL"] == f"redis://127.0.0.1:{celery_stack.redis_port}/0"
    assert celery_stack.alive_processes() == [
        "postgres",
        "redis",
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
        "celery-worker",
    ]
    health = celery_stack.client.get("/monitor/health").json()
    assert {name: health[name]["status"] for name in ("metadatabase", "scheduler", "triggerer", "dag_processor")} == {
        "metadatabase": "healthy",
        "scheduler": "healthy",
        "triggerer": "healthy",
        "dag_processor": "healthy",
    }


def test_full_pipeline_succeeds_through_the_scheduler_and_the_celery_worker(celery_stack, pipeline_runs):
    ran = []
    for dag_id, run_id in pipeline_runs:
        run = celery_stack.run(dag_id, run_id)
        expected_type = "asset_triggered" if dag_id == PIPELINE_DAG else "manual"
        assert (run["state"], run["run_type"]) == ("success", expected_type)
        # "removed": the DAG file changed during the run (the dags-folder bundle is not versioned, so a running run
        # follows the newest parse); those tasks never ran.
        instances = [ti for ti in celery_stack.task_instances(dag_id, run_id) if ti["state"] != "removed"]
        assert instances and {ti["state"] for ti in instances} == {"success"}, celery_stack.describe_run(dag_id, run_id)
        ran += instances
    # The scheduler marks EmptyOperator tasks successful itself; every other task goes to an executor.
    ran = [ti for ti in ran if ti["operator"] != "EmptyOperator"]
    for ti in ran:
        # Queued by the scheduler on Celery's default queue, run once by a worker that recorded its host.
        assert ti["queue"] == "default" and ti["hostname"] and ti["try_number"] == 1, ti
    # Every task instance went through the broker to the worker: a successful result each in the result backend
    # (a deferred task that resumes goes through twice), each logged by the worker.
    results = celery_stack.celery_task_results(settled_within=60)
    assert len(results) >= len(ran) and {status for _, status in results} == {"SUCCESS"}, results
    worker_log = celery_stack.log_of("celery-worker").read_text(errors="replace")
    assert all(f"Task execute_workload[{task_id}] succeeded" in worker_log for task_id, _ in results)


def test_pipeline_published_the_marts(pipeline_runs, pipeline_root):
    serving = pipeline_root / "serving" / "outcomes.duckdb"
    assert serving.exists()
    with duckdb.connect(str(serving), read_only=True) as connection:
        tables = {row[0] for row in connection.execute("select table_name from information_schema.tables").fetchall()}
        assert {"fct_care_conversations", "mart_exec_scorecard", "mart_social_care"} <= tables
        assert connection.execute("select count(*) from fct_care_conversations").fetchone()[0] > 0
    summary = json.loads((pipeline_root / "reports" / "run_summary.json").read_text())
    assert summary["stages"]["publish"]["tables"]["fct_care_conversations"] > 0
