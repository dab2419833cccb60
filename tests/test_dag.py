"""The DAG file imports cleanly and wires the pipeline in the expected order."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parent.parent / "dags"
EXPECTED_ORDER = ["extract", "ingest", "source_gate", "dbt_build", "quality_gate", "publish"]
AFTER_PUBLISH = ["dashboard", "handoff"]
WAREHOUSE_WRITERS = ["ingest", "source_gate", "dbt_build", "quality_gate", "publish"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"social_outcomes", "weekly_voc_report"}


def test_pipeline_tasks_run_in_order(dagbag):
    dag = dagbag.dags["social_outcomes"]
    assert set(dag.task_ids) == {*EXPECTED_ORDER, *AFTER_PUBLISH, "summarize"}
    for upstream, downstream in zip(EXPECTED_ORDER, EXPECTED_ORDER[1:], strict=False):
        assert dag.get_task(downstream).upstream_task_ids == {upstream}
    for task_id in AFTER_PUBLISH:
        assert dag.get_task(task_id).upstream_task_ids == {"publish"}
    assert dag.get_task("summarize").upstream_task_ids == {*EXPECTED_ORDER, *AFTER_PUBLISH}


def test_warehouse_writers_share_one_pool(dagbag):
    dag = dagbag.dags["social_outcomes"]
    assert {dag.get_task(task_id).pool for task_id in WAREHOUSE_WRITERS} == {"warehouse_writer"}
    assert dag.get_task("extract").pool != "warehouse_writer"


def test_dag_has_no_cycles(dagbag):
    dag = dagbag.dags["social_outcomes"]
    dag.check_cycle()
    order = [task.task_id for task in dag.topological_sort()]
    assert (
        order.index("extract")
        < order.index("ingest")
        < order.index("dbt_build")
        < order.index("publish")
        < order.index("summarize")
    )
