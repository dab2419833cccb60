"""Incremental cost (issue 8, point 4): after a full run, land 0.1 % and 1 % new and changed records and rerun; the
incremental time against the full time, and whether the marts equal a full rebuild.

    python -m benchmarks.incremental_cost (--landing DIR | --scale S) [--seed N] [--fractions 0.001,0.01]
        [--runs 3] [--json OUT] [--work DIR] [--window-days 3] [--crm snapshot|api] [--keep]

For each run: a full run on a fresh warehouse (stages ingest, source quality gate, dbt build, mart quality gate,
publish: what pipeline/tasks.py calls, without Airflow); then for each fraction, on a copy of that run's built
warehouse folder (warehouse, quality history, dbt target), the same stages on the landing plus the increment
(benchmarks/increment.py, landed once per fraction into a hard-linked copy of the landing, not measured). Once per
fraction (first run): a full rebuild from scratch (ingest + dbt build) on landing plus increment, and every table of
schema `marts` compared between the incremental warehouse and the rebuild.

Measuring: every stage runs in its own process (`python -m benchmarks.incremental_cost --stage NAME`, a fresh
interpreter; paths from OUTCOMES_* as in pipeline/settings.py); this parent measures it with os.wait4: wall time,
CPU (user + system of the process and the children it waited for, e.g. the dbt subprocess), and peak RSS (ru_maxrss:
the largest single process of the stage's tree). Ingest is one load_landing call for every source (the ingest DAGs
make one per source).

Comparison: rows are compared as multisets (EXCEPT ALL both ways). DOUBLE and REAL values are compared to 12
significant digits (sums over rows in a different order differ in the last bits), and below 1e-12 in magnitude as 0;
a table that differs is compared again to 11 digits, so a last-bit difference that happens to straddle a 12-digit
rounding boundary is not reported. dim_accounts / dim_contacts (type 2, from snapshots) are compared on their
current versions without valid_from, valid_to and the *_version_key column: an incremental run closes the old
version of a changed record, a rebuild has only the latest. Any difference is printed loudly and the exit status is 1
(also for a failed stage).

Output: a text summary (stdout) and JSON (--json, default <work>/incremental_cost.json): per stage and total, the
median (min-max) over runs of the full run and of each increment, the ratio incremental / full (targets at scale 10,
benchmarks/targets.py: a 1 % increment at most 10 % of a full run, a 0.1 % increment at most 5 %), what the increment
held, what dbt spent its time on in the incremental run (run_results.json: the slowest nodes, incremental models
against tables rebuilt in full), and the comparison.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import duckdb

from benchmarks.targets import INCREMENT_TARGETS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODULE = "benchmarks.incremental_cost"
DEFAULT_WORK = PROJECT_ROOT / "reports" / "bench" / "incremental_cost"
STAGES = ("ingest", "gate_sources", "dbt", "gate_marts", "publish")
REBUILD_STAGES = ("ingest", "dbt")
TELEMETRY_OFF = {
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
}
# Type-2 dimensions: compared on current versions, without the columns that record when a version was valid.
VERSIONED = {"dim_accounts": "account_version_key", "dim_contacts": "contact_version_key"}
VALIDITY_COLUMNS = ("valid_from", "valid_to")
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
# Below this magnitude a float counts as 0: a sum that cancels out is 0 in one order and 1e-17 in another.
FLOAT_ZERO = 1e-12
MIB = 2**20


# ---------------------------------------------------------------------------------------------------------------
# One stage, in this (child) process


def run_stage_here(stage: str) -> dict:
    """Run one pipeline stage as pipeline/tasks.py does (paths from OUTCOMES_*); returns a short report."""
    from pipeline.settings import load_paths

    paths = load_paths()
    if stage == "ingest":
        import ingest

        report = ingest.load_landing(paths.landing_dir, paths.warehouse_path, sources_config=paths.sources_config_path)
        return {"totals": report.to_dict()["totals"]}
    if stage in ("gate_sources", "gate_marts"):
        from pipeline import quality_gate
        from pipeline.quality import mart_gate

        gate = quality_gate.run_source_gate if stage == "gate_sources" else mart_gate.run_mart_gate
        report = gate(paths).to_dict()
        return {"suites": len(report.get("suites", [])), "success": report.get("success")}
    if stage == "dbt":
        from pipeline import dbt_build

        return dbt_build.build(paths).to_dict()
    if stage == "publish":
        from pipeline import publish

        return {"tables": len(publish.publish(paths).to_dict()["tables"])}
    raise ValueError(f"unknown stage {stage}")


def stage_main(stage: str, report_path: Path) -> int:
    started = time.perf_counter()
    try:
        result = run_stage_here(stage)
    except Exception as exc:
        print(f"STAGE FAILED: {type(exc).__name__}: {exc}", flush=True)
        print_failed_suites(stage)
        return 1
    result["seconds_inside"] = round(time.perf_counter() - started, 3)
    report_path.write_text(json.dumps(result, default=str))
    return 0


def print_failed_suites(stage: str) -> None:
    """The failed expectations of a quality gate stage, from the report it wrote before raising."""
    if stage not in ("gate_sources", "gate_marts"):
        return
    from pipeline.settings import load_paths

    path = load_paths().reports_dir / "quality" / f"gate_{stage.removeprefix('gate_')}.json"
    if path.exists():
        for suite in json.loads(path.read_text()).get("suites", []):
            if not suite.get("success"):
                print(
                    f"STAGE FAILED: suite {suite.get('suite')} (batch {suite.get('batch_id')}): {suite.get('failed')}"
                )


# ---------------------------------------------------------------------------------------------------------------
# Measuring a stage process from the parent


def stage_env(root: Path, landing: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OUTCOMES_") or key in KEPT_ENV}
    env.update(TELEMETRY_OFF)
    env.update(
        OUTCOMES_LANDING_DIR=str(landing),
        OUTCOMES_WAREHOUSE_PATH=str(root / "warehouse" / "outcomes.duckdb"),
        OUTCOMES_SERVING_PATH=str(root / "serving" / "outcomes.duckdb"),
        OUTCOMES_REPORTS_DIR=str(root / "reports"),
    )
    as_of = demo_as_of(landing)
    if as_of and "OUTCOMES_AS_OF" not in os.environ:
        env["OUTCOMES_AS_OF"] = as_of
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    return env


# Settings a caller may give every stage (memory cap, freshness, as-of time, sources config).
KEPT_ENV = (
    "OUTCOMES_DUCKDB_MEMORY_LIMIT",
    "OUTCOMES_AS_OF",
    "OUTCOMES_FRESHNESS",
    "OUTCOMES_FRESHNESS_MAX_AGE_DAYS",
    "OUTCOMES_SOURCES_CONFIG",
)


def demo_as_of(landing: Path) -> str | None:
    """Demo data covers fixed dates: freshness is measured as of the day after the manifest's last day (as
    `make run` and the tests do). None for a landing folder without a demo manifest."""
    manifest = landing / "manifest.json"
    if not manifest.exists():
        return None
    end = json.loads(manifest.read_text()).get("end")
    return f"{date.fromisoformat(end) + timedelta(days=1)}T00:00:00" if end else None


def measure_stage(stage: str, root: Path, landing: Path) -> dict:
    """Run `stage` in a fresh interpreter and measure it with os.wait4."""
    logs = root / "bench_logs"
    logs.mkdir(parents=True, exist_ok=True)
    report_path = logs / f"{stage}.json"
    report_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", MODULE, "--stage", stage, "--report", str(report_path)]
    with open(logs / f"{stage}.log", "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=stage_env(root, landing), cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_mib": round(usage.ru_maxrss * 1024 / MIB, 1),
        "ok": process.returncode == 0,
    }
    if report_path.exists():
        result["report"] = json.loads(report_path.read_text())
    if process.returncode != 0:
        lines = (logs / f"{stage}.log").read_text(errors="replace").splitlines()
        failed = [line for line in lines if line.startswith("STAGE FAILED")]
        tail = failed or [line for line in lines if "leaked" not in line and "nanobind" not in line][-25:]
        result["error_tail"] = tail
        print(
            f"\n!!! stage {stage} FAILED in {root} (exit {process.returncode}); log {logs / f'{stage}.log'}:",
            flush=True,
        )
        print("\n".join(tail), flush=True)
    return result


def run_stages(root: Path, landing: Path, stages: tuple[str, ...], label: str) -> dict:
    results = {}
    for stage in stages:
        print(f"  {label}: {stage} ...", end="", flush=True)
        results[stage] = measure_stage(stage, root, landing)
        print(f" {results[stage]['wall_s']:.1f} s{'' if results[stage]['ok'] else ' FAILED'}", flush=True)
    results["total"] = {key: round(sum(results[stage][key] for stage in stages), 3) for key in ("wall_s", "cpu_s")} | {
        "max_rss_mib": max(results[stage]["max_rss_mib"] for stage in stages)
    }
    results["total"]["ok"] = all(results[stage]["ok"] for stage in stages)
    return results


def copy_built(source_root: Path, target_root: Path) -> None:
    """The built warehouse folder (warehouse, quality history, dbt target) and the serving releases of a finished run,
    for the next run (publish reuses the current release's unchanged marts; `current` is a relative symlink)."""
    if target_root.exists():
        shutil.rmtree(target_root)
    shutil.copytree(source_root / "warehouse", target_root / "warehouse")
    if (source_root / "serving").exists():
        shutil.copytree(source_root / "serving", target_root / "serving", symlinks=True)


def link_landing(source: Path, target: Path) -> None:
    """A copy of the landing folder made of hard links (instant; the increment writes new files and replaces the
    CRM snapshots by rename, so the source is never changed)."""
    if target.exists():
        shutil.rmtree(target)
    try:
        shutil.copytree(source, target, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


# ---------------------------------------------------------------------------------------------------------------
# Comparing the marts of two warehouses


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mart_columns(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    rows = connection.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = 'marts' ORDER BY table_name, ordinal_position",
        [catalog],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in rows:
        tables.setdefault(table, []).append((column, type_))
    return tables


def _compared(table: str, columns: list[tuple[str, str]], digits: int) -> tuple[str, str]:
    """(select list, where clause) of the values compared in `table`, floats to `digits` significant digits."""
    excluded = set(VALIDITY_COLUMNS) | {VERSIONED[table]} if table in VERSIONED else set()
    select = [
        f"printf('%.{digits - 1}e', CASE WHEN abs({_quote(name)}) < {FLOAT_ZERO} THEN 0 ELSE {_quote(name)} END) "
        f"AS {_quote(name)}"
        if type_.upper() in FLOAT_TYPES
        else _quote(name)
        for name, type_ in columns
        if name not in excluded
    ]
    return ", ".join(select), "valid_to IS NULL" if table in VERSIONED else "true"


def _differences(connection: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], digits: int):
    """Temp tables only_incremental / only_rebuild (rows one side has and the other lacks); their row counts."""
    select, where = _compared(table, columns, digits)
    sides = {"incremental": f"incremental.marts.{_quote(table)}", "rebuild": f"rebuild.marts.{_quote(table)}"}
    counts = []
    for side, other in (("incremental", "rebuild"), ("rebuild", "incremental")):
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE only_{side} AS SELECT {select} FROM {sides[side]} WHERE {where} "
            f"EXCEPT ALL SELECT {select} FROM {sides[other]} WHERE {where}"
        )
        counts.append(connection.execute(f"SELECT count(*) FROM only_{side}").fetchone()[0])
    return counts


def compare_table(connection: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]]) -> dict:
    """Rows of `incremental.marts.<table>` and `rebuild.marts.<table>` that the other lacks (as multisets)."""
    digits = 12
    counts = _differences(connection, table, columns, digits)
    if any(counts) and any(type_.upper() in FLOAT_TYPES for _, type_ in columns):
        # A last-bit difference may straddle a 12-digit rounding boundary; it cannot straddle an 11-digit one too.
        digits = 11
        counts = _differences(connection, table, columns, digits)
    rows = {
        side: connection.execute(f"SELECT count(*) FROM {side}.marts.{_quote(table)}").fetchone()[0]
        for side in ("incremental", "rebuild")
    }
    result = {
        "rows_incremental": rows["incremental"],
        "rows_rebuild": rows["rebuild"],
        "only_incremental": counts[0],
        "only_rebuild": counts[1],
        "equal": counts == [0, 0],
        "float_digits": digits,
    }
    if table in VERSIONED:
        result["closed_versions_incremental"] = connection.execute(
            f"SELECT count(*) FROM incremental.marts.{_quote(table)} WHERE valid_to IS NOT NULL"
        ).fetchone()[0]
    if not result["equal"]:
        result["examples_only_incremental"] = _examples(connection, "only_incremental")
        result["examples_only_rebuild"] = _examples(connection, "only_rebuild")
    return result


