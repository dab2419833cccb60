"""Test DAGs for pipeline/alerts.py: a task that fails, and one that fails the quality gate. Run by dag.test()."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task

from pipeline import alerts

DEFAULT_ARGS = {"on_failure_callback": alerts.task_failure_alert, "retries": 0}


@dag(
    dag_id="alert_task_failure",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args=DEFAULT_ARGS,
)
def alert_task_failure():
    @task(task_id="explode")
    def explode():
        raise RuntimeError("the export API answered 503 three times")

    explode()


@dag(
    dag_id="alert_quality_gate",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args=DEFAULT_ARGS,
)
def alert_quality_gate():
    @task(task_id="quality_gate")
    def quality_gate():
        from pipeline.quality_gate import QualityGateFailed  # imports Great Expectations: only when run

        raise QualityGateFailed(
            "Quality gate failed on the marts; the serving copy was not replaced.\n- fct_interactions: duplicates",
            stage="marts",
            data_docs=os.environ["ALERT_TEST_DATA_DOCS"],
        )

    quality_gate()


alert_task_failure()
alert_quality_gate()
