"""The scorecard KPIs the dashboard shows: latest month of each, its change, target and definition.

A KPI's latest month is compared with the prior month only when it is complete (pipeline/outputs/periods.py): a month
the data ends in the middle of is shown marked partial, without a change.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline.outputs import money, periods

DECISIONLOG = Path(__file__).resolve().parents[3] / "dbt_project" / "DECISIONLOG.md"
SCORECARD_SECTION = "## Executive scorecard"

LATEST_PER_KPI = """
select kpi, kpi_label, unit, up_is_good, kpi_value, prior_value, change_from_prior, target, is_on_target,
    period_start
from mart_exec_scorecard
where kpi_value is not null
qualify row_number() over (partition by kpi order by period_start desc) = 1
order by display_order
"""

# The events each KPI is counted from, whose last time decides whether its latest month is complete. A KPI not named
# here (a new one in the seed kpi_targets) is judged by the latest event of any kind.
KPI_EVENTS = {
    "social_share": "interactions",
    "negative_share": "interactions",
    "hot_button_topic_weeks": "interactions",
    "median_first_response_minutes": "care",
    "sla_attainment": "care",
    "cost_per_resolution": "care",
    "social_saving_vs_phone": "care",
    "influenced_won_share": "touchpoints",
    "win_rate_lift": "touchpoints",
    "customers_churned": "touchpoints",
}
# Current figures, not monthly flows: nothing to complete or compare.
SNAPSHOT_KPIS = {"revenue_at_risk"}


def definitions(decisionlog: Path = DECISIONLOG) -> dict[str, str]:
    """KPI -> definition, from the bullet list `- `kpi`: text` of the DECISIONLOG's scorecard section."""
    text = decisionlog.read_text()
    section = text[text.index(SCORECARD_SECTION) :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    found = {}
    for match in re.finditer(r"^- `([a-z_]+)`: (.+?)(?=^- `|\Z)", section, flags=re.MULTILINE | re.DOTALL):
        found[match.group(1)] = " ".join(match.group(2).split())
    return found


def format_value(value: float | None, unit: str, currency: str | None = None) -> str:
    if value is None:
        return "-"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "minutes":
        return f"{value:,.1f} min"
    if unit == "currency":
        return money.format_money(value, currency)
    return f"{value:,.0f}"


def format_change(change: float | None, unit: str, currency: str | None = None) -> str:
    if change is None:
        return "no prior month"
    sign = "+" if change >= 0 else "-"
    if unit == "share":
        return f"{sign}{abs(change) * 100:.1f} pts"
    return f"{sign}{format_value(abs(change), unit, currency)}"


def latest_per_kpi(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Each KPI's latest month with a value, with `partial` and `last_event` from the events it is counted from.
    Empty when the serving file has no scorecard rows (or no scorecard)."""
    if "mart_exec_scorecard" not in periods.published_tables(connection):
        return []
    cursor = connection.execute(LATEST_PER_KPI)
    columns = [column[0] for column in cursor.description]
    fetched = cursor.fetchall()  # before the next query on this connection replaces the result
    last_events = periods.last_events(connection)
    result = []
    for row in fetched:
        kpi = dict(zip(columns, row, strict=True))
        last_event = last_events[KPI_EVENTS.get(kpi["kpi"], "any")] or last_events["any"]
        snapshot = kpi["kpi"] in SNAPSHOT_KPIS
        partial = not snapshot and not periods.month_is_complete(kpi["period_start"], last_event)
        result.append({**kpi, "partial": partial, "last_event": last_event, "currency": money.reporting_currency()})
    return result


def change_text(kpi: dict) -> str:
    if kpi["partial"]:
        return f"not compared: partial month ({periods.through(kpi['last_event'])})"
    if kpi["change_from_prior"] is None:
        return "no prior month"
    return format_change(kpi["change_from_prior"], kpi["unit"], kpi["currency"]) + " vs prior month"


def cards(connection: duckdb.DuckDBPyConnection, decisionlog: Path = DECISIONLOG) -> list[dict]:
    """One card per KPI: its latest month with a value, change from the prior month (complete months only), target
    and definition."""
    meaning = definitions(decisionlog)
    result = []
    for kpi in latest_per_kpi(connection):
        change = None if kpi["partial"] else kpi["change_from_prior"]
        improving = None if change is None or change == 0 else (change > 0) == kpi["up_is_good"]
        unit_label = kpi["currency"] if kpi["unit"] == "currency" else kpi["unit"]
        result.append(
            {
                **kpi,
                "period": str(kpi["period_start"])[:7] + (" (partial)" if kpi["partial"] else ""),
                "unit_label": unit_label,
                "value_text": format_value(kpi["kpi_value"], kpi["unit"], kpi["currency"]),
                "change_text": change_text(kpi),
                "target_text": (
                    format_value(kpi["target"], kpi["unit"], kpi["currency"]) if kpi["target"] is not None else None
                ),
                "trend": {True: "better", False: "worse", None: "flat"}[improving],
                "definition": meaning.get(kpi["kpi"], ""),
            }
        )
    return result
