"""Run the whole pipeline once through Airflow, in this process: every ingest DAG, the transform DAG, then the weekly
report DAG.

`make run` uses it. Each DAG runs with `dag.test()` (a real Airflow run recorded in the metadata database, tasks
executed in order in this process); a manual run loads every new landing file whole rather than one data interval.
The scheduler does the same on its own: the ingest DAGs on their schedules, the transform when their assets update,
the weekly report on Mondays.
Usage: python -m pipeline.run_all [--skip-transform] [--weekly-report] [--metadata-only]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from pipeline import ingest_dags
from pipeline.publish import pseudonyms
from pipeline.settings import PROJECT_ROOT, load_paths

TRANSFORM_DAG_ID = "social_outcomes"
WEEKLY_REPORT_DAG_ID = "weekly_voc_report"
WRITER_POOL = ("warehouse_writer", 1, "Tasks that write the DuckDB warehouse (one writer per file)")


class PipelineRunFailed(RuntimeError):
    pass


def prepare_metadata() -> None:
    """What `airflow db migrate` and `airflow pools set` do, in this process: migrate the metadata database when it
    is not at the head revision (or new), and create the warehouse writers' one-slot pool. On a current database this
    is a revision check and one upsert, not two Airflow CLI start-ups."""
    from airflow.models.pool import Pool
    from airflow.utils import db

    try:
        db.check_migrations(timeout=1)
    except TimeoutError:
        db.upgradedb()
    name, slots, description = WRITER_POOL
    Pool.create_or_update_pool(name, slots=slots, description=description, include_deferred=False)


def load_dags(dags_folder: Path = PROJECT_ROOT / "dags") -> dict:
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=str(dags_folder))
    if dagbag.import_errors:
        raise PipelineRunFailed(f"DAG import errors: {dagbag.import_errors}")
    return dagbag.dags


@contextmanager
def dag_folder_synced_once() -> Iterator[None]:
    """Every `dag.test()` parses the whole DAG folder again and writes it to the metadata database (so that sibling
    DAGs are there too, apache/airflow#64884): a second or so per call, a dozen times in one run. Within this block
    the first call parses and syncs as usual and later calls reuse that parse, which is the same as long as the DAG
    files do not change during the run. Patching fails loudly if Airflow renames what it patches."""
    from airflow.dag_processing import dagbag as dagbag_module

    parse, sync = dagbag_module.BundleDagBag, dagbag_module.sync_bag_to_db
    parsed: dict[tuple, object] = {}
    synced: set[tuple] = set()

    def parse_once(**kwargs):
        key = tuple(sorted((name, str(value)) for name, value in kwargs.items()))
        if key not in parsed:
            parsed[key] = parse(**kwargs)
        return parsed[key]

    def sync_once(dagbag, bundle_name, bundle_version, **kwargs):
        key = (id(dagbag), bundle_name, bundle_version)
        if key not in synced:
            sync(dagbag, bundle_name, bundle_version, **kwargs)
            synced.add(key)

    with (
        mock.patch.object(dagbag_module, "BundleDagBag", parse_once),
        mock.patch.object(dagbag_module, "sync_bag_to_db", sync_once),
    ):
        yield


def state_of(dag_run) -> str:
    return str(getattr(dag_run.state, "value", dag_run.state))


def run_dag(dag, **kwargs):
    started = time.monotonic()
    dag_run = dag.test(**kwargs)
    print(f"  {dag.dag_id:<28} {state_of(dag_run):<8} {time.monotonic() - started:6.1f} s", flush=True)
    return dag_run


def run_pipeline(dags: dict | None = None, transform: bool = True, weekly_report: bool = False) -> dict:
    """{dag_id: dag run}, ingest DAGs first; raises PipelineRunFailed after the first run that does not succeed."""
    dags = dags or load_dags()
    sources = ingest_dags.load_sources(load_paths().sources_config_path)
    dag_ids = [source.dag_id for source in sources] + ([TRANSFORM_DAG_ID] if transform else [])
    dag_ids += [WEEKLY_REPORT_DAG_ID] if weekly_report else []
    runs = {}
    with dag_folder_synced_once():
        for dag_id in dag_ids:
            runs[dag_id] = run_dag(dags[dag_id])
            if state_of(runs[dag_id]) != "success":
                raise PipelineRunFailed(f"DAG {dag_id} run {runs[dag_id].run_id} ended {state_of(runs[dag_id])}")
    return runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-transform", action="store_true", help="run the ingest DAGs only")
    parser.add_argument("--weekly-report", action="store_true", help=f"then run {WEEKLY_REPORT_DAG_ID} too")
    parser.add_argument(
        "--metadata-only", action="store_true", help="only migrate the metadata database and create the pool"
    )
    args = parser.parse_args(argv)
    if not args.metadata_only and not args.skip_transform:
        try:  # a run that would refuse to publish says so before it ingests anything
            pseudonyms.load_key(load_paths())
        except pseudonyms.MissingPseudonymKey as missing:
            print(f"Pipeline run refused: {missing}", file=sys.stderr)
            return 2
    prepare_metadata()
    if args.metadata_only:
        return 0
    try:
        run_pipeline(transform=not args.skip_transform, weekly_report=args.weekly_report and not args.skip_transform)
    except PipelineRunFailed as failure:
        print(f"Pipeline run failed: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
