"""What it costs to see dbt models as Airflow tasks: cosmos watcher mode (ours) and cosmos' default local mode,
each against one plain `dbt build` of the same project on the same data.

Why: the transform DAG shows every model and seed as its own task so a failure points at a model, without paying
one dbt process per model (cosmos watcher mode: one `dbt build`, whose results become per-node tasks). This measures
that run against one plain `dbt build` and records the ratio, and reports the usual setup (astronomer-cosmos in its
default LOCAL execution mode, one dbt process per model, under Airflow) as a ratio against ours.

Variants, each run in a fresh interpreter (its own imports and memory) that the parent only starts and measures:
- plain: `pipeline.dbt_build.build` (one `dbt build` subprocess: seeds, models, snapshots, unit and data tests).
- watcher: benchmarks/dags/dbt_only.py's DAG holding only `pipeline.dbt_cosmos.dbt_task_group(mode=WATCHER)`,
  run with `dag.test()` (tasks one after another in that process, as `make run` does): one `dbt build` of models,
  seeds and snapshots, a lightweight task per node, and one `dbt test` task after all of them.
- local: the same DAG built by `dbt_task_group(mode=LOCAL)`: one `dbt run` / `dbt seed` / `dbt snapshot` process per
  node (each with its own dbt target folder: see benchmarks/dags/dbt_only.py), then the same `dbt test` task.
- watcher_tests, local_tests (optional): the same two modes with cosmos' default test behaviour, a `dbt test` task
  after each tested model (local_tests: cosmos' usual setup throughout).
All variants run the same nodes and tests; the "dbt processes" column shows how many dbt invocations that took.

The landing folder is ingested once into a raw-only warehouse; every variant run starts from a fresh copy of it (and
a fresh dbt target folder, cosmos cache and copy of an Airflow home migrated once, SQLite metadata). Variants
alternate within each run. Per variant: wall time (spawn to exit), CPU time (user + system of the child and every
descendant it waited for, from wait4), peak RSS (the process tree's summed RSS sampled every 0.1 s, and wait4's
largest single process), the number of Airflow tasks and of dbt processes seen; medians (min-max) over `--runs`, and
ratios of the medians (min-max over the runs' paired ratios). A run counts only if it succeeded (dbt exit 0, or DAG
run and every task `success`) and marts.fct_interactions has rows; every variant must leave the same row count in
every table of schema `marts`.

    python -m benchmarks.dbt_overhead --scale 0.01 --runs 1
    python -m benchmarks.dbt_overhead --landing /tmp/dbt_overhead_scale1 --runs 3 --json /tmp/dbt_overhead.json
    python -m benchmarks.dbt_overhead --scale 0.1 --variants plain,watcher,local,watcher_tests,local_tests
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DAGS_FOLDER = Path(__file__).resolve().parent / "dags"
BIN = Path(sys.executable).parent
MANIFEST_PATH = PROJECT_ROOT / "dbt_project" / "target" / "manifest.json"  # pipeline.dbt_cosmos renders from it
VARIANTS = ("plain", "watcher", "local", "watcher_tests", "local_tests")
DEFAULT_VARIANTS = ("plain", "watcher", "local")
LABELS = {
    "plain": "(a) plain `dbt build`",
    "watcher": "(b) cosmos watcher (ours)",
    "local": "(c) cosmos local, one dbt process per node",
    "watcher_tests": "(b') cosmos watcher + default test tasks",
    "local_tests": "(c') cosmos local + default test tasks",
}
RATIOS = (
    ("watcher", "plain"),
    ("local", "watcher"),
    ("local", "plain"),
    ("watcher_tests", "plain"),
    ("local_tests", "watcher_tests"),
    ("local_tests", "plain"),
)
METRICS = ("wall_s", "cpu_s", "peak_tree_mib", "max_process_mib")
SAMPLE_SECONDS = 0.1
CHECK_TABLE = "fct_interactions"
DBT_SUBCOMMANDS = {"build", "run", "seed", "snapshot", "test", "parse", "ls", "compile", "deps"}
# Inherited settings that would point a child at another Airflow home, warehouse or dbt target.
INHERITED_PREFIXES = ("AIRFLOW__", "OUTCOMES_", "DBT_")


class BenchmarkFailed(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------------------- child


def child_main(variant: str, result_path: Path) -> int:
    """Runs in the measured interpreter: the variant once; writes what it saw to `result_path`."""
    started = time.perf_counter()
    if variant == "plain":
        from pipeline import dbt_build
        from pipeline.settings import load_paths

        imported = time.perf_counter()
        report = dbt_build.build(load_paths())  # raises DbtBuildFailed on a non-zero exit
        result = {"state": "success", "tasks": 1, "task_states": {}, "dbt_results": report.statuses}
    else:
        from airflow.dag_processing.dagbag import DagBag

        dagbag = DagBag(dag_folder=str(BENCH_DAGS_FOLDER))
        if dagbag.import_errors:
            raise BenchmarkFailed(f"DAG import errors: {dagbag.import_errors}")
        dag = dagbag.dags[f"dbt_only_{variant}"]
        imported = time.perf_counter()
        dag_run = dag.test()
        result = {"state": str(getattr(dag_run.state, "value", dag_run.state)), **task_states(dag_run)}
        if variant.startswith("watcher"):
            result["dbt_results"] = run_result_statuses()
    result.update(import_and_parse_s=imported - started, run_s=time.perf_counter() - imported)
    result_path.write_text(json.dumps(result))
    return 0


def task_states(dag_run) -> dict:
    from collections import Counter

    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state).where(
                TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id
            )
        ).all()
    states = Counter(str(getattr(state, "value", state)) for _, state in rows)
    return {"tasks": len(rows), "task_states": dict(states)}


def run_result_statuses() -> dict:
    """Statuses in run_results.json of the shared dbt target folder: the last dbt invocation's (the `dbt test` task
    when the group has one, else the producer's `dbt build`)."""
    from collections import Counter

    from pipeline.settings import load_paths

    path = load_paths().dbt_target_dir / "run_results.json"
    if not path.is_file():
        return {}
    return dict(Counter(result["status"] for result in json.loads(path.read_text())["results"]))


