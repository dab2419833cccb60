"""The scorecard KPIs the dashboard shows: latest month of each, its change, target and definition."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

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


def definitions(decisionlog: Path = DECISIONLOG) -> dict[str, str]:
    """KPI -> definition, from the bullet list `- `kpi`: text` of the DECISIONLOG's scorecard section."""
    text = decisionlog.read_text()
    section = text[text.index(SCORECARD_SECTION) :]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    found = {}
    for match in re.finditer(r"^- `([a-z_]+)`: (.+?)(?=^- `|\Z)", section, flags=re.MULTILINE | re.DOTALL):
        found[match.group(1)] = " ".join(match.group(2).split())
    return found


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "minutes":
        return f"{value:,.1f} min"
    if unit == "currency":
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,.0f}"


def format_change(change: float | None, unit: str) -> str:
    if change is None:
        return "no prior month"
    sign = "+" if change >= 0 else "-"
    if unit == "share":
        return f"{sign}{abs(change) * 100:.1f} pts"
    return f"{sign}{format_value(abs(change), unit)}"


def cards(connection: duckdb.DuckDBPyConnection, decisionlog: Path = DECISIONLOG) -> list[dict]:
    """One card per KPI: its latest month with a value, change from the prior month, target and definition."""
    meaning = definitions(decisionlog)
    cursor = connection.execute(LATEST_PER_KPI)
    columns = [column[0] for column in cursor.description]
    result = []
    for row in cursor.fetchall():
        kpi = dict(zip(columns, row, strict=True))
        change = kpi["change_from_prior"]
        improving = None if change is None or change == 0 else (change > 0) == kpi["up_is_good"]
        result.append(
            {
                **kpi,
                "period": str(kpi["period_start"])[:7],
                "value_text": format_value(kpi["kpi_value"], kpi["unit"]),
                "change_text": format_change(change, kpi["unit"]),
                "target_text": format_value(kpi["target"], kpi["unit"]) if kpi["target"] is not None else None,
                "trend": {True: "better", False: "worse", None: "flat"}[improving],
                "definition": meaning.get(kpi["kpi"], ""),
            }
        )
    return result
