"""Social outcomes pipeline: extract -> ingest -> source gate -> dbt build -> mart gate -> publish -> dashboard
and feedback hand-off -> summary.

The API sources enabled in config/sources.yml are pulled into the landing folder. Landing files are loaded into the
DuckDB warehouse; Great Expectations checks each landed batch before dbt reads it; dbt builds staging and marts (and
its docs); Great Expectations checks the marts, and only then are they published as a new serving release. Tasks
that open the warehouse share the one-slot `warehouse_writer` pool, because DuckDB allows one writing process per file
and no reader while it writes.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from pipeline import tasks

WAREHOUSE_WRITER_POOL = "warehouse_writer"


@dag(
    dag_id="social_outcomes",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["social-outcomes"],
    doc_md=__doc__,
)
def social_outcomes():
    extracted = task(tasks.extract_sources, task_id="extract")()
    ingested = task(tasks.ingest_landing, task_id="ingest", pool=WAREHOUSE_WRITER_POOL)()
    sources_checked = task(tasks.quality_gate_sources, task_id="source_gate", pool=WAREHOUSE_WRITER_POOL)()
    built = task(tasks.dbt_build, task_id="dbt_build", pool=WAREHOUSE_WRITER_POOL)()
    gated = task(tasks.quality_gate_marts, task_id="quality_gate", pool=WAREHOUSE_WRITER_POOL)()
    published = task(tasks.publish_marts, task_id="publish", pool=WAREHOUSE_WRITER_POOL)()
    dashboard = task(tasks.build_dashboard, task_id="dashboard")()
    handed_off = task(tasks.hand_off_feedback, task_id="handoff")()
    extracted >> ingested >> sources_checked >> built >> gated >> published >> [dashboard, handed_off]
    task(tasks.summarize, task_id="summarize")(
        extracted, ingested, sources_checked, built, gated, published, dashboard, handed_off
    )


social_outcomes()