def _examples(connection: duckdb.DuckDBPyConnection, table: str, limit: int = 3) -> list[dict]:
    cursor = connection.execute(f"SELECT * FROM {table} LIMIT {limit}")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def compare_marts(incremental: Path, rebuild: Path) -> dict:
    """Every table of schema `marts` in both warehouses: {"equal": bool, "tables": {table: ...}, "missing": [...]}."""
    with duckdb.connect() as connection:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"ATTACH '{incremental}' AS incremental (READ_ONLY)")
        connection.execute(f"ATTACH '{rebuild}' AS rebuild (READ_ONLY)")
        left, right = mart_columns(connection, "incremental"), mart_columns(connection, "rebuild")
        tables, missing = {}, sorted(set(left) ^ set(right))
        for table in sorted(set(left) & set(right)):
            if left[table] != right[table]:
                tables[table] = {"equal": False, "columns_incremental": left[table], "columns_rebuild": right[table]}
                continue
            tables[table] = compare_table(connection, table, left[table])
    return {"equal": not missing and all(t["equal"] for t in tables.values()), "tables": tables, "missing": missing}


# ---------------------------------------------------------------------------------------------------------------
# What dbt spent its time on


def dbt_breakdown(root: Path, top: int = 8) -> dict:
    """From run_results.json: seconds by resource type, incremental models against tables, and the slowest nodes."""
    path = root / "warehouse" / "dbt_target" / "run_results.json"
    manifest_path = root / "warehouse" / "dbt_target" / "manifest.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())
    materialized = {}
    if manifest_path.exists():
        nodes = json.loads(manifest_path.read_text()).get("nodes", {})
        materialized = {uid: node.get("config", {}).get("materialized") for uid, node in nodes.items()}
    by_kind: dict[str, float] = {}
    for result in results["results"]:
        uid = result["unique_id"]
        kind = uid.split(".")[0]
        if kind == "model":
            kind = f"model ({materialized.get(uid) or '?'})"
        by_kind[kind] = round(by_kind.get(kind, 0.0) + result["execution_time"], 3)
    slowest = sorted(results["results"], key=lambda result: -result["execution_time"])[:top]
    return {
        "elapsed_s": round(results["elapsed_time"], 3),
        "seconds_by_kind": dict(sorted(by_kind.items(), key=lambda item: -item[1])),
        "slowest": [(result["unique_id"], round(result["execution_time"], 3)) for result in slowest],
    }


