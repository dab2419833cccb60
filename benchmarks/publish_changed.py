"""Mart gate and publish on an increment, one code tree against another (before/after a change), interleaved.

    python -m benchmarks.publish_changed --full ROOT_FULL --increment ROOT_INCREMENT --landing LANDING \\
        --code before=/path/to/old/tree --code after=. --rounds 3 --work /tmp/publish_changed
    (or --change-sql "delete from marts.x where ..." instead of --increment: one mart changed on the full warehouse)

ROOT_FULL and ROOT_INCREMENT are run folders kept by `python -m benchmarks.incremental_cost --keep` (each with
warehouse/). For each code tree, once: the full run's warehouse is gated and published with that tree (untimed), so
the current release is one that tree wrote. Then, each round and tree in turn: a copy of that prepared folder gets
the increment's warehouse and dbt manifest, and the mart gate and publish run as the incremental harness runs them
(`python -m benchmarks.incremental_cost --stage ...`, its OUTCOMES_* settings, one process each, os.wait4), with the
tree's code. Prints and writes the medians (wall and CPU seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.incremental_cost import stage_env

STAGES = ("gate_marts", "publish")


def run_stage(code: Path, stage: str, root: Path, landing: Path) -> dict:
    env = stage_env(root, landing)
    env["PYTHONPATH"] = str(code)
    report = root / f"{stage}.json"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.incremental_cost", "--stage", stage, "--report", str(report)]
    with open(root / f"{stage}.log", "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=code, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{stage} failed with {code} in {root}; see {root / f'{stage}.log'}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}


def prepare(code: Path, full: Path, landing: Path, target: Path) -> None:
    """The full run's warehouse, gated and published by `code`."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(full / "warehouse", target / "warehouse")
    for stage in STAGES:
        run_stage(code, stage, target, landing)


def one_round(
    code: Path, prepared: Path, increment: Path | None, landing: Path, target: Path, change_sql: str | None
) -> dict:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(prepared, target, symlinks=True)
    if increment is not None:
        shutil.copyfile(increment / "warehouse" / "outcomes.duckdb", target / "warehouse" / "outcomes.duckdb")
        manifest = increment / "warehouse" / "dbt_target" / "manifest.json"
        if manifest.exists():
            shutil.copyfile(manifest, target / "warehouse" / "dbt_target" / "manifest.json")
    if change_sql:
        with duckdb.connect(str(target / "warehouse" / "outcomes.duckdb")) as connection:
            connection.execute(change_sql)
    return {stage: run_stage(code, stage, target, landing) for stage in STAGES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", type=Path, required=True)
    parser.add_argument("--increment", type=Path, help="the increment's run folder (default: the full warehouse)")
    parser.add_argument("--change-sql", help="SQL run on the warehouse of each round, e.g. to change one mart")
    parser.add_argument("--landing", type=Path, required=True, help="the increment's landing folder (for the as-of)")
    parser.add_argument("--code", action="append", required=True, help="NAME=PATH of a code tree")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/publish_changed"))
    parser.add_argument("--keep-prepared", action="store_true", help="reuse the prepared folders of an earlier run")
    args = parser.parse_args(argv)
    trees = {name: Path(path).resolve() for name, path in (item.split("=", 1) for item in args.code)}
    for name, code in trees.items():
        if args.keep_prepared and (args.work / f"prepared_{name}").exists():
            continue
        print(f"preparing {name} ...", flush=True)
        prepare(code, args.full.resolve(), args.landing.resolve(), args.work / f"prepared_{name}")
    results: dict[str, list[dict]] = {name: [] for name in trees}
    increment, landing = args.increment.resolve() if args.increment else None, args.landing.resolve()
    for round_index in range(args.rounds):
        for name, code in trees.items():
            prepared = args.work / f"prepared_{name}"
            measured = one_round(code, prepared, increment, landing, args.work / "run", args.change_sql)
            results[name].append(measured)
            print(f"round {round_index + 1} {name}: {json.dumps(measured)}", flush=True)
    medians = {
        name: {
            stage: {key: statistics.median(run[stage][key] for run in runs) for key in ("wall_s", "cpu_s")}
            for stage in STAGES
        }
        for name, runs in results.items()
    }
    (args.work / "results.json").write_text(json.dumps({"runs": results, "medians": medians}, indent=2))
    print(json.dumps(medians, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
