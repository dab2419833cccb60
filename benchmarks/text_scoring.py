"""Sentiment scoring cost (issue 16): the learned model's dbt node and its weight seed against the whole dbt stage.

    python -m benchmarks.text_scoring [--scale 10] [--runs 3] [--landing DIR] [--memory-limit 3.5GB]
        [--work /tmp/text_scoring_bench] [--seed 42] [--markdown reports/bench/text_scoring.md] [--json OUT] [--keep]

1. The demo landing at --scale is generated (or --landing reused), ingested, and built with one full `dbt build`:
   the ingest and dbt stages of benchmarks/pipeline_bench.py, each in its own measured process. The dbt stage's
   wall time is the denominator. Its run_results.json gives the in-build execution time of the scoring model
   `int_text__interaction_sentiment`, of the seed `sentiment_model_weights`, and for context of the other text
   models (`int_text__term_matches`, `int_text__message_terms`) and of the tests that name the scoring model.
2. Then, --runs times against the same warehouse: `dbt seed -s sentiment_model_weights` and
   `dbt run -s int_text__interaction_sentiment`. The scoring cost is dbt's own execution time of each node
   (run_results.json), which leaves out dbt's start-up and project parse (the full build pays those once); each
   process's wall time is recorded beside it.
3. Reported: messages the model scored (rows with sentiment_method = 'model'), the node and seed times (median and
   range), the dbt stage wall, and (scoring node + seed load) / dbt stage wall against the issue's 15% target.

DuckDB is capped with OUTCOMES_DUCKDB_MEMORY_LIMIT (--memory-limit, default 3.5GB as `make bench`). The work folder
(scale 10: about 8 GB of landing and 5 GB of warehouse) is deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.pipeline_bench import (
    BIN,
    MIB,
    PROJECT_ROOT,
    BenchFailed,
    StageProgress,
    folder_bytes,
    generated_records,
    git_commit,
    helper,
    machine,
    measure,
    paths_env,
    run_stages,
)

PROJECT = "social_outcomes"
SCORING_MODEL = "int_text__interaction_sentiment"
WEIGHTS_SEED = "sentiment_model_weights"
CONTEXT_MODELS = ("int_text__term_matches", "int_text__message_terms")
TARGET_SHARE = 0.15
DEFAULT_WORK = Path("/tmp/text_scoring_bench")
DEFAULT_MARKDOWN = PROJECT_ROOT / "reports" / "bench" / "text_scoring.md"
COUNT_SCRIPT = """
import json, sys, duckdb
with duckdb.connect(sys.argv[1], read_only=True) as con:
    schema = con.execute(
        "select schema_name from duckdb_tables() where table_name = ?", [sys.argv[2]]
    ).fetchone()[0]
    scored, total = con.execute(
        f"select count(*) filter (where sentiment_method = 'model'), count(*) from \\"{schema}\\".\\"{sys.argv[2]}\\""
    ).fetchone()
print(json.dumps({"scored": scored, "interactions": total}))
"""


def node_times(run_results: Path) -> dict[str, float]:
    """{unique_id: execution_time s} of every node in a dbt run_results.json; fails on a node that did not succeed."""
    results = json.loads(run_results.read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] not in ("success", "pass", "warn")]
    if failed:
        raise BenchFailed(f"dbt nodes failed in {run_results}: {failed}")
    return {r["unique_id"]: r["execution_time"] for r in results}


def build_figures(times: dict[str, float]) -> dict[str, float]:
    """The in-build times this benchmark reports, from the full build's node times."""
    figures = {
        "scoring_node_s": times[f"model.{PROJECT}.{SCORING_MODEL}"],
        "seed_load_s": times[f"seed.{PROJECT}.{WEIGHTS_SEED}"],
        "tests_on_scoring_model_s": sum(
            seconds
            for node, seconds in times.items()
            if node.startswith(("test.", "unit_test.")) and SCORING_MODEL in node
        ),
        "all_nodes_s": sum(times.values()),
    }
    for model in CONTEXT_MODELS:
        figures[f"{model}_s"] = times.get(f"model.{PROJECT}.{model}", 0.0)
    return {key: round(value, 3) for key, value in figures.items()}


