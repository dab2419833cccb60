"""Emerging terms and top complaints of one week (mart_term_trends), for the dashboard and the weekly report.

Terms are found without the taxonomy (dbt_project/DECISIONLOG.md, "Term trends"); a term shows its topic and owning
team when a taxonomy keyword is the term, and none otherwise. A word that this week appears mostly inside a listed word
pair ("password" inside "password reset") is folded into the pair, so a list does not say one thing three times.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb

from pipeline.outputs import periods, privacy_mask

TABLE = "mart_term_trends"
# A word is folded into a listed pair holding it when the pair has at least this share of the word's messages.
FOLD_SHARE = 0.8

WEEK_TERMS_SQL = f"""
select
    term, display_term, word_count, topic, owning_team, mentions, distinct_authors, negative_mentions, negative_share,
    baseline_mentions, expected_mentions, lift, log_likelihood, is_emerging, emerging_rank, is_top_complaint,
    complaint_rank, example_message_1, example_message_2, example_message_3
from {TABLE}
where week_start = $week and (is_emerging or is_top_complaint)
order by term
"""


def weeks(connection: duckdb.DuckDBPyConnection) -> list[date]:
    if TABLE not in periods.published_tables(connection):
        return []
    return [row[0] for row in connection.execute(f"select distinct week_start from {TABLE} order by 1").fetchall()]


def latest_week(connection: duckdb.DuckDBPyConnection) -> tuple[date | None, bool]:
    """The latest complete week with terms (periods.py), else the latest week marked partial; (None, False) when the
    mart has no rows."""
    found = weeks(connection)
    last_event = periods.last_events(connection)["interactions"]
    complete = [week for week in found if periods.week_is_complete(week, last_event)]
    if complete:
        return complete[-1], False
    return (found[-1], True) if found else (None, False)


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def fold(rows: list[dict], count: str) -> list[dict]:
    """Rows without the single words that a listed pair already says: a word goes when a pair in `rows` holds it and
    has at least FOLD_SHARE of the word's `count`. Order is kept."""
    pairs = [row for row in rows if row["word_count"] == 2]

    def said_by_a_pair(row: dict) -> bool:
        return row["word_count"] == 1 and any(
            row["term"] in pair["term"].split(" ") and pair[count] >= FOLD_SHARE * row[count] for pair in pairs
        )

    return [row for row in rows if not said_by_a_pair(row)]


def week_terms(
    connection: duckdb.DuckDBPyConnection, week: date | None, mask: privacy_mask.TextMask | None = None
) -> dict:
    """The week's emerging terms (strongest first) and top complaints (most negative messages first), folded, each
    with its examples as a list, masked (privacy_mask.py; the serving file's own mask unless given); both lists empty
    when the week has none or the mart is not published."""
    rows: list[dict] = []
    if week is not None and TABLE in periods.published_tables(connection):
        cursor = connection.execute(WEEK_TERMS_SQL, {"week": week})
        columns = [column[0] for column in cursor.description]
        rows = [{name: _plain(value) for name, value in zip(columns, row, strict=True)} for row in cursor.fetchall()]
    if rows and mask is None:
        mask = privacy_mask.for_connection(connection)
    for row in rows:
        examples = [row.pop(f"example_message_{index}") for index in (1, 2, 3)]
        row["examples"] = [mask(text) for text in examples if text]
        row["vs_usual"] = lift_text(row)
    emerging = sorted((row for row in rows if row["is_emerging"]), key=lambda row: row["emerging_rank"])
    complaints = sorted((row for row in rows if row["is_top_complaint"]), key=lambda row: row["complaint_rank"])
    return {
        "week_start": week.isoformat() if week else None,
        "emerging": fold(emerging, "mentions"),
        "complaints": fold(complaints, "negative_mentions"),
    }


def lift_text(row: dict) -> str:
    """How far above its baseline a term is: 'new' for a term the baseline never saw, else 'x3.4'."""
    if row.get("lift") is None:
        return "-"
    if not row.get("baseline_mentions"):
        return "new"
    return f"x{row['lift']:.1f}"
