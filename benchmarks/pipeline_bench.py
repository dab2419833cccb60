"""`make bench`: the pipeline at scale 1 and 10 (100 with a flag and enough disk), per stage, several runs, medians.

    python -m benchmarks.pipeline_bench --scales 1,10 [--runs 3] [--memory-limit 4GB] [--allow-scale-100]
        [--work DIR] [--json OUT] [--markdown OUT] [--seed N] [--stages a,b] [--landing DIR] [--skip-airflow]
        [--airflow-runs N] [--regenerate] [--keep]

For each scale, the demo landing folder is generated once (run 1, measured) and reused by the later runs
(--regenerate: generated and measured in every run). Each run starts from empty warehouse, serving and report
folders, then runs each stage in its own process (benchmarks/stage.py: ingest, source gate, dbt build, dbt docs,
mart gate, publish, dashboard, calling what the Airflow tasks call), and then the whole pipeline once more through
Airflow (`python -m pipeline.run_all`: every ingest DAG, then the transform DAG, with `dag.test()`, on SQLite metadata
in its own AIRFLOW_HOME under the work folder), again from empty folders, so a "through Airflow" total stands beside
the sum of the stages.

What is measured, per stage process, by this (parent) process:
- wall: time from start to exit of the stage process.
- CPU: user + system time from os.wait4, which covers the process and every descendant it waited for (the dbt
  subprocess; checked: a waited grandchild's time is included, an orphaned one's is not). As a cross-check the tree is
  also sampled with psutil every 50 ms; the larger of the two is reported (both are in the JSON).
- peak RSS: the largest sum of the RSS of the process tree, sampled every 50 ms with psutil (as pipeline/measure.py),
  or the largest single process from wait4 when that is larger (a peak shorter than 50 ms). Both are in the JSON.
  Pages shared between processes are counted once per process.
- rows per second: rows the stage handled (from its own report, or for dbt from the warehouse) over wall time.

OUTCOMES_DUCKDB_MEMORY_LIMIT (--memory-limit) is set for every stage, which caps DuckDB in ingest, dbt and publish;
above it DuckDB spills to disk. Output: JSON of every run (--json, default <work>/pipeline_bench.json) and a Markdown
table per scale (stdout, and --markdown). Ratios that other benchmarks compute (lower bound, cosmos comparison,
incremental run) can be added under a scale's table with `scale_markdown(..., extra_rows=[ExtraRow(...)])` or by
passing `extra_rows` to `markdown()` / `run_bench()`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
from tqdm import tqdm

from benchmarks import stage as stage_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_WORK = PROJECT_ROOT / "reports" / "bench"
MANIFEST = PROJECT_ROOT / "dbt_project" / "target" / "manifest.json"
SAMPLE_SECONDS = 0.05
MIB = 2**20
GIB = 2**30

STAGES = stage_module.STAGES  # in pipeline order, each its own process
LABELS = {
    "generate": "generate",
    "ingest": "ingest",
    "gate_sources": "quality gate, sources",
    "dbt": "dbt build",
    "dbt_docs": "dbt docs generate",
    "gate_marts": "quality gate, marts",
    "publish": "publish",
    "dashboard": "dashboard",
    "stage_sum": "sum of the stages above, generate aside",
    "airflow": "pipeline through Airflow (`pipeline.run_all`)",
    "airflow_overhead": "Airflow minus the sum of the stages",
    "lower_bound": "lower bound: the headline KPIs in one DuckDB script on the landing files",
}
# Scales above this need --allow-scale-100 and enough free disk.
LARGEST_UNFLAGGED_SCALE = 10
# Disk per scale unit when no smaller scale was measured in the same invocation: landing (0.77 GiB) + warehouse
# (0.57) + serving (0.27) + reports (0.02) of a scale-1 run on commit 50f66d1, rounded up, before the margin.
FALLBACK_BYTES_PER_SCALE = int(1.7 * GIB)
DISK_MARGIN = 1.3  # DuckDB spill files and the write-ahead log come on top of the files that remain
TELEMETRY_OFF = {
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
}


class BenchFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class ExtraRow:
    """A figure another benchmark adds under a scale's table (e.g. pipeline / lower bound: 4.2x)."""

    label: str
    value: str
    detail: str = ""


