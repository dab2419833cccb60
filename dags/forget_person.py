"""Forget one person on request (GDPR Art. 17 erasure, CCPA deletion): triggered by hand with the person's email,
handle or CRM contact id as the param `who`. Removes them from raw, quarantine, snapshots and every serving release
and copy, rebuilds and republishes the marts, records the request (hashed) in privacy.erasure_audit and suppresses
their identifiers in later ingests. One task, in the warehouse writer pool, so no other run writes or publishes
between its steps. The identifier stays in this run's conf in the Airflow metadata database: delete the run once it
succeeded. Logic: pipeline/publish/erasure (also `make forget WHO=...`).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task

from pipeline import alerts
from pipeline.publish import erasure

WAREHOUSE_WRITER_POOL = "warehouse_writer"

with DAG(
    dag_id="forget_person",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "who": Param(
            type="string",
            minLength=1,
            title="Who to forget",
            description="The person's email, social handle (with or without @) or CRM contact id.",
        )
    },
    default_args={"on_failure_callback": alerts.task_failure_alert},
    tags=["social-outcomes", "privacy"],
    doc_md=__doc__,
) as dag:
    task(erasure.forget_person_task, task_id="forget", pool=WAREHOUSE_WRITER_POOL)()
