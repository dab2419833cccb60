"""The dbt project inside Airflow: one task per model and seed (astronomer-cosmos), all run by one `dbt build`.

Cosmos' watcher mode runs a single `dbt build` (the producer task, which holds the warehouse's writer slot) and turns
each node's result into its own task, so a failure points at a model without paying one dbt process per model.
Data tests and unit tests run inside that build: a failing test fails the producer task, whose log names it, and
the models downstream of it, which dbt skips.
The graph is rendered from dbt_project/target/manifest.json (`make manifest`, run by `make setup`), never by calling
dbt while the DAG file is parsed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

from pipeline.dbt_build import dbt_env
from pipeline.orchestration import connectors, test_scope
from pipeline.settings import PROJECT_ROOT, load_paths

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
PROFILE = ProfileConfig(
    profile_name="social_outcomes", target_name="dev", profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml"
)


PRODUCER_SUFFIX = "dbt_producer_watcher"
TEST_SUFFIX = "_test"  # the AFTER_ALL task: <project>_test
DBT_PATH_VARIABLES = ("OUTCOMES_WAREHOUSE_PATH", "DBT_TARGET_PATH", "DBT_LOG_PATH")
# What a run's dbt tests check (pipeline/orchestration/test_scope.py Scope.env).
SCOPE_VARIABLES = ("SOCIAL_OUTCOMES_TEST_SCOPE", "SOCIAL_OUTCOMES_TEST_SINCE", "DBT_EXCLUDE_RESOURCE_TYPES")


class ManifestMissing(FileNotFoundError):
    pass


def dbt_executable() -> Path:
    return Path(sys.executable).with_name("dbt")


def execution_config(mode: ExecutionMode) -> ExecutionConfig:
    # A subprocess, not dbtRunner: dbt-duckdb keeps its connection (and the file's write lock) open after an
    # in-process run (STACK.md).
    return ExecutionConfig(
        execution_mode=mode, invocation_mode=InvocationMode.SUBPROCESS, dbt_executable_path=dbt_executable()
    )


def dbt_path_env(mode: ExecutionMode) -> dict[str, str]:
    """The warehouse, target and log paths of this deployment for the dbt tasks; in LOCAL mode without
    DBT_TARGET_PATH. There every node runs its own dbt process in its own temporary copy of the project, and a shared
    target folder makes the second process reuse the first one's partial parse, whose paths point into a copy
    deleted by then (every seed fails: "No files found ... /tmp/tmp.../seeds/*.csv")."""
    env = {key: value for key, value in dbt_env(load_paths()).items() if key in DBT_PATH_VARIABLES}
    if mode == ExecutionMode.LOCAL:
        env.pop("DBT_TARGET_PATH")
    return env


def dbt_task_group(
    group_id: str = "dbt",
    *,
    mode: ExecutionMode = ExecutionMode.WATCHER,
    writer_pool: str | None = None,
    manifest_path: Path = MANIFEST_PATH,
    operator_args: dict | None = None,
    test_env: dict[str, str] | None = None,
) -> DbtTaskGroup:
    """The project's models, seeds and tests as tasks. `mode=ExecutionMode.LOCAL` is cosmos' default (one dbt
    process per node), kept for the benchmark that compares the two. `test_env`: more environment for the `dbt test`
    task (templated: e.g. xcom_env, the scope a task chose at run time)."""
    if not manifest_path.is_file():
        raise ManifestMissing(f"{manifest_path} not found: run `make manifest` (dbt parse) before loading the DAGs")
    # The warehouse and target paths of this deployment (dbt writes run_results.json where the docs task reads it).
    # Only paths: the env is stored with the serialized DAG, so no credential may ride along.
    # Every dbt task states the test scope (full unless test_env says otherwise): cosmos copies a task's environment
    # into its own process, so under dag.test() an earlier run's `dbt test` would otherwise leave its scope (and
    # DBT_EXCLUDE_RESOURCE_TYPES) to this run's build, which then skipped the seeds.
    env = dbt_path_env(mode) | test_scope.Scope("full", "default").env()
    args = {"install_deps": False, "append_env": True, "env": env, **(operator_args or {})}
    config = execution_config(mode)
    if writer_pool and mode == ExecutionMode.WATCHER:
        config.setup_operator_args = {"pool": writer_pool}  # only the producer runs dbt
    elif writer_pool:
        args["pool"] = writer_pool  # local mode: every node task runs dbt against the warehouse
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR, manifest_path=manifest_path, dbt_vars=connectors.dbt_vars() or None
        ),
        profile_config=PROFILE,
        execution_config=config,
        # AFTER_ALL: one `dbt test` task (data and unit tests) after every model. With NONE cosmos ran no test at
        # all (the producer's build is limited to models, seeds and snapshots); AFTER_EACH renders a test task per
        # model: twice the tasks and 1.61x the CPU of one plain `dbt build`, against 1.43x (BENCHMARKS.md).
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_ALL),
        operator_args=args,
    )
    if mode == ExecutionMode.WATCHER:
        run_node_tasks_after_the_build(group)
        if writer_pool:
            test_task(group).pool = writer_pool  # dbt test opens the warehouse too
    if test_env:
        test_task(group).env = {**(test_task(group).env or {}), **test_env}
    return group


def xcom_env(task_id: str, names: tuple[str, ...] = SCOPE_VARIABLES) -> dict[str, str]:
    """Environment variables read at run time from the `env` dict that task `task_id` returned (Airflow renders
    the dbt operators' `env` as a template)."""
    return {name: f"{{{{ ti.xcom_pull(task_ids='{task_id}')['env']['{name}'] }}}}" for name in names}


def test_task(group: DbtTaskGroup):
    return next(task for task in group if task.task_id.endswith(TEST_SUFFIX))


def run_node_tasks_after_the_build(group: DbtTaskGroup) -> None:
    """Cosmos starts the node tasks beside the producer and has them wait for its results; run after it instead,
    so each reads its node's result at once, and `dag.test()` (which runs tasks one by one) cannot block on them."""
    producer = next(task for task in group if task.task_id.endswith(PRODUCER_SUFFIX))
    for task in group:
        if task is not producer and not task.upstream_list:
            producer >> task