# ---------------------------------------------------------------------------------------------------------------
# Measuring one process


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def noise(line: str) -> bool:
    """DuckDB's Python binding lists 'leaked' objects at interpreter exit (nanobind): not the error."""
    return "nanobind" in line or "leaked" in line or line.startswith(" - ")


def measure(
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    on_sample: Callable[[float, float], None] | None = None,
) -> dict:
    """Run `command` (output to `log_path`) and measure it: wall, CPU (wait4 and sampled), peak RSS (sampled tree
    sum and wait4's largest single process). `on_sample(elapsed_s, tree_rss_mib)` is called at every sample.
    Raises BenchFailed with the log's tail when the command fails."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, start_new_session=True
        )
        done = threading.Event()
        peak_tree = 0
        cpu_by_process: dict[tuple[int, float], float] = {}

        def sample() -> None:
            nonlocal peak_tree
            while not done.is_set():
                total = 0
                for member in _tree(process.pid):
                    try:
                        with member.oneshot():
                            total += member.memory_info().rss
                            times = member.cpu_times()
                            cpu_by_process[(member.pid, member.create_time())] = times.user + times.system
                    except psutil.Error:
                        continue
                peak_tree = max(peak_tree, total)
                if on_sample is not None:
                    on_sample(time.perf_counter() - started, total / MIB)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # Ctrl-C: stop the stage and its children (own group)
            raise
        finally:
            done.set()
            sampler.join()
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = "\n".join(line for line in log_path.read_text(errors="replace").splitlines() if not noise(line))
        raise BenchFailed(f"{shlex.join(command)} exited {process.returncode}; log {log_path}:\n{tail[-4000:]}")
    cpu_wait4 = usage.ru_utime + usage.ru_stime
    cpu_sampled = sum(cpu_by_process.values())
    single_mib = usage.ru_maxrss / 1024
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(max(cpu_wait4, cpu_sampled), 3),
        "cpu_wait4_s": round(cpu_wait4, 3),
        "cpu_sampled_s": round(cpu_sampled, 3),
        "peak_rss_mib": round(max(peak_tree / MIB, single_mib), 1),
        "peak_tree_rss_mib": round(peak_tree / MIB, 1),
        "max_single_rss_mib": round(single_mib, 1),
        "processes_seen": len(cpu_by_process),
    }


# ---------------------------------------------------------------------------------------------------------------
# Progress: a bar per stage (stderr) that ticks while its process runs


class StageProgress:
    """One tqdm bar per stage and run: elapsed seconds against the median wall time of the stage's earlier runs at
    this scale (no total on the first run), with the process tree's resident memory."""

    def __init__(self, scale: float, runs: int) -> None:
        self.scale, self.runs = scale, runs
        self.walls: dict[str, list[float]] = {}
        self.interval = 0.5 if sys.stderr.isatty() else 30.0
        self.bar: tqdm | None = None

    def start(self, name: str, run: int) -> Callable[[float, float], None]:
        earlier = self.walls.get(name)
        bar = tqdm(
            total=round(statistics.median(earlier), 1) if earlier else None,
            desc=f"scale {self.scale:g} run {run}/{self.runs} {name:<12}",
            unit="s",
            file=sys.stderr,
            mininterval=self.interval,
            bar_format="{desc} {bar:20} {n:.0f} s of ~{total_fmt} s {postfix}",
        )
        self.bar = bar

        def tick(elapsed: float, rss_mib: float) -> None:
            bar.set_postfix_str(f"{rss_mib:,.0f} MiB", refresh=False)
            bar.update(elapsed - bar.n)

        return tick

    def finish(self, name: str, measurement: dict) -> None:
        self.walls.setdefault(name, []).append(measurement["wall_s"])
        if self.bar is not None:
            self.bar.n = measurement["wall_s"]
            self.bar.set_postfix_str(
                f"wall {measurement['wall_s']:.1f} s, CPU {measurement['cpu_s']:.1f} s, "
                f"peak {measurement['peak_rss_mib']:,.0f} MiB"
            )
            self.bar.close()
            self.bar = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------------------------------------------
# The runs


