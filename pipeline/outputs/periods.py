"""Whether a week or month is complete, so a period the data ends in the middle of is never compared as if whole.

A period is complete when the data's last event falls on the period's last day or later (UTC): data ending on
Wednesday makes its week partial, data ending on the 31st of a 31-day month makes that month complete. The last
event is read from the mart the figure comes from (interactions, care conversations, touchpoints), so a source
that stopped early does not borrow another source's later end.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb

EVENT_TIMES = {
    "interactions": ("fct_interactions", "occurred_at"),
    "care": ("fct_care_conversations", "opened_at"),
    "touchpoints": ("fct_touchpoints", "occurred_at"),
}


def published_tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables and views alike: a serving file may publish a mart as either."""
    return {name for (name,) in connection.execute("select table_name from information_schema.tables").fetchall()}


def last_events(connection: duckdb.DuckDBPyConnection) -> dict[str, datetime | None]:
    """Each event family's last event time; None for a family with no rows (or no mart) in the serving file."""
    tables = published_tables(connection)
    found: dict[str, datetime | None] = {}
    for family, (table, column) in EVENT_TIMES.items():
        found[family] = (
            connection.execute(f"select max({column}) from {table}").fetchone()[0] if table in tables else None
        )
    found["any"] = max((moment for moment in found.values() if moment is not None), default=None)
    return found


def _as_date(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def month_last_day(month_start: date) -> date:
    following = date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def week_last_day(week_start: date) -> date:
    return week_start + timedelta(days=6)


def is_complete(last_day: date, last_event: datetime | date | None) -> bool:
    return last_event is not None and _as_date(last_event) >= last_day


def month_is_complete(month_start: date, last_event: datetime | date | None) -> bool:
    return is_complete(month_last_day(month_start), last_event)


def week_is_complete(week_start: date, last_event: datetime | date | None) -> bool:
    return is_complete(week_last_day(week_start), last_event)


def through(last_event: datetime | date | None) -> str:
    return "no dated data" if last_event is None else f"data through {_as_date(last_event).isoformat()}"
