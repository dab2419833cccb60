"""Every cost target of the incremental-cost work in one table, from the JSON the harnesses wrote.

    python -m benchmarks.targets [--incremental incremental_cost.json ...] [--pipeline pipeline_bench.json]
        [--small-run small_run.json] [--dbt-overhead dbt_overhead.json] [--markdown OUT]

Targets (issue 18; ratios are measured within one run of a harness, never across runs):
- benchmarks.incremental_cost at scale 10: a 1% increment at most 10% of a full run, a 0.1% increment at most 5%,
  and the marts equal to a full rebuild after each (any scale given is shown; the target applies to scale 10);
- benchmarks.small_run: `make run DATA=` on a 5,000-record export at most 60 s wall (environment and Airflow
  metadata present);
- benchmarks.pipeline_bench at scale 10: the pipeline's stages together at most 4x the lower bound (the headline
  KPIs in one DuckDB script), same run;
- benchmarks.dbt_overhead: the transform DAG at most 1.15x one plain `dbt build` of the same project.
A harness not given is a row saying "not measured". Exit status 0 whatever the verdicts: this reports, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

INCREMENT_TARGETS = {"0.01": 0.10, "0.001": 0.05}
SMALL_RUN_TARGET_S = 60.0
LOWER_BOUND_TARGET = 4.0
LOWER_BOUND_RATIO = "stage_sum/lower_bound"
DBT_OVERHEAD_TARGET = 1.15
DBT_OVERHEAD_RATIO = "watcher/plain"
TARGET_SCALE = 10.0


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= limit else "**missed**"


def landing_scale(landing: str) -> float | None:
    match = re.search(r"scale([0-9.]+)", landing)
    return float(match.group(1)) if match else None


def incremental_rows(report: dict, source: str) -> list[list[str]]:
    scale = landing_scale(report.get("landing", ""))
    where = f"scale {scale:g}" if scale is not None else report.get("landing", "?")
    full = report["full"]["summary"]["total"]["wall_s"]["median"]
    rows = []
    for fraction, limit in INCREMENT_TARGETS.items():
        entry = report.get("increments", {}).get(fraction)
        if entry is None:
            rows.append(
                [f"{float(fraction):.1%} increment / full run, {where}", f"<= {limit:.0%}", "-", "not measured", source]
            )
            continue
        ratio = entry["ratio_wall"]["total"]
        increment = entry["summary"]["total"]["wall_s"]["median"]
        measured = f"{ratio:.1%} ({increment:.1f} s / {full:.1f} s, median of {report['runs']})"
        rows.append(
            [
                f"{float(fraction):.1%} increment / full run, {where}",
                f"<= {limit:.0%}",
                measured,
                verdict(ratio, limit),
                source,
            ]
        )
        comparison = entry.get("comparison", {})
        tables = comparison.get("tables", {})
        equal = sum(1 for table in tables.values() if table.get("equal"))
        rows.append(
            [
                f"marts equal a full rebuild after {float(fraction):.1%}, {where}",
                "all equal",
                f"{equal} of {len(tables)} tables equal"
                + (f", missing {comparison['missing']}" if comparison.get("missing") else ""),
                "met" if comparison.get("equal") else "**missed**",
                source,
            ]
        )
    return rows


def small_run_rows(report: dict, source: str) -> list[list[str]]:
    walls = [run["wall_s"] for run in report.get("runs", []) if run.get("counted", True) and "wall_s" in run]
    if not walls:
        return [["`make run DATA=` 5,000 records", f"<= {SMALL_RUN_TARGET_S:.0f} s", "-", "not measured", source]]
    median = statistics.median(walls)
    measured = f"{median:.1f} s (median of {len(walls)}, {min(walls):.1f}-{max(walls):.1f})"
    return [
        [
            "`make run DATA=` 5,000 records",
            f"<= {SMALL_RUN_TARGET_S:.0f} s",
            measured,
            verdict(median, SMALL_RUN_TARGET_S),
            source,
        ]
    ]


def pipeline_rows(report: dict, source: str) -> list[list[str]]:
    rows = []
    for result in report.get("scales", []):
        ratios = [
            run["ratios"][LOWER_BOUND_RATIO]
            for run in result.get("runs", [])
            if LOWER_BOUND_RATIO in run.get("ratios", {})
        ]
        if not ratios:
            continue
        median = statistics.median(ratios)
        limit = LOWER_BOUND_TARGET if result["scale"] == TARGET_SCALE else None
        rows.append(
            [
                f"full run (sum of stages) / lower bound, scale {result['scale']:g}",
                f"<= {LOWER_BOUND_TARGET:g}x" + ("" if limit else " (at scale 10)"),
                f"{median:.2f}x (median of {len(ratios)}, {min(ratios):.2f}-{max(ratios):.2f})",
                verdict(median, LOWER_BOUND_TARGET) if limit else "shown",
                source,
            ]
        )
    return rows or [["full run / lower bound, scale 10", f"<= {LOWER_BOUND_TARGET:g}x", "-", "not measured", source]]


def dbt_overhead_rows(report: dict, source: str) -> list[list[str]]:
    pair = report.get("ratios", {}).get(DBT_OVERHEAD_RATIO, {}).get("wall_s")
    if not pair:
        return [["transform DAG / one plain `dbt build`", f"<= {DBT_OVERHEAD_TARGET}x", "-", "not measured", source]]
    ratio = pair["ratio_of_medians"]
    measured = (
        f"{ratio:.2f}x ({pair['min']:.2f}-{pair['max']:.2f}; {report.get('data', '')}, {report.get('runs')} runs)"
    )
    return [
        [
            "transform DAG / one plain `dbt build`",
            f"<= {DBT_OVERHEAD_TARGET}x",
            measured,
            verdict(ratio, DBT_OVERHEAD_TARGET),
            source,
        ]
    ]


def table(rows: list[list[str]]) -> str:
    lines = ["| target | limit | measured | verdict | from |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def build_rows(args: argparse.Namespace) -> list[list[str]]:
    def load(path: Path | None) -> tuple[dict | None, str]:
        if path is None or not path.is_file():
            return None, f"`{path}` (missing)" if path else "not run"
        return json.loads(path.read_text()), f"`{path.name}`"

    rows: list[list[str]] = []
    for path in args.incremental or [None]:
        report, source = load(path)
        rows += (
            incremental_rows(report, source)
            if report
            else [["increments / full run", "<= 10% (1%), <= 5% (0.1%)", "-", "not measured", source]]
        )
    for loader, path in (
        (small_run_rows, args.small_run),
        (pipeline_rows, args.pipeline),
        (dbt_overhead_rows, args.dbt_overhead),
    ):
        report, source = load(path)
        rows += loader(report, source) if report else loader({}, source)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--incremental", type=Path, action="append", help="benchmarks.incremental_cost JSON (repeatable)"
    )
    parser.add_argument("--small-run", type=Path, help="benchmarks.small_run JSON")
    parser.add_argument("--pipeline", type=Path, help="benchmarks.pipeline_bench JSON")
    parser.add_argument("--dbt-overhead", type=Path, help="benchmarks.dbt_overhead JSON")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    text = table(build_rows(args))
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
