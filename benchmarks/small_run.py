"""What a small export costs through `make run DATA=folder`, and where its minutes go.

Why: a daily or hourly run mostly sees a few thousand records; its cost should be the data's, not Airflow's. This
writes a 5,000-record export in a real layout (the first records of a Kaggle "Customer Support on Twitter" export,
`twcs/twcs.csv`, docs/landing_contract.md), then times `make run DATA=<that folder>` several times with its own
Airflow home, warehouse, serving file and reports under the work folder. The first run creates the Airflow metadata
and the warehouse and is not counted (`--warmup`); the measured runs are the same command again, the environment and
metadata present (`--fresh-output` removes the warehouse, serving file and reports before each, so every run loads
the 5,000 records as new).

Per run: wall time and CPU time (user + system of `make` and every process it waited for, from wait4), and a
breakdown read from the Airflow metadata (SQLite) of the runs it made: each DAG run's wall time, the sum of its
task instances' durations and the rest (the `dag.test()` loop between tasks), the transform's tasks by kind
(producer `dbt build`, per-node tasks, `dbt test`, docs, gates, publish, ...), and the time outside any DAG run
(make's prerequisites, interpreter start-up and DAG parsing). Medians (min-max) over the measured runs.

    python -m benchmarks.small_run --runs 3
    python -m benchmarks.small_run --runs 3 --fresh-output --json /tmp/small_run.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TWCS = Path("/work/shared/realdata/twcs/twcs.csv")  # the project's real-data samples (5,000 records)
RECORDS = 5000
TRANSFORM_DAG_ID = "social_outcomes"
WEEKLY_DAG_ID = "weekly_voc_report"
# Inherited settings that would point `make` at another Airflow home, warehouse or landing folder.
INHERITED_PREFIXES = ("AIRFLOW__", "OUTCOMES_", "DBT_")


class BenchmarkFailed(RuntimeError):
    pass


# ------------------------------------------------------------------------------------------------------- the export


def csv_records(data: bytes) -> list[bytes]:
    """Physical lines grouped into CSV records: a line ends a record only outside double quotes. A bare CR inside
    an unquoted value (twcs writes some) is no record end here, as in the project's own twcs reader."""
    records, pending, quotes = [], [], 0
    for line in data.split(b"\n"):
        pending.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            records.append(b"\n".join(pending))
            pending, quotes = [], 0
    if pending:
        records.append(b"\n".join(pending))
    return [record for record in records if record.strip()]


def write_export(source_csv: Path, folder: Path, records: int = RECORDS) -> int:
    """`folder`/twcs/twcs.csv: the header and the first `records` records of `source_csv`; returns how many."""
    if not source_csv.is_file():
        raise BenchmarkFailed(f"{source_csv} not found: pass --twcs-csv, a twcs.csv export (Kaggle twcs layout)")
    header, *rows = csv_records(source_csv.read_bytes())
    if len(rows) < records:
        raise BenchmarkFailed(f"{source_csv} holds {len(rows)} records, fewer than the {records} asked for")
    target = folder / "twcs" / "twcs.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\n".join([header, *rows[:records]]) + b"\n")
    return records


# ------------------------------------------------------------------------------------------------------ running make


def run_env(work: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(INHERITED_PREFIXES)}
    env.pop("AIRFLOW_HOME", None)
    out = work / "out"
    env.update(
        AIRFLOW_HOME=str(work / "airflow"),
        OUTCOMES_WAREHOUSE_PATH=str(out / "warehouse" / "outcomes.duckdb"),
        OUTCOMES_SERVING_PATH=str(out / "serving" / "outcomes.duckdb"),
        OUTCOMES_REPORTS_DIR=str(out / "reports"),
        DO_NOT_TRACK="1",
        SCARF_NO_ANALYTICS="true",
    )
    return env


