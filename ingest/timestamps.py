"""Timestamps as real exports write them, read in DuckDB SQL (vectorised, never per row in Python).

The SQL is written once, as the dbt macro `utc_timestamp` in dbt_project/macros/utc_timestamp.sql; ingest renders that
same macro with plain Jinja, so the contract check and the staging models agree on every value.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

MACRO_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "macros" / "utc_timestamp.sql"
DEFAULT_TIME_ZONE = "UTC"


@cache
def _macros():
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(MACRO_FILE.read_text()).module


def utc_timestamp_sql(text_sql: str, time_zone: str | None = None, event_time_format: str | None = None) -> str:
    """A DuckDB expression: the text `text_sql` as a naive UTC TIMESTAMP, or NULL when it is blank or unreadable."""
    sql = _macros().utc_timestamp(text_sql, time_zone or DEFAULT_TIME_ZONE, event_time_format or None, strict=False)
    return " ".join(str(sql).split())


def timestamp_form_sql(text_sql: str) -> str:
    """A DuckDB expression: which recognised form the text has (`iso8601_offset`, `iso8601_naive`, `date`,
    `epoch_seconds`, `epoch_milliseconds`, `twitter_classic`, `rfc2822`), or NULL when it reads as no timestamp."""
    return " ".join(str(_macros().timestamp_form(text_sql)).split())
