"""How long each DAG file takes to parse, as Airflow's dag-processor sees it.

The dag-processor parses a file in a fresh process that already has Airflow imported; the file's own imports
(pipeline modules, cosmos) and the DAG construction are what it pays per parse. So each measurement is a new
interpreter that imports Airflow first, then times `DagBag(file)`. Medians with min-max over --runs.
Usage: python -m benchmarks.dag_parse [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAGS_FOLDER = PROJECT_ROOT / "dags"

PARSE_ONE = """
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
dagbag = DagBag(dag_folder=sys.argv[1])
elapsed = time.perf_counter() - started
assert not dagbag.import_errors, dagbag.import_errors
tasks = sum(len(dag.tasks) for dag in dagbag.dags.values())
print(json.dumps({"seconds": elapsed, "dags": len(dagbag.dags), "tasks": tasks}))
"""


def parse_once(dag_file: Path, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", PARSE_ONE, str(dag_file)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    }
    print("| DAG file | DAGs | tasks | parse s, median (min-max) |")
    print("|---|---|---|---|")
    for dag_file in sorted(DAGS_FOLDER.glob("*.py")):
        runs = [parse_once(dag_file, env) for _ in range(args.runs)]
        seconds = [run["seconds"] for run in runs]
        print(
            f"| dags/{dag_file.name} | {runs[0]['dags']} | {runs[0]['tasks']} | "
            f"{statistics.median(seconds):.2f} ({min(seconds):.2f}-{max(seconds):.2f}) |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