def run_make(work: Path, export: Path, log_path: Path) -> dict:
    """One `make run DATA=export`: wall and CPU time (the whole process tree make waited for)."""
    command = ["make", "--no-print-directory", "run", f"DATA={export}"]
    started_at = datetime.now(UTC)
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=run_env(work), stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: keep Popen from waiting again
    ended_at = datetime.now(UTC)
    if process.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise BenchmarkFailed(f"make run exited {process.returncode}; log: {log_path}\n{tail}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "started_at": started_at.isoformat(),
        "ended_at": ended_at.isoformat(),
    }


# ------------------------------------------------------------------------------------------- where the time went


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def task_kind(dag_id: str, task_id: str) -> str:
    if dag_id == WEEKLY_DAG_ID:
        return "weekly report"
    if dag_id != TRANSFORM_DAG_ID:
        return "ingest DAGs"
    if task_id.endswith("dbt_producer_watcher"):
        return "dbt: producer (`dbt build`)"
    if task_id.endswith("_test") and task_id.startswith("dbt."):
        return "dbt: test task"
    if task_id.startswith("dbt."):
        return "dbt: per-node tasks"
    return f"transform: {task_id}"


def breakdown(airflow_db: Path, measured: dict) -> dict:
    """The DAG runs made between the run's start and end, their task instances summed by kind, and the time
    outside any DAG run."""
    start, end = parse_time(measured["started_at"]), parse_time(measured["ended_at"])
    with sqlite3.connect(airflow_db) as connection:
        runs = connection.execute("select dag_id, run_id, start_date, end_date, state from dag_run").fetchall()
        instances = connection.execute(
            "select dag_id, run_id, task_id, state, start_date, end_date, duration from task_instance"
        ).fetchall()
    ours = {}
    for dag_id, run_id, run_start, run_end, state in runs:
        run_start, run_end = parse_time(run_start), parse_time(run_end)
        if run_start and run_end and start <= run_start and run_end <= end:
            ours[(dag_id, run_id)] = (run_start, run_end, state)
    dags: dict[str, dict] = {}
    kinds: dict[str, dict] = {}
    for dag_id, run_id, task_id, state, _, _, duration in instances:
        if (dag_id, run_id) not in ours:
            continue
        if state not in ("success", "skipped"):
            raise BenchmarkFailed(f"{dag_id}.{task_id} ended {state}")
        kind = kinds.setdefault(task_kind(dag_id, task_id), {"tasks": 0, "task_s": 0.0})
        kind["tasks"] += 1
        kind["task_s"] += duration or 0.0
        group = dags.setdefault("ingest DAGs" if dag_id.startswith("ingest_") else dag_id, {"runs": 0})
        group["task_s"] = group.get("task_s", 0.0) + (duration or 0.0)
        group["tasks"] = group.get("tasks", 0) + 1
    in_runs = 0.0
    for (dag_id, _), (run_start, run_end, _) in ours.items():
        group = dags.setdefault("ingest DAGs" if dag_id.startswith("ingest_") else dag_id, {"runs": 0})
        group["runs"] += 1
        group["wall_s"] = group.get("wall_s", 0.0) + (run_end - run_start).total_seconds()
        in_runs += (run_end - run_start).total_seconds()
    for group in dags.values():
        group["between_tasks_s"] = group.get("wall_s", 0.0) - group.get("task_s", 0.0)
    return {"dags": dags, "kinds": kinds, "outside_dag_runs_s": measured["wall_s"] - in_runs}


