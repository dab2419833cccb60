"""Wall time of the mart gate (`mart_gate.run_mart_gate`) on an existing warehouse, as the median of several runs.

Usage: python -m benchmarks.mart_gate_time WAREHOUSE.duckdb [--runs 3]
Each run writes its Data Docs to a fresh temporary reports folder; freshness is off (the warehouse may be old).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["OUTCOMES_WAREHOUSE_PATH"] = str(args.warehouse.resolve())
    os.environ["OUTCOMES_FRESHNESS"] = "off"
    from pipeline.quality import mart_gate
    from pipeline.settings import load_paths

    timings = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as reports:
            os.environ["OUTCOMES_REPORTS_DIR"] = reports
            started = time.perf_counter()
            report = mart_gate.run_mart_gate(load_paths())
            timings.append(time.perf_counter() - started)
    print(f"{len(report.outcomes)} suites, wall s per run: {[round(t, 2) for t in timings]}")
    print(f"median {statistics.median(timings):.2f} s")


if __name__ == "__main__":
    main()
