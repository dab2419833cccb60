"""The callables the Airflow DAGs run, one per task. Each returns a JSON-serialisable report for XCom.

The heavy libraries (Great Expectations, Plotly, the extractors) are imported inside the callables, so that a DAG
file importing this module parses in well under a second (Airflow re-parses DAG files continuously).
"""

from __future__ import annotations

import json
from datetime import datetime

from ingest.interval import DataInterval
from pipeline import dbt_build as dbt_build_step
from pipeline import ingest_dags
from pipeline.measure import measured
from pipeline.settings import PipelinePaths, load_paths

INTERVAL_RUN_TYPES = ("scheduled", "backfill")


def run_interval(dag_run, start: datetime | None, end: datetime | None) -> DataInterval | None:
    """Scheduled and backfill runs load exactly their data interval; a manual run loads every new file whole."""
    run_type = getattr(dag_run, "run_type", None)
    if str(getattr(run_type, "value", run_type)) not in INTERVAL_RUN_TYPES or start is None or end is None:
        return None
    return DataInterval.of(start, end)


def extract_source(source_name: str) -> dict:
    """Pull the source's enabled API streams into the landing folder (nothing when none is enabled)."""
    import extract.run

    paths = load_paths()
    source = ingest_dags.source(paths.sources_config_path, source_name)
    return measured(
        lambda: extract.run.run_enabled(paths.sources_config_path, paths.landing_dir, only=list(source.streams))
    )


def ingest_source(
    source_name: str,
    dag_run=None,
    data_interval_start: datetime | None = None,
    data_interval_end: datetime | None = None,
) -> dict:
    """Load the source's raw tables for this run; the report is also kept for the transform run's summary."""
    import ingest

    paths = load_paths()
    source = ingest_dags.source(paths.sources_config_path, source_name)
    interval = run_interval(dag_run, data_interval_start, data_interval_end)
    failure = None

    def load() -> dict:
        nonlocal failure
        try:
            return ingest.load_landing(
                paths.landing_dir,
                paths.warehouse_path,
                sources_config=paths.sources_config_path,
                interval=interval,
                tables=set(source.tables),
            ).to_dict()
        except ingest.IngestError as error:
            failure = error
            return error.report.to_dict()

    report = measured(load)
    folder = paths.reports_dir / "ingest"
    folder.mkdir(parents=True, exist_ok=True)
    # The report of a failed run is kept too: it names the failed and the mostly refused files.
    (folder / f"{source_name}.json").write_text(json.dumps(report, indent=2, default=str))
    if failure is not None:
        raise failure
    return report


def latest_ingest_reports(paths: PipelinePaths) -> dict:
    """Every source's latest ingest report, summed, and the landing files no source reads, for the run summary."""
    from ingest import file_drops
    from ingest.registry import ENTITIES
    from ingest.run import unmatched_files

    folder = paths.reports_dir / "ingest"
    reports = {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
    totals: dict[str, int] = {}
    for report in reports.values():
        for key, value in report.get("totals", {}).items():
            totals[key] = totals.get(key, 0) + value
    entities = [*ENTITIES, *(drop.entity for drop in file_drops.load_config(paths.sources_config_path))]
    matched = {path for entity in entities for path in entity.files(paths.landing_dir)}
    unmatched = unmatched_files(paths.landing_dir, matched) if paths.landing_dir.is_dir() else []
    return {"sources": sorted(reports), "totals": totals, "unmatched_files": unmatched}


def quality_gate_sources(data_interval_end: datetime | None = None) -> dict:
    from pipeline import quality_gate

    paths = load_paths()
    return measured(lambda: quality_gate.run_source_gate(paths, data_interval_end).to_dict())


def choose_dbt_scope() -> dict:
    """Before dbt: whether this run's dbt tests check every row or only what changed since the last successful build
    (pipeline/orchestration/test_scope.py); the dbt test task runs with its `env`."""
    from pipeline.orchestration import test_scope

    scope = test_scope.choose(load_paths())
    return scope.to_dict() | {"env": scope.env()}


def document_dbt_run(dbt_scope: dict | None = None) -> dict:
    """After the dbt task group: what `dbt build` did (run_results.json) and the dbt docs site; records the build
    (with `dbt_scope`, what choose_dbt_scope chose) so the next run tests what changes after it.

    Its dbt command names no --profile / --target, the cosmos tasks' do: dbt's partial-parse check covers both, so
    this command and the next build parse the whole project (8-10 s each on a small run). Do not align them without
    fixing what that hides: cosmos runs dbt in a temporary copy of the project, the partial parse saved in the shared
    target folder points seeds at that copy, and the next build's seeds fail ("No files found")."""
    paths = load_paths()

    def document() -> dict:
        report = dbt_build_step.read_run_results(paths)
        if dbt_scope:
            from pipeline.orchestration import test_scope

            scope = test_scope.Scope(dbt_scope["scope"], dbt_scope["reason"], dbt_scope.get("since"))
            started_at = test_scope.build_started_at(paths.dbt_target_dir / "run_results.json")
            test_scope.record_build(paths, scope, started_at)
            report.tests = f"{scope.scope}: {scope.reason}"
        site = dbt_build_step.docs_site(paths)
        # The docs describe the project and the tables' columns, which change only with the project: a run sized to
        # the change (same project as the last full run) keeps the site (about 20 s of a small run).
        if dbt_scope and dbt_scope["scope"] == "changed" and site.is_file():
            report.docs = str(site)
        else:
            report.docs = str(dbt_build_step.generate_docs(paths))
        return report.to_dict()

    return measured(document)


def quality_gate_marts(data_interval_end: datetime | None = None) -> dict:
    from pipeline.quality import mart_gate

    paths = load_paths()
    return measured(lambda: mart_gate.run_mart_gate(paths, data_interval_end).to_dict())


def publish_marts() -> dict:
    from pipeline import publish as publish_step

    paths = load_paths()
    return measured(lambda: publish_step.publish(paths).to_dict())


def build_dashboard() -> dict:
    from pipeline.outputs.dashboard import build as dashboard_build

    paths = load_paths()
    return measured(lambda: dashboard_build.build(paths).to_dict())


def hand_off_feedback() -> dict:
    from pipeline.outputs import handoff

    paths = load_paths()
    return measured(lambda: handoff.hand_off(paths))


def summarize(
    source_gate_report: dict,
    dbt_report: dict,
    gate_report: dict,
    publish_report: dict,
    dashboard_report: dict,
    handoff_report: dict,
) -> dict:
    from pipeline.outputs import run_summary

    paths = load_paths()
    stages = {
        "ingest": latest_ingest_reports(paths),
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
