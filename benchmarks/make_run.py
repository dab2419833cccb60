"""Benchmark of `make run`: generate demo data, then the DAG through `airflow dags test`, N times.

Each run starts from empty landing, warehouse and serving folders under reports/bench/. Reported per stage: wall
time (generate from the process, ingest / dbt / gate / publish from the DAG's own stage reports, Airflow overhead as
the rest of the `dags test` wall time) and peak resident memory: generate from wait4's rusage, each DAG stage from its
own report (RSS of the task process plus children such as dbt, sampled every 50 ms by pipeline.measure), the whole
`airflow dags test` from wait4. Medians with min-max spread.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STAGES = ("generate", "extract", "ingest", "dbt", "gate", "publish", "airflow_overhead", "total")


def run_measured(command: list[str], env: dict[str, str], log_path: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MiB of the largest process it or its children reached)."""
    with open(log_path, "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed; see {log_path}")
    return elapsed, usage.ru_maxrss / 1024


def one_run(scale: float, seed: int, work: Path, airflow_home: Path) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(PROJECT_ROOT / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        GX_ANALYTICS_ENABLED="False",
        OUTCOMES_LANDING_DIR=str(work / "landing"),
        OUTCOMES_WAREHOUSE_PATH=str(work / "warehouse" / "outcomes.duckdb"),
        OUTCOMES_SERVING_PATH=str(work / "serving" / "outcomes.duckdb"),
        OUTCOMES_REPORTS_DIR=str(work / "reports"),
    )
    generate_command = [str(BIN / "python"), "-m", "demo_data", "--scale", str(scale), "--seed", str(seed)]
    generate_s, generate_mib = run_measured(
        [*generate_command, "--out", str(work / "landing")], env, work / "generate.log"
    )
    dag_s, dag_mib = run_measured(
        [str(BIN / "airflow"), "dags", "test", "social_outcomes"], env, work / "airflow_dags_test.log"
    )
    stages = json.loads((work / "reports" / "run_summary.json").read_text())["stages"]
    seconds = {"generate": generate_s, **{name: stages[name]["elapsed_seconds"] for name in STAGES[1:6]}}
    seconds["airflow_overhead"] = dag_s - sum(seconds[name] for name in STAGES[1:6])
    seconds["total"] = generate_s + dag_s
    peak_mib = {"generate": generate_mib, **{name: stages[name]["peak_rss_mib"] for name in STAGES[1:6]}}
    peak_mib.update(airflow_overhead=dag_mib, total=max(generate_mib, dag_mib))
    return {"seconds": seconds, "peak_mib": peak_mib}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def markdown(runs: list[dict], scale: float, seed: int) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"### `make run` at scale {scale:g} (seed {seed}), {len(runs)} runs",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit: {commit.stdout.strip()}",
        f"- machine: {os.cpu_count()} cores, {memory_gib:.0f} GiB, {platform.platform()}, "
        f"Python {platform.python_version()}",
        f"- command: `make bench SCALE={scale:g}` "
        f"(`python -m benchmarks.make_run --scale {scale:g} --runs {len(runs)}`)",
        "",
        "| stage | wall s, median (min-max) | peak RSS MiB, median (min-max) |",
        "|---|---|---|",
    ]
    for stage in STAGES:
        seconds = spread([run["seconds"][stage] for run in runs])
        lines.append(f"| {stage} | {seconds} | {spread([run['peak_mib'][stage] for run in runs])} |")
    lines += [
        "",
        "Peak RSS of a DAG stage is the sum over the Airflow task process (which already holds Airflow, dbt and GX",
        "imports, about 690 MiB) and its children such as dbt. `airflow_overhead` is the largest single process of",
        "`airflow dags test` (wait4); `total` is the larger of that and generate.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bench_root = PROJECT_ROOT / "reports" / "bench"
    airflow_home = bench_root / "airflow_home"
    airflow_home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AIRFLOW_HOME": str(airflow_home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True)
    runs = []
    for index in range(args.runs):
        runs.append(one_run(args.scale, args.seed, bench_root / f"run_{index}", airflow_home))
        print(f"run {index + 1}/{args.runs}: {json.dumps(runs[-1])}", file=sys.stderr)
    (bench_root / f"make_run_scale{args.scale:g}.json").write_text(json.dumps(runs, indent=2))
    print(markdown(runs, args.scale, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
