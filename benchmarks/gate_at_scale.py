"""The mart quality gate on the largest mart at a multiple of its size: is GX's SQL route fit for scale 10?

Copies a built warehouse, replicates marts.fct_interactions `--factor` times (keys made distinct), then runs the
fct_interactions suite from expectations/marts.yml (keys, allowed values, row count) in a fresh process per run and
reports its wall time and peak resident memory. Medians of `--runs`.

    python -m benchmarks.gate_at_scale --warehouse warehouse/outcomes.duckdb --factor 10 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipeline import quality_gate, suites


def replicate(source: Path, target: Path, factor: int) -> int:
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as connection:
        connection.execute(
            "create table marts.replicated as select * replace (interaction_key || '#' || copy as interaction_key)"
            f" from marts.fct_interactions, range({factor}) copies(copy)"
        )
        connection.execute("drop table marts.fct_interactions")
        connection.execute("alter table marts.replicated rename to fct_interactions")
        return connection.execute("select count(*) from marts.fct_interactions").fetchone()[0]


def validate_once(warehouse: Path, docs: Path) -> dict:
    suite = [suite for suite in suites.mart_suites(None, {}) if suite.table == "fct_interactions"]
    started = time.perf_counter()
    outcome = quality_gate.validate(suite, warehouse, docs)[0]
    return {
        "success": outcome.success,
        "rows": outcome.rows,
        "seconds": time.perf_counter() - started,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, default=Path("warehouse/outcomes.duckdb"))
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(validate_once(args.child, args.child.parent / "docs")))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        warehouse = Path(scratch) / "replicated.duckdb"
        rows = replicate(args.warehouse, warehouse, args.factor)
        runs = []
        for _ in range(args.runs):
            child = [sys.executable, "-m", "benchmarks.gate_at_scale", "--child", str(warehouse)]
            output = subprocess.run(child, capture_output=True, text=True, check=True).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
    assert all(run["success"] for run in runs), runs
    seconds = [run["seconds"] for run in runs]
    peaks = [run["peak_mib"] for run in runs]
    print(f"fct_interactions x{args.factor}: {rows:,} rows, {args.runs} runs")
    print(f"  gate wall s   median {statistics.median(seconds):.1f} (min {min(seconds):.1f}, max {max(seconds):.1f})")
    print(f"  peak RSS MiB  median {statistics.median(peaks):.0f} (min {min(peaks):.0f}, max {max(peaks):.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
