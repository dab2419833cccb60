"""Social outcomes transform: source gate -> dbt (one task per model) -> mart gate -> publish -> dashboard and
feedback hand-off -> summary. Scheduled on the raw-table assets the `ingest_<source>` DAGs update
(config/sources.yml `transform.trigger`: after all of them, or after any).

Great Expectations checks each landed batch before dbt reads it; dbt builds staging and marts with one `dbt build`
(cosmos watcher mode: each model, seed and test still shows as its own task), then one `dbt test` over every row or
only what changed since the last successful build (task dbt_scope decides); Great Expectations checks the marts, and
only then are they published as a new serving release. Tasks that open the warehouse share the one-slot
`warehouse_writer` pool, because DuckDB allows one writing process per file and no reader while it writes; only
`publish` touches the serving copy.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from pipeline import alerts, ingest_dags, tasks
from pipeline.dbt_cosmos import dbt_task_group, xcom_env
from pipeline.settings import load_paths

WAREHOUSE_WRITER_POOL = "warehouse_writer"
CONFIG = load_paths().sources_config_path


@dag(
    dag_id="social_outcomes",
    schedule=ingest_dags.transform_schedule(CONFIG, ingest_dags.load_sources(CONFIG)),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"on_failure_callback": alerts.task_failure_alert},
    deadline=alerts.run_deadline(timedelta(hours=2)),
    tags=["social-outcomes", "transform"],
    doc_md=__doc__,
)
def social_outcomes():
    writer = {"pool": WAREHOUSE_WRITER_POOL}
    sources_checked = task(tasks.quality_gate_sources, task_id="source_gate", **writer)()
    dbt_scope = task(tasks.choose_dbt_scope, task_id="dbt_scope")()
    dbt = dbt_task_group("dbt", writer_pool=WAREHOUSE_WRITER_POOL, test_env=xcom_env("dbt_scope"))
    documented = task(tasks.document_dbt_run, task_id="dbt_docs", **writer)(dbt_scope)
    gated = task(tasks.quality_gate_marts, task_id="quality_gate", **writer)()
    published = task(tasks.publish_marts, task_id="publish", **writer)()
    dashboard = task(tasks.build_dashboard, task_id="dashboard")()
    handed_off = task(tasks.hand_off_feedback, task_id="handoff")()
    sources_checked >> dbt_scope >> dbt >> documented >> gated >> published >> [dashboard, handed_off]
    task(tasks.summarize, task_id="summarize")(sources_checked, documented, gated, published, dashboard, handed_off)


social_outcomes()