# ---------------------------------------------------------------------------------------------------------------
# The benchmark


def spread(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def summarize(runs: list[dict], stages: tuple[str, ...]) -> dict:
    return {
        stage: {key: spread([run[stage][key] for run in runs]) for key in ("wall_s", "cpu_s", "max_rss_mib")}
        for stage in (*stages, "total")
    }


def in_fresh_process(name: str, *args, **kwargs):
    """`benchmarks.<module>.<function>(*args)` in a spawned interpreter: DuckDB work (landing an increment, counting,
    comparing) would grow this parent, and a forked stage's ru_maxrss starts at the parent's RSS."""
    module, function = name.rsplit(".", 1)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_call, module, function, args, kwargs).result()


def _call(module: str, function: str, args: tuple, kwargs: dict):
    return getattr(importlib.import_module(module), function)(*args, **kwargs)


def raw_counts(warehouse: Path, tables: list[str]) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM raw.{_quote(table)}").fetchone()[0] for table in tables
        }


def run_benchmark(
    landing: Path,
    fractions: list[float],
    runs: int,
    work: Path,
    seed: int,
    window_days: float,
    crm: str,
    keep: bool,
) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    landings = {}
    increments = {}
    for fraction in fractions:
        tag = f"f{fraction:g}".replace(".", "_")
        landings[fraction] = work / f"landing_{tag}"
        link_landing(landing, landings[fraction])
        print(f"landing an increment of {fraction:g} in {landings[fraction]} ...", flush=True)
        increments[fraction] = in_fresh_process(
            "benchmarks.increment.land_increment",
            landings[fraction],
            fraction,
            seed,
            tag,
            window_days=window_days,
            crm=crm,
        )
    full_runs: list[dict] = []
    incremental_runs: dict[float, list[dict]] = {fraction: [] for fraction in fractions}
    checks: dict[float, dict] = {}
    for run in range(1, runs + 1):
        full_root = work / f"run{run}_full"
        shutil.rmtree(full_root, ignore_errors=True)
        print(f"run {run}/{runs}: full run on {landing}", flush=True)
        full_runs.append(run_stages(full_root, landing, STAGES, "full"))
        full_runs[-1]["dbt_breakdown"] = dbt_breakdown(full_root)
        for fraction in fractions:
            root = work / f"run{run}_increment_{fraction:g}"
            copy_built(full_root, root)
            print(f"run {run}/{runs}: increment {fraction:g}", flush=True)
            tables = list(increments[fraction]["entities"])
            before = in_fresh_process(f"{MODULE}.raw_counts", root / "warehouse" / "outcomes.duckdb", tables)
            result = run_stages(root, landings[fraction], STAGES, f"increment {fraction:g}")
            result["dbt_breakdown"] = dbt_breakdown(root)
            after = in_fresh_process(f"{MODULE}.raw_counts", root / "warehouse" / "outcomes.duckdb", tables)
            result["raw_rows_added"] = {table: after[table] - before[table] for table in before}
            incremental_runs[fraction].append(result)
            if run == 1:
                rebuild_root = work / f"rebuild_{fraction:g}"
                shutil.rmtree(rebuild_root, ignore_errors=True)
                print(f"full rebuild on landing + increment {fraction:g}", flush=True)
                rebuild = run_stages(rebuild_root, landings[fraction], REBUILD_STAGES, "rebuild")
                comparison = {"equal": False, "tables": {}, "missing": [], "error": "a stage failed"}
                if rebuild["total"]["ok"] and result["total"]["ok"]:
                    comparison = in_fresh_process(
                        f"{MODULE}.compare_marts",
                        root / "warehouse" / "outcomes.duckdb",
                        rebuild_root / "warehouse" / "outcomes.duckdb",
                    )
                checks[fraction] = {"rebuild": rebuild, "comparison": comparison}
                if not keep:
                    shutil.rmtree(rebuild_root, ignore_errors=True)
            if not keep:
                shutil.rmtree(root, ignore_errors=True)
        if not keep:
            shutil.rmtree(full_root, ignore_errors=True)
    if not keep:
        for path in landings.values():
            shutil.rmtree(path, ignore_errors=True)
    full = summarize(full_runs, STAGES)
    report = {
        "landing": str(landing),
        "fractions": fractions,
        "runs": runs,
        "seed": seed,
        "window_days": window_days,
        "crm": crm,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "method": "each stage in its own process (fresh interpreter), measured by the parent with os.wait4",
        "full": {"summary": full, "runs": full_runs},
        "increments": {},
    }
    ok = all(run["total"]["ok"] for run in full_runs)
    for fraction in fractions:
        summary = summarize(incremental_runs[fraction], STAGES)
        ratio = {
            stage: round(summary[stage]["wall_s"]["median"] / full[stage]["wall_s"]["median"], 4)
            if full[stage]["wall_s"]["median"]
            else None
            for stage in (*STAGES, "total")
        }
        report["increments"][f"{fraction:g}"] = {
            "increment": increments[fraction],
            "summary": summary,
            "ratio_wall": ratio,
            "runs": incremental_runs[fraction],
            **checks[fraction],
        }
        ok = ok and all(run["total"]["ok"] for run in incremental_runs[fraction])
        ok = ok and checks[fraction]["comparison"]["equal"]
    report["ok"] = ok
    return report


