"""The short summary a run ends with: rows per layer, the executive scorecard, the care mart's headline numbers,
where the files are.

The DAG's last task writes it to reports/run_summary.json; `python -m pipeline.outputs.run_summary` prints the
latest one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from pipeline.orchestration import connectors
from pipeline.outputs import absence, money, text_coverage
from pipeline.outputs.dashboard import kpis
from pipeline.outputs.dashboard.kpis import format_value
from pipeline.settings import PipelinePaths, load_paths

LAYERS = ("raw", "staging", "intermediate", "marts")

HEADLINE_SQL = """
select
    count(*) as conversations,
    avg(case when is_responded then 1.0 else 0.0 end) as responded_share,
    median(first_response_minutes) as median_first_response_minutes,
    quantile_cont(first_response_minutes, 0.9) as p90_first_response_minutes,
    1 - avg(case when is_sla_breached then 1.0 else 0.0 end) as sla_attainment_rate
from fct_care_conversations
"""

TEAM_SQL = """
select team, count(*) as conversations,
    1 - avg(case when is_sla_breached then 1.0 else 0.0 end) as sla_attainment_rate,
    median(first_response_minutes) as median_first_response_minutes
from fct_care_conversations group by team order by sla_attainment_rate
"""


TEAMS_SHOWN = 10


def rows_per_layer(warehouse_path: Path, found_connectors: list | None = None) -> dict[str, dict[str, int]]:
    layers: dict[str, dict[str, int]] = {}
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        connectors.attach_read_only(connection, found_connectors or [])
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ? and not starts_with(table_name, '_') order by 1, 2",
            [list(LAYERS)],
        ).fetchall()
        for schema, name in relations:
            count = connection.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
            layers.setdefault(schema, {})[name] = count
    return layers


def records(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = connection.execute(sql)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def headline_numbers(serving_path: Path) -> dict:
    """The care mart's headline numbers; with no care conversations, `no_data` says why in plain words."""
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        if not absence.has_rows(connection, "fct_care_conversations"):
            return {"overall": None, "by_team": [], "worst_sla_team": None, "no_data": absence.NO_DATA["care"]}
        overall = records(connection, HEADLINE_SQL)[0]
        teams = records(connection, TEAM_SQL)
    return {"overall": overall, "by_team": teams, "worst_sla_team": teams[0]["team"] if teams else None}


ORPHANS_SQL = """
select count(*) as replies, count(*) filter (where is_inbound) as from_customers
from intermediate.int_care__orphan_replies
"""