def folder_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(item.lstat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())


def generated_records(landing: Path) -> int:
    """Records the generator wrote (manifest counts; `interactions` is a derived total, not a file)."""
    counts = json.loads((landing / "manifest.json").read_text())["counts"]
    return sum(value for name, value in counts.items() if name != "interactions")


def base_env(airflow_home: Path, memory_limit: str | None) -> dict[str, str]:
    """This environment without OUTCOMES_* (but the sources config and the memory limit), telemetry off, Airflow
    pointed at the benchmark's own home and the project's DAGs."""
    keep = {"OUTCOMES_SOURCES_CONFIG"}
    env = {key: value for key, value in os.environ.items() if not key.startswith("OUTCOMES_") or key in keep}
    env.update(TELEMETRY_OFF)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(PROJECT_ROOT / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__PARALLELISM="4",
    )
    if memory_limit:
        env["OUTCOMES_DUCKDB_MEMORY_LIMIT"] = memory_limit
    return env


def paths_env(landing: Path, root: Path, scale: float, memory_limit: str | None, airflow_home: Path) -> dict:
    """The environment of every stage: OUTCOMES_* paths under `root`, freshness as of the demo data's end."""
    from demo_data.as_of import demo_as_of

    env = base_env(airflow_home, memory_limit)
    env.update(
        OUTCOMES_LANDING_DIR=str(landing),
        OUTCOMES_WAREHOUSE_PATH=str(root / "warehouse" / "outcomes.duckdb"),
        OUTCOMES_SERVING_PATH=str(root / "serving" / "outcomes.duckdb"),
        OUTCOMES_REPORTS_DIR=str(root / "reports"),
        OUTCOMES_ALERT_DEADLINES="off",  # dag.test() cannot run a DAG with a deadline (apache/airflow#73428)
    )
    if (landing / "manifest.json").exists():
        env["OUTCOMES_AS_OF"] = demo_as_of(landing)
        if scale < 1:
            env["OUTCOMES_FRESHNESS_MAX_AGE_DAYS"] = "14"  # below scale 1 a quiet source can go a week without data
    return env


def prepare_airflow(airflow_home: Path, memory_limit: str | None) -> None:
    """`airflow db migrate` (SQLite) once, and the warehouse writer pool, as `make airflow-db` does."""
    if not MANIFEST.is_file():
        raise BenchFailed(f"{MANIFEST} missing: run `make manifest` first (the transform DAG renders dbt from it)")
    airflow_home.mkdir(parents=True, exist_ok=True)
    env = base_env(airflow_home, memory_limit)
    for command in (
        [str(BIN / "airflow"), "db", "migrate"],
        [str(BIN / "airflow"), "pools", "set", "warehouse_writer", "1", "Tasks that write the DuckDB warehouse"],
    ):
        completed = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if completed.returncode != 0:
            raise BenchFailed(f"{shlex.join(command)} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")


def helper(name: str, env: dict[str, str], report: Path) -> dict:
    """An unmeasured helper of benchmarks/stage.py in a process of its own (this process stays small: Linux
    carries a parent's peak RSS into the rusage of every child it starts)."""
    command = [str(BIN / "python"), "-m", "benchmarks.stage", name, "--report", str(report)]
    completed = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BenchFailed(f"{shlex.join(command)} failed:\n{completed.stderr[-3000:]}")
    return json.loads(report.read_text())