def _fmt(value: dict, key: str = "wall_s") -> str:
    stats = value[key]
    return f"{stats['median']:.1f} ({stats['min']:.1f}-{stats['max']:.1f})"


def text_summary(report: dict) -> str:
    full = report["full"]["summary"]
    lines = [
        f"Incremental cost: landing {report['landing']}, {report['runs']} run(s), seconds median (min-max), "
        f"{report['method']}",
        "",
        f"{'stage':<14}{'full':>22}"
        + "".join(f"{'increment ' + fraction:>24}{'ratio':>8}" for fraction in report["increments"]),
    ]
    for stage in (*STAGES, "total"):
        line = f"{stage:<14}{_fmt(full[stage]):>22}"
        for entry in report["increments"].values():
            ratio = entry["ratio_wall"][stage]
            line += f"{_fmt(entry['summary'][stage]):>24}{(f'{ratio:.1%}' if ratio is not None else '-'):>8}"
        lines.append(line)
    lines.append(f"{'peak RSS MiB':<14}{full['total']['max_rss_mib']['median']:>22.0f}")
    breakdown = report["full"]["runs"][0].get("dbt_breakdown", {})
    if breakdown:
        wall = report["full"]["runs"][0]["dbt"]["wall_s"]
        lines.append(
            f"full run dbt (run 1): {wall:.1f} s wall, of which {breakdown['elapsed_s']:.1f} s running nodes; "
            f"seconds by kind {breakdown['seconds_by_kind']}"
        )
    for fraction, entry in report["increments"].items():
        held = entry["increment"]["entities"]
        new, changed = sum(e["new"] for e in held.values()), sum(e["changed"] for e in held.values())
        lines += [
            "",
            f"increment {fraction}: {new} new and {changed} changed records, window {entry['increment']['window']}",
        ]
        if fraction in INCREMENT_TARGETS:
            ratio, limit = entry["ratio_wall"]["total"], INCREMENT_TARGETS[fraction]
            verdict = "meets" if ratio is not None and ratio <= limit else "MISSES"
            target = f"a {float(fraction):.1%} increment at most {limit:.0%} of a full run"
            lines.append(f"  target (scale 10): {target}: {verdict}")
        breakdown = entry["runs"][0].get("dbt_breakdown", {})
        if breakdown:
            wall = entry["runs"][0]["dbt"]["wall_s"]
            lines.append(
                f"  dbt (run 1): {wall:.1f} s wall, of which {breakdown['elapsed_s']:.1f} s running nodes; seconds by "
                f"kind {breakdown['seconds_by_kind']}"
            )
            lines.append(f"  slowest: {breakdown['slowest'][:5]}")
        comparison = entry["comparison"]
        if comparison["equal"]:
            lines.append(f"  marts equal a full rebuild: yes ({len(comparison['tables'])} tables)")
        else:
            lines.append("  !!! MARTS DIFFER FROM A FULL REBUILD !!!")
            for table, result in comparison["tables"].items():
                if not result["equal"]:
                    lines.append(f"  !!! {table}: {json.dumps(result, default=str)[:1500]}")
            if comparison.get("missing") or comparison.get("error"):
                lines.append(f"  !!! missing tables {comparison.get('missing')} {comparison.get('error', '')}")
    if not report["ok"]:
        lines += ["", "!!! FAILED: a stage failed or the marts differ (see above)"]
    return "\n".join(lines)


