"""Weekly voice-of-customer report: every Monday, the last full week's volume and sentiment trend, hot-button topics
with example posts, topics needing redress, SLA by team and one section per owning team, from the published serving
file. Written to reports/weekly/ and emailed (HTML with a plain-text alternative) when the `outcomes_smtp` connection
or OUTCOMES_SMTP_* is set. Logic: pipeline/outputs/weekly_report.py.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from pipeline.outputs import weekly_report


@dag(
    dag_id="weekly_voc_report",
    schedule="0 7 * * 1",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["social-outcomes", "reports"],
    doc_md=__doc__,
)
def weekly_voc_report():
    task(weekly_report.weekly_report_task, task_id="build_and_send")()


weekly_voc_report()
