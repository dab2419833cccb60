"""The callables the Airflow DAG runs, one per task. Each returns a JSON-serialisable report for XCom."""

from __future__ import annotations

from datetime import datetime

import extract.run
import ingest
from pipeline import dbt_build as dbt_build_step
from pipeline import handoff, quality_gate, run_summary
from pipeline import publish as publish_step
from pipeline.dashboard import build as dashboard_build
from pipeline.measure import measured
from pipeline.settings import PipelinePaths, load_paths


def extract_sources() -> dict:
    paths = load_paths()
    return measured(lambda: extract.run.run_enabled(paths.sources_config_path, paths.landing_dir))


def ingest_landing() -> dict:
    paths = load_paths()
    return measured(
        lambda: ingest.load_landing(
            paths.landing_dir, paths.warehouse_path, sources_config=paths.sources_config_path
        ).to_dict()
    )


def quality_gate_sources(data_interval_end: datetime | None = None) -> dict:
    paths = load_paths()
    return measured(lambda: quality_gate.run_source_gate(paths, data_interval_end).to_dict())


def build_and_document(paths: PipelinePaths) -> dict:
    report = dbt_build_step.build(paths)
    report.docs = str(dbt_build_step.generate_docs(paths))
    return report.to_dict()


def dbt_build() -> dict:
    paths = load_paths()
    return measured(lambda: build_and_document(paths))


def quality_gate_marts(data_interval_end: datetime | None = None) -> dict:
    paths = load_paths()
    return measured(lambda: quality_gate.run_mart_gate(paths, data_interval_end).to_dict())


def publish_marts() -> dict:
    paths = load_paths()
    return measured(lambda: publish_step.publish(paths).to_dict())


def build_dashboard() -> dict:
    paths = load_paths()
    return measured(lambda: dashboard_build.build(paths).to_dict())


def hand_off_feedback() -> dict:
    paths = load_paths()
    return measured(lambda: handoff.hand_off(paths))


def summarize(
    extract_report: dict,
    ingest_report: dict,
    source_gate_report: dict,
    dbt_report: dict,
    gate_report: dict,
    publish_report: dict,
    dashboard_report: dict,
    handoff_report: dict,
) -> dict:
    paths = load_paths()
    stages = {
        "extract": extract_report,
        "ingest": ingest_report,
        "source_gate": source_gate_report,
        "dbt": dbt_report,
        "gate": gate_report,
        "publish": publish_report,
        "dashboard": dashboard_report,
        "handoff": handoff_report,
    }
    summary = run_summary.build_summary(paths, stages)
    print(run_summary.format_summary(summary))
    return {"run_summary": str(paths.run_summary_path)}