def run_stages(
    env: dict[str, str],
    run_dir: Path,
    sources: dict[str, list[str]],
    bars: StageProgress,
    run: int,
    stages: Sequence[str] = STAGES,
) -> dict[str, dict]:
    results = {}
    for name in stages:
        report_path = run_dir / "reports" / f"{name}.json"
        command = [str(BIN / "python"), "-m", "benchmarks.stage", name, "--report", str(report_path)]
        if name == "ingest":
            command += ["--sources", json.dumps(sources)]
        measurement = measure(command, env, run_dir / "logs" / f"{name}.log", bars.start(name, run))
        report = json.loads(report_path.read_text())
        rows = report["rows"]
        if name == "dbt":
            rows = helper("dbt_rows", env, run_dir / "reports" / "dbt_rows.json")["rows"]
        # The largest single process, from the stage's own VmHWM and its waited children (wait4's figure starts
        # from this process's RSS at fork); the peak stays the larger of that and the sampled tree.
        single = max(report["peak_rss_self_mib"] or 0, report["rusage_children"]["max_rss_mib"])
        measurement.update(
            max_single_rss_mib=round(single, 1),
            peak_rss_mib=round(max(measurement["peak_tree_rss_mib"], single), 1),
            rows=rows,
            rows_what=report["rows_what"],
            child_report={key: report[key] for key in ("peak_rss_self_mib", "rusage_self", "rusage_children")},
        )
        measurement["rows_per_s"] = round(rows / measurement["wall_s"], 1) if rows else None
        if name == "ingest":
            measurement["ingest_totals"] = report["report"]["totals"]
        results[name] = measurement
        bars.finish(name, measurement)
    return results


def run_airflow(env: dict[str, str], run_dir: Path, bars: StageProgress, run: int) -> dict:
    command = [str(BIN / "python"), "-m", "pipeline.run_all"]
    measurement = measure(command, env, run_dir / "logs" / "airflow_run_all.log", bars.start("airflow", run))
    summary = json.loads((Path(env["OUTCOMES_REPORTS_DIR"]) / "run_summary.json").read_text())["stages"]
    measurement["rows"] = summary["ingest"]["totals"]["rows_read"]
    measurement["rows_what"] = "records read by ingest"
    measurement["rows_per_s"] = round(measurement["rows"] / measurement["wall_s"], 1)
    measurement["rows_published"] = sum(summary["publish"]["tables"].values())
    measurement["task_reports"] = {
        name: {"elapsed_seconds": report.get("elapsed_seconds"), "peak_rss_mib": report.get("peak_rss_mib")}
        for name, report in summary.items()
        if isinstance(report, dict)
    }
    bars.finish("airflow", measurement)
    return measurement


def run_lower_bound(landing: Path, env: dict[str, str], run_dir: Path, bars: StageProgress, run: int) -> dict:
    """benchmarks/lower_bound.sql on the same landing folder in the same run: what the headline KPIs cost with no
    ingest, no dbt and no orchestration."""
    report = run_dir / "reports" / "lower_bound.json"
    command = [str(BIN / "python"), "-m", "benchmarks.lower_bound", "--landing", str(landing), "--runs", "1"]
    measurement = measure(
        [*command, "--json", str(report)], env, run_dir / "logs" / "lower_bound.log", bars.start("lower_bound", run)
    )
    bars.finish("lower_bound", measurement)
    return measurement


def run_ratios(stages: dict[str, dict]) -> dict[str, float]:
    """Wall-time ratios within one run: the pipeline against the lower bound."""
    bound = stages.get("lower_bound", {}).get("wall_s")
    ratios = {}
    if bound:
        for name in ("stage_sum", "airflow"):
            if name in stages:
                ratios[f"{name}/lower_bound"] = round(stages[name]["wall_s"] / bound, 2)
    return ratios


def stage_sum(stages: dict[str, dict]) -> dict:
    measured = [stages[name] for name in STAGES if name in stages]
    wall = sum(item["wall_s"] for item in measured)
    rows = stages["ingest"]["rows"]
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(sum(item["cpu_s"] for item in measured), 3),
        "peak_rss_mib": max(item["peak_rss_mib"] for item in measured),
        "rows": rows,
        "rows_what": "records read by ingest",
        "rows_per_s": round(rows / wall, 1) if rows else None,
    }