def dbt(env: dict[str, str], log: Path, *args: str) -> dict:
    """One measured dbt invocation (wall includes its start-up and parse)."""
    project = str(PROJECT_ROOT / "dbt_project")
    command = [str(BIN / "dbt"), *args, "--project-dir", project, "--profiles-dir", project]
    return measure(command, env, log)


def rerun(env: dict[str, str], target: Path, run_dir: Path, run: int) -> dict:
    """The seed load, then the scoring node, each in its own dbt process; dbt's own node time from run_results."""
    record: dict = {"run": run, "load_average_1min_before": round(os.getloadavg()[0], 2)}
    for key, node, args in (
        ("seed_load", f"seed.{PROJECT}.{WEIGHTS_SEED}", ("seed", "-s", WEIGHTS_SEED)),
        ("scoring_node", f"model.{PROJECT}.{SCORING_MODEL}", ("run", "-s", SCORING_MODEL)),
    ):
        process = dbt(env, run_dir / "logs" / f"rerun_{run}_{key}.log", *args)
        record[f"{key}_s"] = round(node_times(target / "run_results.json")[node], 3)
        record[f"{key}_process_wall_s"] = process["wall_s"]
        record[f"{key}_process_cpu_s"] = process["cpu_s"]
        record[f"{key}_peak_rss_mib"] = process["peak_rss_mib"]
    return record


