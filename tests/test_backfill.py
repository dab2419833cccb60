"""A backfill reproduces the scheduled runs. In one deployment the scheduler catches up on the ingest DAGs' weekly
intervals by itself; in a second one, with its own metadata database and an empty warehouse, a backfill of the same
range runs instead. Both load the same raw rows, and dbt builds the same marts from them.

Both deployments are real (api-server, scheduler, dag-processor and LocalExecutor, each on a throwaway Postgres
metadata database of its own: tests/airflow_stack.py) and run side by side: they share nothing but the read-only
landing folder. Airflow refuses a backfill on SQLite under concurrent access ("Please use PostgreSQL or MySQL").

Nothing waits a fixed time: every wait polls Airflow until the expected state, against a deadline computed from the
work (DAG files to parse, runs to finish) with room for a machine shared with other CPU-heavy work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline import dbt_build
from pipeline.settings import load_paths
from tests.airflow_stack import AirflowStack
from tests.test_ingest_interval import raw_rows

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Three weekly intervals (cron @weekly: Sunday 00:00 UTC) crossing a month end, so a run cuts monthly landing files.
START, END = "2025-03-16", "2025-03-30"  # logical dates (interval starts) of the first and last run
INTERVALS = 3
# Sources with records in the demo landing folder; the public-export sources find nothing there.
SOURCES = ("x", "zendesk", "reviews", "community", "crm", "web_analytics", "email", "calls")
RUNS = len(SOURCES) * INTERVALS  # runs per deployment
# Deadlines, from the work and generous for a loaded 2-core machine. Startup: `airflow db migrate` on a new Postgres
# and the components' first heartbeats. Parsing: the dag-processor parses the DAG files one at a time and gives up on
# one after DAG_FILE_PROCESSOR_TIMEOUT (240 s, tests/airflow_stack.py). Runs: every ingest task of a deployment
# writes its warehouse through the one-slot `warehouse_writer` pool, so its runs end one after another: with both
# deployments at once, all their runs took 104 s beside other agents' work and 135 s with two CPU hogs added (about
# 6 s a run), startup 39 s and 73 s.
STARTUP_TIMEOUT = 300
PARSE_TIMEOUT = len(list((PROJECT_ROOT / "dags").glob("*.py"))) * 240
RUN_TIMEOUT = 120 + RUNS * 30
# Columns that say when a row was loaded or snapshotted, not what it holds (the snapshot's validity starts when dbt
# runs, and its version key hashes that time).
RUN_COLUMNS = {
    "_batch_id",
    "_loaded_at",
    "_source_file",
    "valid_from",
    "valid_to",
    "account_version_key",
    "contact_version_key",
}


def weekly_sources_config(root: Path) -> Path:
    """config/sources.yml with the demo sources' ingest DAGs weekly over START..END with catch-up on."""
    config = yaml.safe_load((PROJECT_ROOT / "config" / "sources.yml").read_text())
    section = config["ingest_dags"]
    section["defaults"] = {"schedule": "@weekly", "start_date": START, "end_date": END, "catchup": True}
    section["sources"] = {name: section["sources"][name] for name in SOURCES}
    path = root / "sources.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def deployment_env(root: Path, landing: Path) -> dict[str, str]:
    root.mkdir(parents=True)
    return {
        "OUTCOMES_SOURCES_CONFIG": str(weekly_sources_config(root)),
        "OUTCOMES_LANDING_DIR": str(landing),
        "OUTCOMES_WAREHOUSE_PATH": str(root / "warehouse" / "outcomes.duckdb"),
        "OUTCOMES_SERVING_PATH": str(root / "serving" / "outcomes.duckdb"),
        "OUTCOMES_REPORTS_DIR": str(root / "reports"),
    }


def ingest_dag_ids() -> list[str]:
    return [f"ingest_{name}" for name in SOURCES]


def finished_runs(stack: AirflowStack, run_type: str, deadline: float) -> dict[str, list[dict]]:
    """Every ingest DAG's INTERVALS runs of `run_type`, all successful, waited for until `deadline` (monotonic)."""
    runs = {}
    for dag_id in ingest_dag_ids():
        remaining = max(1.0, deadline - time.monotonic())
        runs[dag_id] = stack.wait_for_runs(dag_id, INTERVALS, run_type=run_type, timeout=remaining)
        failed = [run for run in runs[dag_id] if run["state"] != "success"]
        assert not failed, stack.describe_run(dag_id, failed[0]["run_id"])
    return runs


def intervals(runs: dict[str, list[dict]]) -> dict[str, list[tuple[str, str]]]:
    return {
        dag_id: [(run["data_interval_start"], run["data_interval_end"]) for run in dag_runs]
        for dag_id, dag_runs in runs.items()
    }


