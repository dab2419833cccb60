"""One pipeline stage in its own process, for the benchmark harness (benchmarks/pipeline_bench.py).

Usage: python -m benchmarks.stage STAGE --report FILE [--sources JSON]

Calls the same functions the Airflow tasks call (pipeline/tasks.py), without the task wrapper and without importing
Airflow, so the parent measures the stage alone (wall, CPU, memory with os.wait4 and psutil sampling). Paths come
from the OUTCOMES_* environment variables (pipeline/settings.py). Writes a JSON report: the stage's own report, the
rows it handled (`rows`, and what they are in `rows_what`), and this process's getrusage (self and waited children,
e.g. the dbt subprocess) as a cross-check of the parent's figures.

Two helpers the parent runs unmeasured: `sources` writes the enabled ingest sources and their raw tables (it imports
Airflow, through pipeline.ingest_dags), passed to every ingest stage; `dbt_rows` counts the rows in the tables the dbt
stage built.

Stages, in pipeline order: ingest (every enabled source, one load_landing call per source as the ingest DAGs do;
the parent passes the sources' tables with --sources so that this process need not import Airflow), gate_sources,
dbt (dbt build), dbt_docs (dbt docs generate, the transform DAG's dbt_docs task), gate_marts, publish, dashboard.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

STAGES = ("ingest", "gate_sources", "dbt", "dbt_docs", "gate_marts", "publish", "dashboard")


def run_ingest(paths, sources: dict[str, list[str]]) -> dict:
    import ingest

    reports = {}
    for name, tables in sources.items():
        reports[name] = ingest.load_landing(
            paths.landing_dir, paths.warehouse_path, sources_config=paths.sources_config_path, tables=set(tables)
        ).to_dict()
    totals: dict[str, int] = {}
    for report in reports.values():
        for key, value in report["totals"].items():
            totals[key] = totals.get(key, 0) + value
    return {"report": {"totals": totals, "sources": reports}, "rows": totals["rows_read"], "rows_what": "records read"}


def suite_rows(report: dict, prefix: str) -> int:
    return sum(suite["rows"] or 0 for suite in report["suites"] if suite["suite"].startswith(prefix))


def run_gate_sources(paths) -> dict:
    from pipeline import quality_gate

    report = quality_gate.run_source_gate(paths).to_dict()
    return {"report": report, "rows": suite_rows(report, "source."), "rows_what": "raw rows checked"}


def run_dbt(paths) -> dict:
    from pipeline import dbt_build

    # The parent counts the rows dbt built, in the warehouse, after this process ends (not measured).
    return {"report": dbt_build.build(paths).to_dict(), "rows": None, "rows_what": "rows in tables built"}


def run_dbt_docs(paths) -> dict:
    from pipeline import dbt_build

    return {"report": {"docs": str(dbt_build.generate_docs(paths))}, "rows": None, "rows_what": None}


def run_gate_marts(paths) -> dict:
    from pipeline.quality import mart_gate

    report = mart_gate.run_mart_gate(paths).to_dict()
    return {"report": report, "rows": suite_rows(report, "mart."), "rows_what": "mart rows checked"}


def run_publish(paths) -> dict:
    from pipeline import publish

    report = publish.publish(paths).to_dict()
    return {"report": report, "rows": sum(report["tables"].values()), "rows_what": "rows published"}


def run_dashboard(paths) -> dict:
    from pipeline.outputs.dashboard import build

    return {"report": build.build(paths).to_dict(), "rows": None, "rows_what": None}


def ingest_sources() -> dict:
    from pipeline import ingest_dags
    from pipeline.settings import load_paths

    sources = ingest_dags.load_sources(load_paths().sources_config_path)
    return {"sources": {source.name: list(source.tables) for source in sources}}


def dbt_rows_built() -> dict:
    """Rows in the tables the dbt build materialised (models, seeds, snapshots; views hold no rows). Run by the
    parent after the dbt stage, unmeasured, in a process of its own so that the parent never holds DuckDB."""
    import duckdb

    from pipeline.settings import load_paths

    paths = load_paths()
    manifest = json.loads((paths.dbt_target_dir / "manifest.json").read_text())
    built = {
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node.get("config", {}).get("materialized") not in ("view", "ephemeral")
    }
    total = 0
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        tables = connection.execute("select schema_name, table_name from duckdb_tables() where not temporary")
        for schema, table in tables.fetchall():
            if (schema, table) in built:
                total += connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
    return {"rows": total}


def peak_rss_mib() -> float | None:
    """This process's own high-water RSS since exec (VmHWM). getrusage's ru_maxrss is no use here: Linux carries
    the parent's high-water mark over fork and exec into it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def usage(who: int) -> dict:
    used = resource.getrusage(who)
    return {"cpu_seconds": used.ru_utime + used.ru_stime, "max_rss_mib": used.ru_maxrss / 1024}


HELPERS = {"sources": ingest_sources, "dbt_rows": dbt_rows_built}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=[*STAGES, *HELPERS])
    parser.add_argument("--report", type=Path, required=True, help="where to write the JSON report")
    parser.add_argument("--sources", default="{}", help='JSON {"source": ["raw table", ...]} for the ingest stage')
    args = parser.parse_args(argv)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    if args.stage in HELPERS:
        args.report.write_text(json.dumps(HELPERS[args.stage](), indent=2))
        return 0
    from pipeline.settings import load_paths

    paths = load_paths()
    started = time.perf_counter()
    if args.stage == "ingest":
        result = run_ingest(paths, json.loads(args.sources))
    else:
        result = globals()[f"run_{args.stage}"](paths)
    result.update(
        stage=args.stage,
        seconds_inside=round(time.perf_counter() - started, 3),
        peak_rss_self_mib=peak_rss_mib(),
        rusage_self=usage(resource.RUSAGE_SELF),
        rusage_children=usage(resource.RUSAGE_CHILDREN),
    )
    args.report.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