# --------------------------------------------------------------------------------------------------------- parent


class TreeSampler(threading.Thread):
    """Samples a process tree: peak summed RSS, and every dbt invocation (pid -> subcommand) seen in it; a dbt
    process forked by another (same command line) is not counted as one."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.peak_rss = 0
        self.dbt_processes: dict[int, str] = {}
        self.dbt_parents: dict[int, int] = {}
        self.done = threading.Event()

    def sample(self) -> None:
        psutil = self.psutil
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
                if process.pid not in self.dbt_processes:
                    subcommand = dbt_subcommand(process.cmdline())
                    if subcommand:
                        self.dbt_processes[process.pid] = subcommand
                        self.dbt_parents[process.pid] = process.ppid()
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, total)

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.sample()

    def dbt_invocations(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for pid, subcommand in self.dbt_processes.items():
            if self.dbt_parents[pid] not in self.dbt_processes:
                counts[subcommand] = counts.get(subcommand, 0) + 1
        return counts


def dbt_subcommand(cmdline: list[str]) -> str | None:
    """'build' for `.../python .../bin/dbt build --project-dir ...`; None for any other process."""
    for index, argument in enumerate(cmdline[:3]):
        if Path(argument).name == "dbt":
            following = cmdline[index + 1 : index + 2]
            return following[0] if following and following[0] in DBT_SUBCOMMANDS else "other"
    return None


def clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(INHERITED_PREFIXES)}
    env.pop("AIRFLOW_HOME", None)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__COSMOS__ENABLE_TELEMETRY="False",
        DO_NOT_TRACK="1",
        SCARF_NO_ANALYTICS="true",
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        GX_ANALYTICS_ENABLED="False",
    )
    return env


def airflow_env(home: Path) -> dict[str, str]:
    env = clean_env()
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        AIRFLOW__CORE__DAGS_FOLDER=str(BENCH_DAGS_FOLDER),
    )
    return env


def migrated_airflow_home(work: Path) -> Path:
    """An Airflow home with its SQLite metadata migrated, copied for every cosmos run."""
    home = work / "airflow_template"
    home.mkdir(parents=True)
    migrate = subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=airflow_env(home), capture_output=True)
    if migrate.returncode != 0:
        raise BenchmarkFailed(f"airflow db migrate failed:\n{migrate.stdout.decode()}\n{migrate.stderr.decode()}")
    return home


def prepare_raw_warehouse(landing: Path, work: Path) -> tuple[Path, float]:
    """Ingest the landing folder once into a raw-only warehouse; every variant run starts from a copy of it."""
    import ingest

    raw = work / "raw" / "outcomes.duckdb"
    raw.parent.mkdir(parents=True)
    started = time.perf_counter()
    ingest.load_landing(landing, raw)
    return raw, time.perf_counter() - started


def marts_row_counts(warehouse: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        ).fetchall()
        return {name: connection.execute(f'select count(*) from marts."{name}"').fetchone()[0] for (name,) in tables}


def run_variant(variant: str, raw: Path, landing: Path, template_home: Path | None, run_dir: Path, keep: bool) -> dict:
    """One measured run of a variant in a child interpreter, on a fresh copy of the raw warehouse."""
    warehouse = run_dir / "warehouse" / "outcomes.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copyfile(raw, warehouse)
    home = run_dir / "airflow"
    if variant == "plain":
        env = clean_env()
    else:
        shutil.copytree(template_home, home)
        env = airflow_env(home)
    env.update(
        AIRFLOW__COSMOS__CACHE_DIR=str(run_dir / "cosmos_cache"),
        OUTCOMES_BENCH_DBT_VARIANTS=variant,
        OUTCOMES_LANDING_DIR=str(landing),
        OUTCOMES_WAREHOUSE_PATH=str(warehouse),
        OUTCOMES_SERVING_PATH=str(run_dir / "serving" / "outcomes.duckdb"),
        OUTCOMES_REPORTS_DIR=str(run_dir / "reports"),
    )
    result_path = run_dir / "result.json"
    log_path = run_dir / "child.log"
    command = [sys.executable, "-m", "benchmarks.dbt_overhead", "--child", variant, "--result", str(result_path)]
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: keep Popen from waiting again
    if process.returncode != 0 or not result_path.is_file():
        raise BenchmarkFailed(f"{variant}: child exited {process.returncode}; log: {log_path}\n{tail(log_path)}")
    result = json.loads(result_path.read_text())
    check_success(variant, result, log_path)
    counts = marts_row_counts(warehouse)
    if not counts.get(CHECK_TABLE):
        raise BenchmarkFailed(f"{variant}: marts.{CHECK_TABLE} missing or empty after the run; log: {log_path}")
    if not keep:
        shutil.rmtree(warehouse.parent)
        shutil.rmtree(home, ignore_errors=True)
    return {
        "variant": variant,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_tree_mib": sampler.peak_rss / 2**20,
        "max_process_mib": usage.ru_maxrss / 1024,
        "tasks": result["tasks"],
        "task_states": result["task_states"],
        "dbt_processes": sampler.dbt_invocations(),
        "dbt_results": result.get("dbt_results", {}),
        "import_and_parse_s": result["import_and_parse_s"],
        "run_s": result["run_s"],
        "marts_rows": counts,
        "log": str(log_path),
    }


def check_success(variant: str, result: dict, log_path: Path) -> None:
    if result["state"] != "success":
        raise BenchmarkFailed(f"{variant}: DAG run ended {result['state']}; log: {log_path}\n{tail(log_path)}")
    not_successful = {state: n for state, n in result["task_states"].items() if state != "success"}
    if not_successful:
        raise BenchmarkFailed(f"{variant}: tasks not successful {not_successful}; log: {log_path}")
    failed = {status: n for status, n in result.get("dbt_results", {}).items() if status in ("error", "fail")}
    if failed:
        raise BenchmarkFailed(f"{variant}: dbt results {failed}; log: {log_path}")


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarize(runs: list[list[dict]], variants: list[str]) -> tuple[dict, dict]:
    """Per variant: each metric's median, min and max; per ratio pair: ratio of medians and the paired runs' range."""
    summary = {}
    for variant in variants:
        measured = [by_variant[variant] for by_variant in map(index_runs, runs)]
        summary[variant] = {metric: spread([run[metric] for run in measured]) for metric in METRICS}
        summary[variant]["tasks"] = measured[0]["tasks"]
        summary[variant]["dbt_processes"] = measured[0]["dbt_processes"]
        summary[variant]["dbt_results"] = measured[0]["dbt_results"]
    ratios = {}
    for top, bottom in RATIOS:
        if top not in summary or bottom not in summary:
            continue
        pair = {}
        for metric in ("wall_s", "cpu_s", "peak_tree_mib"):
            paired = [index[top][metric] / index[bottom][metric] for index in map(index_runs, runs)]
            pair[metric] = {
                "ratio_of_medians": summary[top][metric]["median"] / summary[bottom][metric]["median"],
                "min": min(paired),
                "max": max(paired),
            }
        ratios[f"{top}/{bottom}"] = pair
    return summary, ratios


def index_runs(run: list[dict]) -> dict[str, dict]:
    return {measured["variant"]: measured for measured in run}


def check_same_marts(runs: list[list[dict]]) -> dict[str, int]:
    reference = runs[0][0]
    for run in runs:
        for measured in run:
            if measured["marts_rows"] != reference["marts_rows"]:
                differing = {
                    table: (reference["marts_rows"].get(table), measured["marts_rows"].get(table))
                    for table in sorted(set(reference["marts_rows"]) | set(measured["marts_rows"]))
                    if reference["marts_rows"].get(table) != measured["marts_rows"].get(table)
                }
                raise BenchmarkFailed(
                    f"marts row counts differ between {reference['variant']} and {measured['variant']}: {differing}"
                )
    return reference["marts_rows"]


def fmt(value: dict, digits: int = 1) -> str:
    return f"{value['median']:.{digits}f} ({value['min']:.{digits}f}-{value['max']:.{digits}f})"


def markdown(report: dict) -> str:
    lines = [
        f"### dbt as Airflow tasks vs one `dbt build` ({report['runs']} runs; commit {report['commit']})",
        "",
        f"- {report['started']}; {report['machine']}",
        f"- data: {report['data']}; raw ingest (once, not timed per variant): {report['ingest_s']:.1f} s",
        f"- command: `{report['command']}`",
        f"- marts: {len(report['marts_rows'])} tables, same row counts in every variant and run "
        f"(fct_interactions: {report['marts_rows'].get(CHECK_TABLE, 0):,} rows)",
        "",
        "| variant | wall s | CPU s (self + children) | peak RSS MiB, tree | peak RSS MiB, largest process "
        "| Airflow tasks | dbt processes | dbt results (last invocation) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for variant, row in report["summary"].items():
        processes = ", ".join(f"{n} {command}" for command, n in sorted(row["dbt_processes"].items())) or "-"
        results = ", ".join(f"{n} {status}" for status, n in sorted(row["dbt_results"].items())) or "-"
        tasks = "-" if variant == "plain" else str(row["tasks"])
        lines.append(
            f"| {LABELS[variant]} | {fmt(row['wall_s'])} | {fmt(row['cpu_s'])} | {fmt(row['peak_tree_mib'], 0)} "
            f"| {fmt(row['max_process_mib'], 0)} | {tasks} | {processes} | {results} |"
        )
    if report["ratios"]:
        lines += ["", "| ratio | wall | CPU | peak RSS (tree) |", "|---|---|---|---|"]
        for name, pair in report["ratios"].items():
            cells = [
                f"{value['ratio_of_medians']:.2f}x ({value['min']:.2f}-{value['max']:.2f})" for value in pair.values()
            ]
            lines.append(f"| {name} | {' | '.join(cells)} |")
    lines += [
        "",
        "Medians (min-max) over the runs; ratios are ratios of the medians (min-max of the runs' paired ratios).",
    ]
    return "\n".join(lines)


def project_fingerprint() -> str:
    """A hash of the dbt project's sources (not its target folder) and of the modules that run it: others may edit
    them while a long benchmark goes on."""
    import hashlib

    project = PROJECT_ROOT / "dbt_project"
    digest = hashlib.sha256()
    files = [project / "dbt_project.yml", project / "profiles.yml", BENCH_DAGS_FOLDER / "dbt_only.py"]
    files += [PROJECT_ROOT / "pipeline" / name for name in ("dbt_cosmos.py", "dbt_build.py", "settings.py")]
    for folder in ("models", "macros", "seeds", "snapshots", "tests", "analyses"):
        files += sorted(path for path in (project / folder).rglob("*") if path.is_file())
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def project_state() -> str:
    """The commit, and whether the dbt project differs from it (read-only git commands)."""
    dirty = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--", "dbt_project", "pipeline/dbt_cosmos.py"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return git_commit() + (" (dbt project or pipeline/dbt_cosmos.py with uncommitted changes)" if dirty else "")


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return completed.stdout.strip() or "unknown"


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} CPUs, {memory_gib:.0f} GiB, Python {platform.python_version()}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dbt_overhead", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--landing", type=Path, help="landing folder to ingest once (e.g. from `python -m demo_data`)")
    data.add_argument("--scale", type=float, help="generate demo data at this scale into the work folder")
    parser.add_argument("--seed", type=int, default=42, help="demo data seed (with --scale)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default=",".join(DEFAULT_VARIANTS), help=f"comma-separated of {VARIANTS}")
    parser.add_argument("--json", type=Path, help="also write the report (with every run) as JSON here")
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder, warehouses and Airflow homes")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.child and args.landing is None and args.scale is None:
        parser.error("one of --landing or --scale is required")
    args.variant_list = [name.strip() for name in args.variants.split(",") if name.strip()]
    unknown = set(args.variant_list) - set(VARIANTS)
    if unknown or not args.variant_list or len(set(args.variant_list)) != len(args.variant_list):
        parser.error(f"--variants: a comma-separated list of distinct {VARIANTS}, got {args.variants!r}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def benchmark(args: argparse.Namespace, argv: list[str]) -> dict:
    if set(args.variant_list) - {"plain"} and not MANIFEST_PATH.is_file():
        raise BenchmarkFailed(f"{MANIFEST_PATH} not found: run `make manifest` first")
    started = datetime.now(UTC)
    commit = project_state()
    fingerprint = project_fingerprint()
    work = args.work or Path(tempfile.mkdtemp(prefix="dbt-overhead-"))
    work.mkdir(parents=True, exist_ok=True)
    succeeded = False
    try:
        if args.scale is not None:
            import demo_data

            landing = work / "landing"
            print(f"generating demo data at scale {args.scale:g} into {landing} ...", flush=True)
            demo_data.generate(landing, scale=args.scale, seed=args.seed)
            data = f"demo data, scale {args.scale:g}, seed {args.seed}"
        else:
            landing = args.landing.resolve()
            data = f"landing {landing}"
        print("ingesting the raw warehouse once ...", flush=True)
        raw, ingest_s = prepare_raw_warehouse(landing, work)
        template_home = migrated_airflow_home(work) if set(args.variant_list) - {"plain"} else None
        runs = []
        for number in range(1, args.runs + 1):
            run = []
            for variant in args.variant_list:
                measured = run_variant(variant, raw, landing, template_home, work / f"run{number}-{variant}", args.keep)
                print(
                    f"run {number} {variant:<12} wall {measured['wall_s']:7.1f} s  cpu {measured['cpu_s']:7.1f} s"
                    f"  peak {measured['peak_tree_mib']:6.0f} MiB  tasks {measured['tasks']}",
                    flush=True,
                )
                run.append(measured)
                if project_fingerprint() != fingerprint:
                    raise BenchmarkFailed(
                        f"the dbt project changed during the benchmark (by run {number}, {variant}): its variants did "
                        "not build the same project; run it again"
                    )
            runs.append(run)
        marts_rows = check_same_marts(runs)
        summary, ratios = summarize(runs, args.variant_list)
        succeeded = True
    finally:
        if succeeded and not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        elif not succeeded:
            print(f"work folder kept for its logs: {work}", file=sys.stderr)
    return {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "machine": machine(),
        "command": shlex.join(["python", "-m", "benchmarks.dbt_overhead", *argv]),
        "data": data,
        "runs": args.runs,
        "variants": args.variant_list,
        "ingest_s": ingest_s,
        "marts_rows": marts_rows,
        "summary": summary,
        "ratios": ratios,
        "all_runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.child:
        return child_main(args.child, args.result)
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