def build_marts(warehouse: Path) -> None:
    """dbt builds the models, seeds and snapshots into that warehouse; data and unit tests are other tests' job."""
    paths = dataclasses.replace(load_paths(), warehouse_path=warehouse)
    built = dbt_build.run_dbt(paths, "build", "--exclude", "resource_type:test", "resource_type:unit_test")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]


def mart_rows(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        ).fetchall()
        rows = {}
        for (table,) in tables:
            columns = connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            kept = ", ".join(f'"{name}"' for (name,) in columns if name not in RUN_COLUMNS)
            fetched = connection.execute(f"select {kept} from marts.{table} order by all").fetchall()
            rows[table] = [tuple(_comparable(value) for value in row) for row in fetched]
        return rows


def _comparable(value):
    # A parallel aggregate adds doubles in no fixed order: equal to 12 significant digits, not always in the last bit.
    return float(f"{value:.12g}") if isinstance(value, float) else value


def counts(rows: dict[str, list[tuple]]) -> dict[str, int]:
    return {table: len(table_rows) for table, table_rows in rows.items()}


@pytest.fixture(scope="module")
def deployments(demo_landing, tmp_path_factory):
    """(scheduled, backfilled): each the warehouse it loaded and its runs of every ingest DAG.

    Scheduled: the scheduler catches up on every interval by itself. Backfilled: nothing is scheduled
    (use_job_schedule off); one backfill per ingest DAG over the same range."""
    root = tmp_path_factory.mktemp("backfill")
    scheduled_env = deployment_env(root / "scheduled", demo_landing)
    backfilled_env = deployment_env(root / "backfilled", demo_landing)
    with contextlib.ExitStack() as running:
        options = {"triggerer": False, "startup_timeout": STARTUP_TIMEOUT}
        scheduler = AirflowStack("LocalExecutor", env=scheduled_env, job_schedule=True, **options)
        backfiller = AirflowStack("LocalExecutor", env=backfilled_env, job_schedule=False, **options)
        for stack in (scheduler, backfiller):  # both start at once; stopped in reverse order, each checked
            running.callback(stack.stop)
            stack.launch()
        for stack in (scheduler, backfiller):
            stack.wait_ready()
        for dag_id in ingest_dag_ids():
            scheduler.wait_for_dag(dag_id, timeout=PARSE_TIMEOUT)
            scheduler.unpause(dag_id)
            backfiller.wait_for_dag(dag_id, timeout=PARSE_TIMEOUT)
            backfiller.unpause(dag_id)  # a backfill's runs start only when its DAG is unpaused
            backfiller.backfill(dag_id, START, END)
        # Both deployments work at once from here: one deadline for all their runs.
        deadline = time.monotonic() + RUN_TIMEOUT
        scheduled_runs = finished_runs(scheduler, "scheduled", deadline)
        backfill_runs = finished_runs(backfiller, "backfill", deadline)
    return (
        (Path(scheduled_env["OUTCOMES_WAREHOUSE_PATH"]), scheduled_runs),
        (Path(backfilled_env["OUTCOMES_WAREHOUSE_PATH"]), backfill_runs),
    )


@pytest.fixture(scope="module")
def scheduled(deployments):
    return deployments[0]


@pytest.fixture(scope="module")
def backfilled(deployments):
    return deployments[1]


def test_the_scheduler_caught_up_on_every_interval_in_order(scheduled):
    _, runs = scheduled
    for dag_id, spans in intervals(runs).items():
        assert len(spans) == INTERVALS, (dag_id, spans)
        assert spans[0][0].startswith(START) and spans[-1][0].startswith(END), (dag_id, spans)
        assert all(end == following for (_, end), (following, _) in zip(spans, spans[1:], strict=False)), spans


def test_backfill_loads_the_same_raw_rows_as_the_scheduled_runs(scheduled, backfilled):
    (scheduled_warehouse, scheduled_runs), (backfilled_warehouse, backfill_runs) = scheduled, backfilled
    assert intervals(backfill_runs) == intervals(scheduled_runs)
    expected, actual = raw_rows(scheduled_warehouse), raw_rows(backfilled_warehouse)
    assert sum(len(rows) for rows in expected.values()) > 0
    assert counts(actual) == counts(expected)
    for table, rows in expected.items():
        assert actual[table] == rows, table


def test_backfill_builds_the_same_marts_as_the_scheduled_runs(scheduled, backfilled):
    for warehouse, _ in (scheduled, backfilled):
        build_marts(warehouse)
    expected, actual = mart_rows(scheduled[0]), mart_rows(backfilled[0])
    assert expected and any(expected.values())
    assert counts(actual) == counts(expected)
    for table, rows in expected.items():
        assert actual[table] == rows, table