# ---------------------------------------------------------------------------------------------------------- report


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def markdown(report: dict) -> str:
    runs = report["runs"]
    lines = [
        f"### `make run DATA=` on a {report['records']:,}-record export ({len(runs)} runs; commit {report['commit']})",
        "",
        f"- {report['started']}; {report['machine']}; load average at start {report['load']}",
        f"- export: {report['export']}; output: {report['output']}",
        f"- command: `{report['command']}`",
        "",
        "| what | wall s, median (min-max) |",
        "|---|---|",
        f"| `make run` wall | {spread([run['wall_s'] for run in runs])} |",
        f"| `make run` CPU (user + system, whole tree) | {spread([run['cpu_s'] for run in runs])} |",
        f"| outside any DAG run (make prerequisites, start-up, DAG parsing) | "
        f"{spread([run['breakdown']['outside_dag_runs_s'] for run in runs])} |",
    ]
    for name in runs[0]["breakdown"]["dags"]:
        values = [run["breakdown"]["dags"].get(name, {}) for run in runs]
        lines.append(
            f"| DAG runs {name} ({values[0].get('runs', 0)} runs, {values[0].get('tasks', 0)} tasks): wall; "
            f"tasks; between tasks | {spread([value.get('wall_s', 0.0) for value in values])}; "
            f"{spread([value.get('task_s', 0.0) for value in values])}; "
            f"{spread([value.get('between_tasks_s', 0.0) for value in values])} |"
        )
    lines += ["", "| task kind | tasks | task time s, median (min-max) |", "|---|---|---|"]
    for name in sorted(runs[0]["breakdown"]["kinds"]):
        values = [run["breakdown"]["kinds"].get(name, {"tasks": 0, "task_s": 0.0}) for run in runs]
        lines.append(f"| {name} | {values[0]['tasks']} | {spread([value['task_s'] for value in values])} |")
    return "\n".join(lines)


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (completed.stdout.strip() or "unknown") + (" (with uncommitted changes)" if dirty else "")


def machine() -> str:
    import platform

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} CPUs, {memory_gib:.0f} GiB, Python {platform.python_version()}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.small_run", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--twcs-csv", type=Path, default=DEFAULT_TWCS, help="a twcs.csv export to take records from")
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--runs", type=int, default=3, help="measured runs")
    parser.add_argument("--warmup", type=int, default=1, help="runs before the measured ones (not counted)")
    parser.add_argument("--fresh-output", action="store_true", help="remove warehouse, serving and reports per run")
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary folder, removed after)")
    parser.add_argument("--json", type=Path, help="also write the report (with every run) as JSON here")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.records < 1 or args.warmup < 0:
        parser.error("--runs and --records must be at least 1, --warmup at least 0")
    return args


def benchmark(args: argparse.Namespace, argv: list[str]) -> dict:
    started = datetime.now(UTC)
    work = args.work or Path(tempfile.mkdtemp(prefix="small-run-"))
    work.mkdir(parents=True, exist_ok=True)
    export = work / "export"
    write_export(args.twcs_csv, export, args.records)
    load = os.getloadavg()[0]
    runs = []
    for number in range(args.warmup + args.runs):
        if args.fresh_output and (work / "out").exists():
            shutil.rmtree(work / "out")
        measured = run_make(work, export, work / f"make_run{number}.log")
        measured["breakdown"] = breakdown(work / "airflow" / "airflow.db", measured)
        counted = number >= args.warmup
        print(
            f"run {number} {'measured' if counted else 'warm-up '}: wall {measured['wall_s']:6.1f} s  "
            f"cpu {measured['cpu_s']:6.1f} s  outside DAG runs {measured['breakdown']['outside_dag_runs_s']:5.1f} s",
            flush=True,
        )
        if counted:
            runs.append(measured)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": machine(),
        "load": f"{load:.1f}",
        "command": " ".join(["python", "-m", "benchmarks.small_run", *argv]),
        "records": args.records,
        "export": f"first {args.records:,} records of {args.twcs_csv.name} as twcs/twcs.csv",
        "output": "fresh warehouse, serving and reports per run" if args.fresh_output else "kept between runs",
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    try:
        report = benchmark(args, argv)
    except BenchmarkFailed as failure:
        print(f"benchmark failed: {failure}", file=sys.stderr)
        return 1
    print()
    print(markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
