"""Run the whole pipeline once through Airflow, in this process: every ingest DAG, then the transform DAG.

`make run` uses it. Each DAG runs with `dag.test()` (a real Airflow run recorded in the metadata database, tasks
executed in order in this process); a manual run loads every new landing file whole rather than one data interval.
The scheduler does the same on its own: the ingest DAGs on their schedules, the transform when their assets update.
Usage: python -m pipeline.run_all [--skip-transform]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline import ingest_dags
from pipeline.settings import PROJECT_ROOT, load_paths

TRANSFORM_DAG_ID = "social_outcomes"


class PipelineRunFailed(RuntimeError):
    pass


def load_dags(dags_folder: Path = PROJECT_ROOT / "dags") -> dict:
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=str(dags_folder))
    if dagbag.import_errors:
        raise PipelineRunFailed(f"DAG import errors: {dagbag.import_errors}")
    return dagbag.dags


def state_of(dag_run) -> str:
    return str(getattr(dag_run.state, "value", dag_run.state))


def run_dag(dag, **kwargs):
    started = time.monotonic()
    dag_run = dag.test(**kwargs)
    print(f"  {dag.dag_id:<28} {state_of(dag_run):<8} {time.monotonic() - started:6.1f} s", flush=True)
    return dag_run


def run_pipeline(dags: dict | None = None, transform: bool = True) -> dict:
    """{dag_id: dag run}, ingest DAGs first; raises PipelineRunFailed after the first run that does not succeed."""
    dags = dags or load_dags()
    sources = ingest_dags.load_sources(load_paths().sources_config_path)
    dag_ids = [source.dag_id for source in sources] + ([TRANSFORM_DAG_ID] if transform else [])
    runs = {}
    for dag_id in dag_ids:
        runs[dag_id] = run_dag(dags[dag_id])
        if state_of(runs[dag_id]) != "success":
            raise PipelineRunFailed(f"DAG {dag_id} run {runs[dag_id].run_id} ended {state_of(runs[dag_id])}")
    return runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-transform", action="store_true", help="run the ingest DAGs only")
    args = parser.parse_args(argv)
    try:
        run_pipeline(transform=not args.skip_transform)
    except PipelineRunFailed as failure:
        print(f"Pipeline run failed: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
