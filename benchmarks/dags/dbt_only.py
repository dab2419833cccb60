"""The dbt project alone as cosmos tasks, one DAG per variant, for benchmarks/dbt_overhead.py.

- `dbt_only_watcher`: ours, `pipeline.dbt_cosmos.dbt_task_group(mode=WATCHER)`: one `dbt build` of the models, seeds
  and snapshots, one lightweight task per node, then one `dbt test` task (TestBehavior.AFTER_ALL).
- `dbt_only_local`: the same function in cosmos' default LOCAL mode (one dbt process per model, seed and snapshot,
  then the `dbt test` task), without the shared dbt target folder (see `dbt_cosmos.dbt_path_env`).
- `dbt_only_watcher_tests`, `dbt_only_local_tests`: the same two modes with cosmos' default test behaviour
  (AFTER_EACH: a test task after each tested model); `dbt_only_local_tests` is cosmos' usual setup throughout.

The benchmark points Airflow's DAGs folder here, not at dags/, so `dag.test()` (which parses its bundle) pays for
this DAG only; OUTCOMES_BENCH_DBT_VARIANTS (comma-separated, default all) picks which DAGs this file builds, so a
run does not also render the others.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG
from cosmos import DbtTaskGroup, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, LoadMode, TestBehavior

from pipeline import dbt_cosmos

VARIANTS_VARIABLE = "OUTCOMES_BENCH_DBT_VARIANTS"
VARIANTS = ("watcher", "local", "watcher_tests", "local_tests")


def dag_id(variant: str) -> str:
    return f"dbt_only_{variant}"


def cosmos_test_tasks_group(mode: ExecutionMode, group_id: str = "dbt") -> DbtTaskGroup:
    """Our project, profile, dbt paths and operator arguments (as `dbt_cosmos.dbt_task_group` gives them), with
    cosmos' default test behaviour: a test task after each model that has tests.

    In LOCAL mode, tests with several parents get their own task after all of them (cosmos'
    `should_detach_multiple_parents_tests`): otherwise a seed's `dbt test --select` also runs the relationship tests
    of marts that point at it, before those marts exist, and fails. The watcher's producer runs one `dbt build`,
    which orders them itself."""
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=dbt_cosmos.DBT_PROJECT_DIR, manifest_path=dbt_cosmos.MANIFEST_PATH
        ),
        profile_config=dbt_cosmos.PROFILE,
        execution_config=dbt_cosmos.execution_config(mode),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            should_detach_multiple_parents_tests=mode == ExecutionMode.LOCAL,
        ),
        operator_args={"install_deps": False, "append_env": True, "env": dbt_cosmos.dbt_path_env(mode)},
    )
    if mode == ExecutionMode.WATCHER:
        dbt_cosmos.run_node_tasks_after_the_build(group)
    return group


def dbt_only(variant: str) -> DAG:
    with DAG(
        dag_id=dag_id(variant),
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
        catchup=False,
        tags=["benchmark"],
        doc_md=__doc__,
    ) as dag:
        if variant == "watcher":
            dbt_cosmos.dbt_task_group("dbt", mode=ExecutionMode.WATCHER)
        elif variant == "local":
            mode = ExecutionMode.LOCAL
            dbt_cosmos.dbt_task_group("dbt", mode=mode, operator_args={"env": dbt_cosmos.dbt_path_env(mode)})
        elif variant == "watcher_tests":
            cosmos_test_tasks_group(ExecutionMode.WATCHER)
        elif variant == "local_tests":
            cosmos_test_tasks_group(ExecutionMode.LOCAL)
        else:
            raise ValueError(f"unknown variant {variant!r}; one of {VARIANTS}")
    return dag


for _variant in os.environ.get(VARIANTS_VARIABLE, ",".join(VARIANTS)).split(","):
    if _variant.strip():
        globals()[dag_id(_variant.strip())] = dbt_only(_variant.strip())
