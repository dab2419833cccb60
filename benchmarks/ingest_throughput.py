"""Ingest throughput against DuckDB's own readers on the same landing files, in the same run.

Baseline: for every entity, `CREATE TABLE ... AS` DuckDB's `read_json` (records unnested from their pages) or
`read_csv` of its files, with DuckDB's defaults: auto-detected schema, no validation, no quarantine, no ledger.
Measured: `ingest.load_landing` into an empty warehouse (contract checks, quarantine, duplicate skipping, ledger and
audit). The two alternate in each run; medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import ingest
from ingest.entity import CsvRows
from ingest.registry import ENTITIES
from ingest.sql import quote_literal

NON_STRICT = "union_by_name=true, strict_mode=false, ignore_errors=true"


def bare_duckdb(landing: Path, warehouse: Path) -> int:
    rows = 0
    with duckdb.connect(str(warehouse)) as con:
        for entity in ENTITIES:
            files = [str(path) for path in entity.files(landing)]
            if not files:
                continue
            listed = "[" + ", ".join(quote_literal(path) for path in files) + "]"
            if isinstance(entity.source, CsvRows):
                select = f"SELECT * FROM read_csv({listed}, union_by_name=true)"
            else:
                options = f"format={quote_literal(entity.source.json_format)}"
                reader = f"read_json({listed}, union_by_name=true, {options})"
                path = ".".join(entity.source.array_path)
                select = f"SELECT unnest({path}) AS record FROM {reader}" if path else f"SELECT * FROM {reader}"
            try:
                con.execute(f"CREATE TABLE {entity.table} AS {select}")
            except duckdb.InvalidInputException:
                # Real exports DuckDB's strict CSV parser refuses (twcs: bare carriage returns in text) are read
                # non-strictly, skipping lines it cannot parse, so the baseline still reads every file
                # (its record count then differs).
                con.execute(f"CREATE TABLE {entity.table} AS {select.replace('union_by_name=true', NON_STRICT)}")
            rows += con.execute(f"SELECT count(*) FROM {entity.table}").fetchone()[0]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, default=Path("landing"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    megabytes = sum(path.stat().st_size for entity in ENTITIES for path in entity.files(args.landing)) / 2**20
    bare, ours = [], []
    for _ in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
        started = time.perf_counter()
        bare_rows = bare_duckdb(args.landing, work / "bare.duckdb")
        bare.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = ingest.load_landing(args.landing, work / "ours.duckdb")
        ours.append(time.perf_counter() - started)
        shutil.rmtree(work)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    bare_s, ours_s = statistics.median(bare), statistics.median(ours)
    print(f"### Ingest throughput vs DuckDB's own readers ({args.runs} runs each, alternating; commit {commit})")
    print()
    print(f"- landing: {args.landing} ({megabytes:.0f} MiB of page / line / CSV files)")
    print(f"- command: `python -m benchmarks.ingest_throughput --landing {args.landing} --runs {args.runs}`")
    print()
    print("| loader | wall s, median (min-max) | records read | records/s |")
    print("|---|---|---|---|")
    print(
        f"| DuckDB read_json / read_csv, no checks | {bare_s:.1f} ({min(bare):.1f}-{max(bare):.1f}) | {bare_rows:,} "
        f"| {bare_rows / bare_s:,.0f} |"
    )
    print(
        f"| ingest.load_landing | {ours_s:.1f} ({min(ours):.1f}-{max(ours):.1f}) | {report.rows_read:,} "
        f"| {report.rows_read / ours_s:,.0f} |"
    )
    print()
    print(f"ingest runs at {bare_s / ours_s:.2f}x the speed of the bare readers (same files, same run).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