def generate_landing(work: Path, scale: float, seed: int) -> Path:
    landing = work / f"landing_scale{scale:g}_seed{seed}"
    if not (landing / "manifest.json").exists():
        shutil.rmtree(landing, ignore_errors=True)
        print(f"generating demo data at scale {scale:g} in {landing} ...", flush=True)
        env = {**os.environ, **TELEMETRY_OFF}
        command = [sys.executable, "-m", "demo_data", "--out", str(landing), "--scale", str(scale), "--seed", str(seed)]
        subprocess.run(command, check=True, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL)
    return landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.incremental_cost", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--landing", type=Path, help="an existing landing folder (not changed)")
    source.add_argument("--scale", type=float, help="generate demo data at this scale (kept in the work folder)")
    parser.add_argument("--seed", type=int, default=42, help="demo data and increment seed")
    parser.add_argument("--fractions", default="0.001,0.01", help="increment sizes, shares of each entity's records")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="JSON report (default <work>/incremental_cost.json)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (warehouses, landing copies)")
    parser.add_argument("--window-days", type=float, default=3.0, help="new records' event times: the last N days")
    parser.add_argument("--crm", choices=("snapshot", "api"), default="snapshot", help="CRM changes as (see increment)")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses and landing copies")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        return stage_main(args.stage, args.report)
    if args.landing is None and args.scale is None:
        parser.error("give --landing DIR or --scale S")
    os.environ.update(TELEMETRY_OFF)
    work = args.work.resolve()
    landing = args.landing.resolve() if args.landing else generate_landing(work, args.scale, args.seed)
    fractions = [float(value) for value in args.fractions.split(",") if value.strip()]
    report = run_benchmark(landing, fractions, args.runs, work, args.seed, args.window_days, args.crm, args.keep)
    report["scale"] = args.scale
    report["command"] = " ".join(
        ["python -m benchmarks.incremental_cost", *(argv if argv is not None else sys.argv[1:])]
    )
    report["self_rusage_children_cpu_s"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime, 1
    )
    out = args.json or work / "incremental_cost.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(text_summary(report))
    print(f"\nJSON: {out}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
