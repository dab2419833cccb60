"""One source family alone, run as `make run DATA=folder` runs it: every ingest DAG and the transform DAG through
Airflow (`dag.test()`), then the weekly report DAG and the printed run summary. Shared by the source-matrix tests.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipeline import run_all
from pipeline.outputs import run_summary
from tests.conftest import paths_in

FIXTURES = Path(__file__).parent / "fixtures"
# What the run summary says when no care conversation could be built (pipeline/outputs/absence.py).
NO_CARE = "no care conversations: no source with brand replies was loaded"


@dataclass
class MatrixRun:
    states: dict[str, str]  # dag id -> final state
    summary: dict
    printed: str
    paths: object  # PipelinePaths

    def query(self, sql: str, serving: bool = True) -> list[tuple]:
        path = self.paths.serving_path if serving else self.paths.warehouse_path
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def run_family(root: Path, landing: Path, sources_config: Path | None = None) -> MatrixRun:
    """The whole run on `landing` alone, with its own warehouse, serving file and reports under `root`; OUTCOMES_*
    are restored afterwards."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        if sources_config is not None:
            monkeypatch.setenv("OUTCOMES_SOURCES_CONFIG", str(sources_config))
        paths = paths_in(root, landing, monkeypatch)
        monkeypatch.setenv("OUTCOMES_FRESHNESS", "off")  # as `make run DATA=...` sets
        dags = run_all.load_dags()
        runs = run_all.run_pipeline(dags)
        runs["weekly_voc_report"] = run_all.run_dag(dags["weekly_voc_report"])
        summary = json.loads(paths.run_summary_path.read_text())
        printed = run_summary.format_summary(summary)
    return MatrixRun({dag_id: run_all.state_of(run) for dag_id, run in runs.items()}, summary, printed, paths)


def assert_every_output_written(run: MatrixRun) -> None:
    """Every DAG succeeded and every output a user opens exists."""
    assert set(run.states.values()) == {"success"}, run.states
    reports = run.paths.reports_dir
    for output in (
        run.paths.serving_path,
        run.paths.run_summary_path,
        reports / "dashboard" / "index.html",
        reports / "weekly" / "latest.html",
        reports / "quality" / "data_docs" / "index.html",
        reports / "dbt_docs" / "index.html",
    ):
        assert output.is_file(), f"missing output {output}"
    assert (reports / "handoff").is_dir()
    assert "== Social outcomes pipeline: run summary ==" in run.printed
    published = run.query("select count(*) from information_schema.tables where table_schema = 'main'")[0][0]
    assert published >= 15


def copy_folders(source: Path, landing: Path, *folders: str) -> Path:
    for folder in folders:
        shutil.copytree(source / folder, landing / folder)
    return landing