def orphan_replies(warehouse_path: Path) -> dict | None:
    """Replies to messages that are not in the loaded data (a sample, one side of an export): kept, and counted
    here; None before the model exists."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'intermediate' and table_name = 'int_care__orphan_replies'"
        ).fetchone()[0]
        return records(connection, ORPHANS_SQL)[0] if exists else None


def scorecard(serving_path: Path) -> list[dict]:
    """Each KPI's latest month of the executive scorecard, marked partial when the data ends inside it (empty when
    the serving copy has no scorecard rows)."""
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        return [
            {**row, "last_event": str(row["last_event"]) if row["last_event"] else None}
            for row in kpis.latest_per_kpi(connection)
        ]


def coverage(serving_path: Path) -> dict:
    """Per source, the share of customer messages with a sentiment signal and a taxonomy topic; with no customer
    messages, `no_data` says so in plain words."""
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        sources = text_coverage.per_source(connection)
    return {"sources": sources, "no_data": None if sources else absence.NO_DATA["coverage"]}


def format_coverage(coverage_summary: dict | None) -> list[str]:
    """'  twcs: 15,000 messages, 97% with a sentiment signal, 12% with a taxonomy topic', one line per source."""
    if coverage_summary is None:  # a summary written before the mart existed
        return []
    lines = ["", "Text coverage, customer messages per source (marts.mart_text_coverage):"]
    if not coverage_summary["sources"]:
        return [*lines, f"  {coverage_summary.get('no_data') or absence.NO_DATA['coverage']}"]
    return [*lines, *(f"  {text_coverage.sentence(source)}" for source in coverage_summary["sources"])]


def build_summary(paths: PipelinePaths, stage_reports: dict[str, dict]) -> dict:
    summary = {
        "rows_per_layer": rows_per_layer(
            paths.warehouse_path, connectors.configured(paths.sources_config_path, paths.landing_dir)
        ),
        "scorecard": scorecard(paths.serving_path),
        "care_headlines": headline_numbers(paths.serving_path),
        "text_coverage": coverage(paths.serving_path),
        "orphan_replies": orphan_replies(paths.warehouse_path),
        "connectors": connectors_read(paths),
        "stages": stage_reports,
        "paths": {
            "landing": str(paths.landing_dir),
            "warehouse": str(paths.warehouse_path),
            "serving": str(paths.serving_path),
            "reports": str(paths.reports_dir),
        },
    }
    paths.reports_dir.mkdir(parents=True, exist_ok=True)
    paths.run_summary_path.write_text(json.dumps(summary, indent=2, default=str))
    return summary


def connectors_read(paths: PipelinePaths) -> list[dict]:
    """The connector schemas this run read (README "Already syncing with Fivetran?") and where they are."""
    found = connectors.configured(paths.sources_config_path, paths.landing_dir)
    return [
        {
            "connector": connector.name,
            "place": str(connector.parquet_dir)
            if connector.parquet_dir
            else f"schema {connector.schema}" + (f" of {connector.database_path}" if connector.database_path else ""),
        }
        for connector in found
    ]


def _minutes(value) -> str:
    return "n/a" if value is None else f"{value:,.1f} min"


def _share(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def format_scorecard(rows: list[dict]) -> list[str]:
    title = "Executive scorecard, latest month of each KPI (marts.mart_exec_scorecard):"
    if not rows:
        return ["", title, f"  {absence.NO_DATA['scorecard']}"]
    # Each KPI's latest month: real exports from several systems rarely end in the same month.
    lines = ["", title]
    lines.append(f"  {'KPI':<54} {'month':<9} {'value':>12} {'prior':>12} {'target':>12}  on target")
    partial = []
    for row in rows:
        currency = row.get("currency") or money.reporting_currency()
        label = f"{row['kpi_label']} ({currency})" if row["unit"] == "currency" else row["kpi_label"]
        on_target = {True: "yes", False: "NO", None: ""}[row["is_on_target"]]
        value, prior, target = (
            format_value(row[key], row["unit"], currency) for key in ("kpi_value", "prior_value", "target")
        )
        month = str(row["period_start"])[:7] + ("*" if row.get("partial") else "")
        partial += [row] if row.get("partial") else []
        lines.append(f"  {label:<54} {month:<9} {value:>12} {prior:>12} {target:>12}  {on_target}")
    if partial:
        # Read back from run_summary.json, the last event is text.
        ends = sorted({f"data through {str(row['last_event'])[:10]}" for row in partial if row["last_event"]})
        lines.append(f"  * partial month ({'; '.join(ends)}): not comparable with the prior month")
    return lines


def format_quality(stages: dict) -> list[str]:
    lines = []
    for stage, what in (("source_gate", "landed source batches"), ("gate", "marts")):
        suites = stages.get(stage, {}).get("suites")
        if suites is not None:
            passed = sum(suite["success"] for suite in suites)
            lines.append(f"  {what:<22} {passed} of {len(suites)} suites passed")
    return ["", "Quality gate (Great Expectations; history: table quality_validations):", *lines] if lines else []


def report_links(summary: dict) -> dict[str, str]:
    stages = summary["stages"]
    links = {
        "dashboard": stages.get("dashboard", {}).get("page"),
        "data docs (marts)": stages.get("gate", {}).get("data_docs"),
        "data docs (sources)": stages.get("source_gate", {}).get("data_docs"),
        "dbt docs": stages.get("dbt", {}).get("docs"),
        "parquet": str(Path(summary["paths"]["serving"]).parent / "parquet"),
        "team hand-off": stages.get("handoff", {}).get("handoff_dir"),
        "release": stages.get("publish", {}).get("release"),
    }
    return {name: link for name, link in links.items() if link}


def format_care(care: dict) -> list[str]:
    lines = ["", "Customer care (marts.fct_care_conversations):"]
    overall = care.get("overall")
    if not overall or not overall.get("conversations"):
        return [*lines, f"  {care.get('no_data') or absence.NO_DATA['care']}"]
    lines += [
        f"  conversations              {overall['conversations']:>12,}",
        f"  answered                   {_share(overall['responded_share']):>12}",
        f"  median first response      {_minutes(overall['median_first_response_minutes']):>12}",
        f"  p90 first response         {_minutes(overall['p90_first_response_minutes']):>12}",
        f"  SLA attainment             {_share(overall['sla_attainment_rate']):>12}",
        "  SLA attainment by team (worst first):",
    ]
    for team in care["by_team"][:TEAMS_SHOWN]:
        lines.append(
            f"    {str(team['team']):<20} {_share(team['sla_attainment_rate']):>7}  "
            f"median first response {_minutes(team['median_first_response_minutes'])}"
        )
    if len(care["by_team"]) > TEAMS_SHOWN:
        lines.append(f"    ... and {len(care['by_team']) - TEAMS_SHOWN} more teams (marts.mart_social_care)")
    return lines


def format_summary(summary: dict) -> str:
    lines = ["", "== Social outcomes pipeline: run summary ==", "", "Rows per layer:"]
    for layer in LAYERS:
        tables = summary["rows_per_layer"].get(layer, {})
        lines.append(f"  {layer:<13} {sum(tables.values()):>12,} rows in {len(tables)} tables")
    ingested = summary["stages"].get("ingest", {}).get("totals")
    if ingested:
        lines += [
            "",
            f"Ingest (this run): {ingested['rows_read']:,} records read, {ingested['rows_loaded']:,} loaded, "
            f"{ingested['rows_duplicate']:,} duplicates skipped, {ingested['rows_quarantined']:,} quarantined",
            "  (refused records with reasons: raw._quarantine; per-file counts: raw._ingest_audit)",
        ]
        unmatched = summary["stages"]["ingest"].get("unmatched_files") or []
        if unmatched:
            lines.append(f"  {len(unmatched)} landing file(s) match no source and were not loaded:")
            lines += [f"    {name}" for name in unmatched]
            lines.append("  `make profile DATA=<folder>` prints a ready-to-paste file_drops entry for each of them")
    read = summary.get("connectors") or []
    if read:
        lines += ["", f"Connector schemas read ({len(read)}, read-only):"]
        lines += [f"  {entry['connector']:<20} {entry['place']}" for entry in read]
    lines += format_quality(summary["stages"])
    lines += format_scorecard(summary.get("scorecard") or [])
    lines += format_coverage(summary.get("text_coverage"))
    lines += format_care(summary["care_headlines"])
    orphans = summary.get("orphan_replies")
    if orphans and orphans["replies"]:
        lines.append(
            f"  {orphans['replies']:,} replies answer messages that are not in the data (orphans, kept; "
            f"{orphans['from_customers']:,} from customers, each opening a conversation): "
            "intermediate.int_care__orphan_replies"
        )
    lines += ["", "Stages:              wall s   peak MiB (task process + children)"]
    for stage, report in summary["stages"].items():
        lines.append(
            f"  {stage:<16} {report.get('elapsed_seconds', 'n/a'):>9}   {report.get('peak_rss_mib', 'n/a'):>8}"
        )
    files = {**summary["paths"], **report_links(summary)}
    lines += ["", "Files:"] + [f"  {name:<20} {path}" for name, path in files.items()]
    return "\n".join(lines)


def main() -> int:
    path = load_paths().run_summary_path
    if not path.exists():
        print(f"No run summary at {path}: has the pipeline run?", file=sys.stderr)
        return 1
    print(format_summary(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
