"""Lower bound of the benchmark: the headline KPIs from one hand-written DuckDB script on the landed files.

benchmarks/lower_bound.sql reads the landing folder with DuckDB's own readers and computes first response and SLA
attainment per team, weekly topic volume, channel mix and influenced revenue with the marts' definitions; no ingest,
no dbt, no orchestration. Each run uses a fresh in-memory connection (DuckDB's default threads) and measures wall
time, CPU time of the process (all threads) and peak RSS.

    python -m benchmarks.lower_bound --landing DIR [--runs N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_suffix(".sql")
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
RESULT_TABLES = ("lb_first_response_by_team", "lb_weekly_topic_volume", "lb_channel_mix", "lb_influenced_revenue")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak RSS of this process (Linux: 5 > /proc/self/clear_refs); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _proc_status_bytes(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _peak_rss_bytes() -> int:
    peak = _proc_status_bytes("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _current_rss_bytes() -> int:
    return _proc_status_bytes("VmRSS") or psutil.Process().memory_info().rss


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def run_lower_bound(landing: Path, seeds: Path = SEEDS) -> dict:
    """Run the script once on `landing` in a fresh in-memory DuckDB connection.

    Returns wall_seconds, cpu_seconds (this process, all threads), peak_rss_bytes (the process's peak during this
    run when the kernel lets the peak be reset, else since the process started: `peak_rss_scope`), rss_before_bytes
    (the process before the run: Python and the imported modules), and `results`: each result table's rows as dicts
    (decimals as floats, dates as ISO text)."""
    landing = Path(landing).resolve()
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder not found: {landing}")
    script = SCRIPT.read_text()
    per_run = _reset_peak_rss()
    rss_before = _current_rss_bytes()
    cpu_before, started = _cpu_seconds(), time.perf_counter()
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"set variable landing = {_literal(str(landing))}")
        con.execute(f"set variable seeds = {_literal(str(Path(seeds).resolve()))}")
        con.execute(script)
        wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
        peak = _peak_rss_bytes()
        results = {}
        for table in RESULT_TABLES:
            cursor = con.execute(f"select * from {table}")
            names = [column[0] for column in cursor.description]
            results[table] = [dict(zip(names, map(_plain, row), strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return {
        "landing": str(landing),
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_bytes": peak,
        "peak_rss_scope": "run" if per_run else "process",
        "rss_before_bytes": rss_before,
        "results": results,
    }


def _spread(values: list[float], scale: float = 1.0) -> str:
    """Median (min-max)."""
    scaled = [value / scale for value in values]
    return f"{statistics.median(scaled):.2f} ({min(scaled):.2f}-{max(scaled):.2f})"


def _ratio(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def summary(results: dict) -> str:
    """The headline KPIs of one run as text: the team table whole, the others rolled up over the period."""
    lines = ["first response and SLA by team and channel:"]
    lines.append(f"  {'team':<20}{'channel':<11}{'convs':>7}{'median min':>12}{'p90 min':>10}{'SLA met':>9}")
    for row in results["lb_first_response_by_team"]:
        median = row["median_first_response_minutes"]
        p90 = row["p90_first_response_minutes"]
        lines.append(
            f"  {row['team']:<20}{row['channel']:<11}{row['conversations']:>7}"
            f"{'-' if median is None else f'{median:.1f}':>12}{'-' if p90 is None else f'{p90:.1f}':>10}"
            f"{row['sla_attainment_rate']:>9.1%}"
        )
    volume: dict[str, int] = defaultdict(int)
    hot: dict[str, list[str]] = defaultdict(list)
    for row in results["lb_weekly_topic_volume"]:
        volume[row["topic"]] += row["interactions"]
        if row["is_hot_button"]:
            hot[row["topic"]].append(row["week_start"])
    weeks = len({row["week_start"] for row in results["lb_weekly_topic_volume"]})
    lines.append(f"topic volume over {weeks} weeks (hot-button weeks):")
    for topic, count in sorted(volume.items(), key=lambda item: -item[1]):
        lines.append(f"  {topic:<20}{count:>9}  {', '.join(hot[topic]) or '-'}")
    mix: dict[str, int] = defaultdict(int)
    for row in results["lb_channel_mix"]:
        mix[row["channel_group"]] += row["interactions"]
    total = sum(mix.values())
    lines.append("channel mix (inbound interactions, whole period):")
    for group, count in sorted(mix.items(), key=lambda item: -item[1]):
        lines.append(f"  {group:<20}{count:>9}{count / total:>8.1%}")
    lines.append("influenced revenue (closed won, whole period):")
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in results["lb_influenced_revenue"]:
        for key in ("won_amount", "influenced_won_amount", "engaged_closed", "engaged_won"):
            totals[row["currency"]][key] += row[key]
        for key in ("not_engaged_closed", "not_engaged_won"):
            totals[row["currency"]][key] += row[key]
    for currency, sums in sorted(totals.items()):
        lines.append(
            f"  {currency}: won {sums['won_amount']:,.2f}, influenced {sums['influenced_won_amount']:,.2f} "
            f"({_ratio(sums['influenced_won_amount'], sums['won_amount'])}); win rate engaged "
            f"{_ratio(sums['engaged_won'], sums['engaged_closed'])} vs not engaged "
            f"{_ratio(sums['not_engaged_won'], sums['not_engaged_closed'])}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lower_bound", description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True, help="landing folder (python -m demo_data --out DIR)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write timings and KPI rows of every run here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    runs = [run_lower_bound(args.landing) for _ in range(args.runs)]
    size = sum(path.stat().st_size for path in Path(args.landing).rglob("*") if path.is_file())
    print(f"lower bound: {SCRIPT.relative_to(PROJECT_ROOT)} on {args.landing} ({size / 2**20:.0f} MiB of files)")
    print(f"{args.runs} runs, median (min-max):")
    print(f"  wall s        {_spread([run['wall_seconds'] for run in runs])}")
    print(f"  cpu s         {_spread([run['cpu_seconds'] for run in runs])}")
    print(f"  peak RSS MiB  {_spread([run['peak_rss_bytes'] for run in runs], scale=2**20)}", end=" ")
    print(f"(RSS before the run: {_spread([run['rss_before_bytes'] for run in runs], scale=2**20)})")
    print(summary(runs[-1]["results"]))
    if args.json:
        timings = [{key: value for key, value in run.items() if key != "results"} for run in runs]
        payload = {"script": str(SCRIPT.relative_to(PROJECT_ROOT)), "runs": timings, "results": runs[-1]["results"]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