def one_run(
    scale: float, run: int, landing: Path, scale_dir: Path, args, sources_cache: dict, bars: StageProgress
) -> dict:
    run_dir = scale_dir / f"run_{run}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    record: dict = {
        "run": run,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_1min_before": round(os.getloadavg()[0], 2),
        "stages": {},
    }
    airflow_home = Path(args.work) / "airflow_home"
    if args.landing is None and (run == 1 or args.regenerate):
        shutil.rmtree(landing, ignore_errors=True)
        command = [str(BIN / "python"), "-m", "demo_data", "--out", str(landing), "--scale", f"{scale:g}"]
        command += ["--seed", str(args.seed)]
        env = paths_env(landing, run_dir / "stages", scale, args.memory_limit, airflow_home)
        generate = measure(command, env, run_dir / "logs" / "generate.log", bars.start("generate", run))
        generate.update(rows=generated_records(landing), rows_what="records written")
        generate["rows_per_s"] = round(generate["rows"] / generate["wall_s"], 1)
        record["stages"]["generate"] = generate
        bars.finish("generate", generate)
    env = paths_env(landing, run_dir / "stages", scale, args.memory_limit, airflow_home)
    if "sources" not in sources_cache:
        sources_cache["sources"] = helper("sources", env, run_dir / "reports" / "sources.json")["sources"]
    record["stages"].update(run_stages(env, run_dir, sources_cache["sources"], bars, run, args.stages))
    record["stages"]["stage_sum"] = stage_sum(record["stages"])
    record["disk_bytes"] = {
        "landing": folder_bytes(landing),
        "warehouse": folder_bytes(run_dir / "stages" / "warehouse"),
        "serving": folder_bytes(run_dir / "stages" / "serving"),
        "reports": folder_bytes(run_dir / "stages" / "reports"),
    }
    if not args.keep:
        shutil.rmtree(run_dir / "stages")  # the stage reports and logs stay in run_dir/reports and run_dir/logs
    record["stages"]["lower_bound"] = run_lower_bound(landing, env, run_dir, bars, run)
    if not args.skip_airflow and (args.airflow_runs is None or run <= args.airflow_runs):
        env = paths_env(landing, run_dir / "airflow", scale, args.memory_limit, airflow_home)
        airflow = run_airflow(env, run_dir, bars, run)
        stages = record["stages"]
        airflow["consistent_with_stages"] = airflow["rows"] == stages["ingest"]["rows"] and (
            "publish" not in stages or airflow["rows_published"] == stages["publish"]["rows"]
        )
        stages["airflow"] = airflow
        if tuple(args.stages) == STAGES:  # comparable with the Airflow run only when every stage ran
            stages["airflow_overhead"] = {
                "wall_s": round(airflow["wall_s"] - stages["stage_sum"]["wall_s"], 3),
                "cpu_s": round(airflow["cpu_s"] - stages["stage_sum"]["cpu_s"], 3),
            }
        if not args.keep:
            shutil.rmtree(run_dir / "airflow")
    record["ratios"] = run_ratios(record["stages"])
    record["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    return record


def disk_check(scale: float, work: Path, measured: dict[float, dict], keep: bool = False) -> dict:
    """Whether the free disk under `work` holds the landing folder and warehouse of `scale`, estimated from the
    smaller scales measured in this invocation (bytes per scale unit), else from FALLBACK_BYTES_PER_SCALE. One run's
    folders exist at a time (the stage run's are removed before the Airflow run), twice that with --keep."""
    copies = 2 if keep else 1
    per_unit = []
    if measured:  # the largest scale measured: fixed costs (dbt seeds, reports) inflate the per-unit size of tiny ones
        largest = max(measured)
        for run in measured[largest]["runs"]:
            sizes = run["disk_bytes"]
            per_unit.append((sizes["landing"] + copies * (sum(sizes.values()) - sizes["landing"])) / largest)
    basis = f"measured at scale {max(measured):g}" if per_unit else "estimate from a scale-1 run"
    bytes_per_unit = max(per_unit) if per_unit else FALLBACK_BYTES_PER_SCALE * (copies + 1) / 2
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free
    needed = int(bytes_per_unit * scale * DISK_MARGIN)
    return {"needed_bytes": needed, "free_bytes": free, "bytes_per_scale_unit": int(bytes_per_unit), "basis": basis}


def bench_scale(scale: float, args, sources_cache: dict) -> dict:
    scale_dir = Path(args.work) / f"scale_{scale:g}"
    landing = args.landing or scale_dir / "landing"
    bars = StageProgress(scale, args.runs)
    runs = []
    try:
        for run in range(1, args.runs + 1):
            runs.append(one_run(scale, run, landing, scale_dir, args, sources_cache, bars))
    finally:
        bars.close()
    if args.landing is None and not args.keep:
        shutil.rmtree(landing, ignore_errors=True)  # generated again by any later invocation: free the disk now
    return {
        "scale": scale,
        "seed": args.seed,
        "generate_measured_in_runs": [run["run"] for run in runs if "generate" in run["stages"]],
        "runs": runs,
        "summary": summarize(runs),
    }


# ---------------------------------------------------------------------------------------------------------------
# Summary and Markdown

SUMMARY_ROWS = ("generate", *STAGES, "stage_sum", "airflow", "airflow_overhead", "lower_bound")
RATIO_LABELS = {
    "stage_sum/lower_bound": "sum of the stages / lower bound (wall time, same run)",
    "airflow/lower_bound": "pipeline through Airflow / lower bound (wall time, same run)",
}
FIGURES = ("wall_s", "cpu_s", "peak_rss_mib", "rows", "rows_per_s")


def summarize(runs: list[dict]) -> dict:
    """{row: {figure: {median, min, max, n}}} over the runs that have the figure."""
    summary: dict[str, dict] = {}
    for name in SUMMARY_ROWS:
        for figure in FIGURES:
            values = [
                run["stages"][name][figure] for run in runs if run["stages"].get(name, {}).get(figure) is not None
            ]
            if values:
                summary.setdefault(name, {})[figure] = {
                    "median": statistics.median(values),
                    "min": min(values),
                    "max": max(values),
                    "n": len(values),
                }
    return summary


def spread(figure: dict | None, digits: int = 1) -> str:
    """`median (min-max)`; the value alone for one run."""
    if not figure:
        return "–"
    median, low, high = (f"{figure[key]:,.{digits}f}" for key in ("median", "min", "max"))
    if figure["n"] == 1:
        return median
    return f"{median} ({low} to {high})" if figure["min"] < 0 else f"{median} ({low}-{high})"


def rows_cell(figure: dict | None) -> str:
    if not figure:
        return "–"
    if figure["min"] == figure["max"]:
        return f"{figure['median']:,.0f}"
    return spread(figure, 0)


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        completed = subprocess.run(["git", *args], capture_output=True, text=True, cwd=PROJECT_ROOT)
        return completed.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} (+ uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else commit


def ratio_rows(runs: list[dict]) -> list[ExtraRow]:
    rows = []
    for key, label in RATIO_LABELS.items():
        values = [run["ratios"][key] for run in runs if key in run.get("ratios", {})]
        if values:
            value = f"{statistics.median(values):.2f}x" + (
                f" ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else ""
            )
            rows.append(ExtraRow(label, value, "median of the per-run ratios (min-max)"))
    return rows


def scale_markdown(result: dict, meta: dict, extra_rows: Sequence[ExtraRow] = ()) -> str:
    """The table of one scale. `extra_rows`: figures other benchmarks add below it (ratios such as pipeline against
    lower bound, cosmos per-model against one dbt build, incremental against full run)."""
    scale, runs, summary = result["scale"], result["runs"], result["summary"]
    loads = [run["load_average_1min_before"] for run in runs]
    generated = result["generate_measured_in_runs"]
    if not generated:
        generate_note = "an existing folder (--landing), not generated"
    elif len(generated) == len(runs):
        generate_note = "generated and measured in every run" if len(runs) > 1 else "generated and measured"
    else:
        generate_note = f"generated and measured in run {', '.join(map(str, generated))}; later runs reuse it"
    lines = [
        f"### Pipeline at scale {scale:g} (seed {result['seed']}), {len(runs)} run{'s' if len(runs) > 1 else ''}",
        "",
        f"- date: {meta['date']}; commit: {meta['commit']}",
        f"- machine: {meta['machine']['cores']} cores, {meta['machine']['memory_gib']:g} GiB, "
        f"{meta['machine']['platform']}, Python {meta['machine']['python']}; 1-min load average before each run "
        f"{statistics.median(loads):.1f} ({min(loads):.1f}-{max(loads):.1f})",
        f"- DuckDB memory limit (OUTCOMES_DUCKDB_MEMORY_LIMIT): {meta['memory_limit']}",
        f"- command: `{meta['command']}`",
        f"- landing: {generate_note}; {runs[0]['disk_bytes']['landing'] / MIB:,.0f} MiB; warehouse after the stages "
        f"{runs[0]['disk_bytes']['warehouse'] / MIB:,.0f} MiB",
        "",
        "| stage | wall s | CPU s | peak RSS MiB | rows | rows/s |",
        "|---|---|---|---|---|---|",
    ]
    for name in SUMMARY_ROWS:
        if name not in summary:
            continue
        figures = summary[name]
        what = next((run["stages"][name].get("rows_what") for run in runs if name in run["stages"]), None)
        label = LABELS[name] + (f" ({what})" if what and "rows" in figures else "")
        runs_with = figures["wall_s"]["n"] if "wall_s" in figures else len(runs)
        if runs_with < len(runs):
            label += f", {runs_with} of {len(runs)} runs"
        lines.append(
            f"| {label} | {spread(figures.get('wall_s'))} | {spread(figures.get('cpu_s'))} | "
            f"{spread(figures.get('peak_rss_mib'), 0)} | {rows_cell(figures.get('rows'))} | "
            f"{spread(figures.get('rows_per_s'), 0)} |"
        )
    extra_rows = [*ratio_rows(runs), *extra_rows]
    if extra_rows:
        lines += ["", "| ratio | value | how |", "|---|---|---|"]
        lines += [f"| {row.label} | {row.value} | {row.detail} |" for row in extra_rows]
    return "\n".join(lines)


METHOD_NOTE = """\
Each figure is the median over the runs, with (min-max); the value alone for one run. Every stage runs in its own
process (`benchmarks/stage.py`, calling what the Airflow task calls), so each pays its own interpreter start and
imports (GX, dbt, Plotly), which the Airflow run pays once per task process. CPU s: user + system time of the stage
process and of the children it waited for (os.wait4; dbt runs as a subprocess), or the psutil sample of the tree
when larger; it can exceed wall time on several cores. Peak RSS: the largest sum over the process tree, sampled
every 50 ms, or the largest single process when larger (a stage's own VmHWM and its children's ru_maxrss; wait4 for
generate and the Airflow run). Rows/s: rows over wall time, where rows are the records written (generate), records
read (ingest), raw rows of the batches checked (source gate), rows in the tables dbt materialised (views hold none),
mart rows checked (mart gate), rows published; the sum and the Airflow run use the records read by ingest. The
Airflow run also does the feedback hand-off and the run summary, which are not stages here. Airflow overhead: the
Airflow run minus the sum of the stages (negative when one Airflow process saves more start-up than its scheduling
costs)."""


def markdown(results: list[dict], meta: dict, extra_rows: dict[float, Sequence[ExtraRow]] | None = None) -> str:
    extra_rows = extra_rows or {}
    parts = [scale_markdown(result, meta, extra_rows.get(result["scale"], ())) for result in results]
    parts += [f"Skipped: {note}" for note in meta.get("skipped", [])]
    return "\n\n".join([*parts, METHOD_NOTE]) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# CLI


def parse_scales(text: str) -> list[float]:
    return sorted({float(item) for item in text.split(",") if item.strip()})


# A stage reads what these wrote: selecting it without them is refused.
NEEDS = {
    "gate_sources": ("ingest",),
    "dbt": ("ingest",),
    "dbt_docs": ("dbt",),
    "gate_marts": ("dbt",),
    "publish": ("dbt",),
    "dashboard": ("publish",),
}


def parse_stages(text: str) -> tuple[str, ...]:
    chosen = {item.strip() for item in text.split(",") if item.strip()}
    unknown = chosen - set(STAGES)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown stage(s) {sorted(unknown)}; stages: {','.join(STAGES)}")
    missing = sorted({need for name in chosen for need in NEEDS.get(name, ()) if need not in chosen})
    if missing or "ingest" not in chosen:
        raise argparse.ArgumentTypeError(f"the chosen stages need {sorted({*missing, 'ingest'} - chosen)} too")
    return tuple(name for name in STAGES if name in chosen)


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m benchmarks.pipeline_bench", description=__doc__.splitlines()[0])
    cli.add_argument("--scales", type=parse_scales, default=[1.0, 10.0], help="comma-separated, e.g. 1,10")
    cli.add_argument("--runs", type=int, default=3)
    cli.add_argument("--seed", type=int, default=42)
    cli.add_argument("--memory-limit", default=None, help="OUTCOMES_DUCKDB_MEMORY_LIMIT for every stage, e.g. 4GB")
    cli.add_argument("--allow-scale-100", action="store_true", help=f"allow scales above {LARGEST_UNFLAGGED_SCALE}")
    cli.add_argument("--work", type=Path, default=DEFAULT_WORK, help="work folder (default reports/bench)")
    cli.add_argument("--json", type=Path, default=None, help="JSON of every run (default <work>/pipeline_bench.json)")
    cli.add_argument("--markdown", type=Path, default=None, help="also write the Markdown tables here")
    cli.add_argument(
        "--stages", type=parse_stages, default=STAGES, help=f"a subset, in pipeline order (default {','.join(STAGES)})"
    )
    cli.add_argument("--skip-airflow", action="store_true", help="no end-to-end run through Airflow")
    cli.add_argument("--airflow-runs", type=int, default=None, help="Airflow in the first N runs only (default: all)")
    cli.add_argument("--landing", type=Path, default=None, help="use this landing folder (one scale; not generated)")
    cli.add_argument("--regenerate", action="store_true", help="generate (and measure) the landing in every run")
    cli.add_argument("--keep", action="store_true", help="keep each run's warehouse, serving and report folders")
    return cli


def run_bench(argv: list[str], extra_rows: dict[float, Sequence[ExtraRow]] | None = None) -> tuple[dict, str]:
    """Run the benchmark; returns (the JSON document, the Markdown)."""
    args = parser().parse_args(argv)
    args.work = args.work.resolve()
    if args.runs < 1:
        raise BenchFailed("--runs must be at least 1")
    if args.landing is not None:
        args.landing = args.landing.resolve()
        if len(args.scales) != 1 or not args.landing.is_dir():
            raise BenchFailed("--landing needs an existing folder and exactly one --scales value (the folder's scale)")
    meta = {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "commit": git_commit(),
        "machine": machine(),
        "memory_limit": args.memory_limit or "not set (DuckDB default, 80% of RAM)",
        "command": shlex.join(["python", "-m", "benchmarks.pipeline_bench", *argv]),
        "skipped": [],
    }
    results: list[dict] = []
    measured: dict[float, dict] = {}
    sources_cache: dict = {}
    airflow_ready = False
    for scale in args.scales:
        if scale > LARGEST_UNFLAGGED_SCALE:
            if not args.allow_scale_100:
                meta["skipped"].append(f"scale {scale:g}: needs --allow-scale-100")
                print(f"Skipping scale {scale:g}: it needs --allow-scale-100.", file=sys.stderr)
                continue
            check = disk_check(scale, args.work, measured, args.keep)
            if check["needed_bytes"] > check["free_bytes"]:
                note = (
                    f"scale {scale:g}: needs about {check['needed_bytes'] / GIB:,.0f} GiB of free disk under "
                    f"{args.work} ({check['bytes_per_scale_unit'] / GIB:.2f} GiB per scale unit, {check['basis']}, "
                    f"x{DISK_MARGIN} for spill files), {check['free_bytes'] / GIB:,.0f} GiB available"
                )
                meta["skipped"].append(note)
                print(f"Skipping {note}.", file=sys.stderr)
                continue
            if not args.memory_limit:
                print(f"Scale {scale:g} without --memory-limit: DuckDB may take 80% of RAM.", file=sys.stderr)
        if not args.skip_airflow and not airflow_ready:
            prepare_airflow(args.work / "airflow_home", args.memory_limit)
            airflow_ready = True
        result = bench_scale(scale, args, sources_cache)
        results.append(result)
        measured[scale] = result
    document = {"meta": meta, "scales": results}
    json_path = args.json or args.work / "pipeline_bench.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2))
    text = markdown(results, meta, extra_rows)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text)
    return document, text


def main(argv: Iterable[str] | None = None) -> int:
    try:
        _, text = run_bench(list(sys.argv[1:] if argv is None else argv))
    except BenchFailed as failure:
        print(f"Benchmark failed: {failure}", file=sys.stderr)
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
