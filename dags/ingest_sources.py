"""One ingest DAG per enabled source in config/sources.yml (`ingest_dags`): `ingest_<source>`, on the source's own
schedule. Each run pulls the source's enabled API streams, then loads exactly its data interval into the source's
raw tables and updates their assets (`raw.<table>`), which schedule the transform DAG `social_outcomes`.
Logic: pipeline/ingest_dags.py (configuration) and pipeline/tasks.py (the task callables).
"""

from __future__ import annotations

from airflow.sdk import DAG, task
from airflow.timetables.interval import CronDataIntervalTimetable

from pipeline import alerts, ingest_dags, tasks
from pipeline.settings import load_paths

WAREHOUSE_WRITER_POOL = "warehouse_writer"

for source in ingest_dags.load_sources(load_paths().sources_config_path):
    with DAG(
        dag_id=source.dag_id,
        schedule=CronDataIntervalTimetable(source.schedule, timezone="UTC") if source.schedule else None,
        start_date=source.start_date,
        end_date=source.end_date,
        catchup=source.catchup,
        max_active_runs=1,
        default_args={**alerts.INGEST_RETRIES, "on_failure_callback": alerts.task_failure_alert},
        tags=["social-outcomes", "ingest"],
        doc_md=__doc__,
    ) as dag:
        extracted = task(tasks.extract_source, task_id="extract")(source_name=source.name)
        loaded = task(tasks.ingest_source, task_id="ingest", pool=WAREHOUSE_WRITER_POOL, outlets=source.assets)(
            source_name=source.name
        )
        extracted >> loaded
    globals()[source.dag_id] = dag