def count_scored(warehouse: Path) -> dict:
    command = [str(BIN / "python"), "-c", COUNT_SCRIPT, str(warehouse), SCORING_MODEL]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if completed.returncode != 0:
        raise BenchFailed(f"counting scored messages failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def cell(figure: dict, unit: str = " s", scale: float = 1.0, digits: int = 1) -> str:
    median, low, high = (f"{figure[key] * scale:,.{digits}f}{unit}" for key in ("median", "min", "max"))
    return median if figure["n"] == 1 else f"{median} ({low}-{high})"


def summarize(document: dict) -> dict:
    reruns, build, wall = document["reruns"], document["build"], document["dbt_stage"]["wall_s"]
    shares = [(run["scoring_node_s"] + run["seed_load_s"]) / wall for run in reruns]
    cpu_shares = [
        (run["scoring_node_process_cpu_s"] + run["seed_load_process_cpu_s"]) / document["dbt_stage"]["cpu_s"]
        for run in reruns
    ]
    keys = ("scoring_node_s", "seed_load_s", "scoring_node_process_wall_s", "seed_load_process_wall_s")
    keys += ("scoring_node_process_cpu_s", "seed_load_process_cpu_s")
    summary = {key: stats([run[key] for run in reruns]) for key in keys}
    summary["share_of_dbt_stage"] = stats(shares)
    summary["cpu_share_of_dbt_stage"] = stats(cpu_shares)
    summary["share_in_build"] = (build["scoring_node_s"] + build["seed_load_s"]) / wall
    summary["messages_per_s"] = document["counts"]["scored"] / summary["scoring_node_s"]["median"]
    summary["target_met"] = summary["share_of_dbt_stage"]["median"] <= TARGET_SHARE
    return summary


def markdown(document: dict) -> str:
    meta, build, counts, summary = document["meta"], document["build"], document["counts"], document["summary"]
    runs, stage = len(document["reruns"]), document["dbt_stage"]
    loads = [run["load_average_1min_before"] for run in document["reruns"]]
    share, met = summary["share_of_dbt_stage"], summary["target_met"]
    lines = [
        f"### Sentiment scoring at scale {meta['scale']:g} (seed {meta['seed']}), {runs} re-run{'s' * (runs > 1)}",
        "",
        f"- date: {meta['date']}; commit: {meta['commit']}",
        f"- machine: {meta['machine']['cores']} cores, {meta['machine']['memory_gib']:g} GiB, "
        f"{meta['machine']['platform']}, Python {meta['machine']['python']}",
        f"- load: `{meta['uptime']}` at the start; 1-min load average before the build "
        f"{document['load_average_1min_before_build']:.1f}, after it {document['load_average_1min_after_build']:.1f}, "
        f"before each re-run {cell(stats(loads), '')}",
        f"- DuckDB memory limit (OUTCOMES_DUCKDB_MEMORY_LIMIT): {meta['memory_limit']}",
        f"- command: `{meta['command']}`",
        f"- landing: {meta['landing_note']}, {document['disk_bytes']['landing'] / MIB:,.0f} MiB; warehouse "
        f"{document['disk_bytes']['warehouse'] / MIB:,.0f} MiB",
        "",
        "| figure | value | how |",
        "|---|---|---|",
        f"| messages scored by the model | {counts['scored']:,} of {counts['interactions']:,} interactions | "
        f"rows of {SCORING_MODEL} with sentiment_method = 'model' |",
        f"| dbt stage wall (one full `dbt build`) | {stage['wall_s']:,.1f} s | the dbt stage of `make bench` in its "
        f"own process; CPU {stage['cpu_s']:,.1f} s, peak RSS {stage['peak_rss_mib']:,.0f} MiB |",
        f"| scoring node `{SCORING_MODEL}` | {cell(summary['scoring_node_s'])} | dbt's execution time of the node, "
        f"`dbt run -s {SCORING_MODEL}`, {runs} run{'s' * (runs > 1)}; "
        f"{summary['messages_per_s']:,.0f} messages/s |",
        f"| seed load `{WEIGHTS_SEED}` | {cell(summary['seed_load_s'])} | dbt's execution time of the node, "
        f"`dbt seed -s {WEIGHTS_SEED}` |",
        f"| the same two dbt processes, start-up included | {cell(summary['scoring_node_process_wall_s'])} and "
        f"{cell(summary['seed_load_process_wall_s'])} | wall time of each `dbt run` / `dbt seed` process; CPU "
        f"{cell(summary['scoring_node_process_cpu_s'])} and {cell(summary['seed_load_process_cpu_s'])} |",
        f"| in the full build: scoring node, seed load | {build['scoring_node_s']:,.1f} s, "
        f"{build['seed_load_s']:,.1f} s | the build's run_results.json |",
        f"| in the full build: tests naming {SCORING_MODEL} | {build['tests_on_scoring_model_s']:,.1f} s | "
        "data and unit tests, not counted in the ratio |",
        *(
            f"| in the full build: `{model}` (context) | {build[f'{model}_s']:,.1f} s | the build's run_results.json |"
            for model in CONTEXT_MODELS
        ),
        f"| in the full build: every node | {build['all_nodes_s']:,.1f} s | sum of execution times (1 thread) |",
        f"| **(scoring node + seed load) / dbt stage wall** | **{cell(share, '%', 100)}** | re-run node times over "
        f"the build's wall time; target at most {TARGET_SHARE:.0%}: {'met' if met else 'not met'} |",
        f"| the same with the in-build node times | {summary['share_in_build']:.1%} | numerator and denominator "
        "from the same build, under the same load |",
        f"| CPU: (`dbt run` + `dbt seed` processes) / dbt stage CPU | "
        f"{cell(summary['cpu_share_of_dbt_stage'], '%', 100)} | CPU time is the steadier figure under load; the "
        "two processes include dbt's start-up and parse, so this overstates the nodes |",
    ]
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m benchmarks.text_scoring", description=__doc__.splitlines()[0])
    cli.add_argument("--scale", type=float, default=10.0)
    cli.add_argument("--runs", type=int, default=3, help="re-runs of the seed and the scoring node")
    cli.add_argument("--seed", type=int, default=42, help="demo data seed")
    cli.add_argument("--landing", type=Path, default=None, help="an existing landing folder of --scale (not generated)")
    cli.add_argument("--memory-limit", default="3.5GB", help="OUTCOMES_DUCKDB_MEMORY_LIMIT (default 3.5GB)")
    cli.add_argument("--work", type=Path, default=DEFAULT_WORK, help=f"work folder (default {DEFAULT_WORK})")
    cli.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN)
    cli.add_argument("--json", type=Path, default=None, help="default: beside --markdown, .json")
    cli.add_argument("--keep", action="store_true", help="keep the work folder (landing, warehouse, dbt target)")
    return cli


