"""Test DAG for pipeline/alerts.run_deadline: its one task outlasts a deadline of a few seconds. Run by a real
scheduler (tests/test_alerts.py), as soon as the dag-processor has parsed it (`@once`, not paused)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from pipeline import alerts


@dag(
    dag_id="alert_deadline",
    schedule="@once",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    deadline=alerts.run_deadline(timedelta(seconds=float(os.environ.get("ALERT_TEST_DEADLINE_SECONDS", "3")))),
)
def alert_deadline():
    @task(task_id="slow")
    def slow():
        time.sleep(float(os.environ.get("ALERT_TEST_TASK_SECONDS", "120")))

    slow()


alert_deadline()