def run(argv: list[str]) -> tuple[dict, str]:
    args = parser().parse_args(argv)
    if args.runs < 1:
        raise BenchFailed("--runs must be at least 1")
    work = args.work.resolve()
    run_dir = work / f"scale_{args.scale:g}"
    landing = args.landing.resolve() if args.landing else work / "landing"
    if args.landing and not (landing / "manifest.json").is_file():
        raise BenchFailed(f"--landing {landing}: no demo landing folder (manifest.json) there")
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    meta = {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "commit": git_commit(),
        "machine": machine(),
        "uptime": uptime,
        "scale": args.scale,
        "seed": args.seed,
        "memory_limit": args.memory_limit,
        "command": shlex.join(["python", "-m", "benchmarks.text_scoring", *argv]),
        "landing_note": f"existing folder {landing}" if args.landing else "generated",
    }
    document: dict = {"meta": meta}
    bars = StageProgress(args.scale, 1)
    airflow_home = work / "airflow_home"  # the ingest-sources helper imports Airflow
    try:
        if not args.landing:
            shutil.rmtree(landing, ignore_errors=True)
            command = [str(BIN / "python"), "-m", "demo_data", "--out", str(landing), "--scale", f"{args.scale:g}"]
            env = paths_env(landing, run_dir / "stages", args.scale, args.memory_limit, airflow_home)
            generate = measure([*command, "--seed", str(args.seed)], env, run_dir / "logs" / "generate.log")
            document["generate"] = {**generate, "rows": generated_records(landing)}
        env = paths_env(landing, run_dir / "stages", args.scale, args.memory_limit, airflow_home)
        warehouse = Path(env["OUTCOMES_WAREHOUSE_PATH"])
        target = warehouse.parent / "dbt_target"  # PipelinePaths.dbt_target_dir: where the dbt stage writes
        sources = helper("sources", env, run_dir / "reports" / "sources.json")["sources"]
        document["load_average_1min_before_build"] = round(os.getloadavg()[0], 2)
        stages = run_stages(env, run_dir, sources, bars, 1, ("ingest", "dbt"))
        document["load_average_1min_after_build"] = round(os.getloadavg()[0], 2)
        document["ingest"], document["dbt_stage"] = stages["ingest"], stages["dbt"]
        shutil.copyfile(target / "run_results.json", run_dir / "reports" / "build_run_results.json")
        document["build"] = build_figures(node_times(target / "run_results.json"))
        document["counts"] = count_scored(warehouse)
        dbt_env = {
            **env,
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
        document["reruns"] = [rerun(dbt_env, target, run_dir, number) for number in range(1, args.runs + 1)]
        if count_scored(warehouse) != document["counts"]:
            raise BenchFailed("the re-run scoring node scored a different number of messages than the build")
        document["disk_bytes"] = {"landing": folder_bytes(landing), "warehouse": folder_bytes(warehouse.parent)}
    finally:
        bars.close()
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
            shutil.rmtree(airflow_home, ignore_errors=True)
            if not args.landing:
                shutil.rmtree(landing, ignore_errors=True)
            if work.is_dir() and not any(work.iterdir()):
                work.rmdir()
    document["summary"] = summarize(document)
    text = markdown(document)
    json_path = args.json or args.markdown.with_suffix(".json")
    for path, content in ((args.markdown, text), (json_path, json.dumps(document, indent=2))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return document, text


def main(argv: list[str] | None = None) -> int:
    try:
        _, text = run(list(sys.argv[1:] if argv is None else argv))
    except BenchFailed as failure:
        print(f"Benchmark failed: {failure}", file=sys.stderr)
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
