"""What an output says, in plain words, for a section whose mart has no rows: which kind of source was not loaded.

Any subset of sources is a normal run (a CRM export alone, a customer-only Twitter export), so an empty mart is not an
error: each output shows the sentence below where the section's numbers would be.
"""

from __future__ import annotations

import duckdb

from pipeline.outputs.periods import published_tables

NO_DATA = {
    "care": "no care conversations: no source with brand replies was loaded",
    "interactions": "no customer messages: no social, review, community or support source was loaded",
    "topics": "no topic trends: no customer messages with text were loaded",
    "terms": "no emerging terms or top complaints: no customer messages with text were loaded",
    "coverage": "no text coverage: no customer messages were loaded",
    "feedback": "no feedback items: no source with ideas, enhancement requests or complaints was loaded",
    "revenue": "no revenue figures: no CRM or order source with opportunities was loaded",
    "retention": "no retention figures: no CRM source with customer accounts and their history was loaded",
    "cost": "no cost to serve: no care conversations were loaded",
    "risk": "no revenue at risk: no CRM source with current customer accounts was loaded",
    "scorecard": "no scorecard KPIs: none of the sources the KPIs are computed from was loaded",
}

MARTS = {
    "care": "fct_care_conversations",
    "interactions": "fct_interactions",
    "topics": "mart_topic_trends",
    "terms": "mart_term_trends",
    "coverage": "mart_text_coverage",
    "feedback": "mart_feedback_routing",
    "revenue": "mart_revenue_influence",
    "retention": "mart_retention",
    "cost": "mart_cost_to_serve",
    "risk": "mart_revenue_at_risk",
    "scorecard": "mart_exec_scorecard",
}


def has_rows(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    """False for an empty mart, and for one the serving file does not have (a release from older models)."""
    if table not in published_tables(connection):
        return False
    return connection.execute(f"select exists (select 1 from {table})").fetchone()[0]


def missing(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Section -> its plain-words message, for every section whose mart has no rows."""
    return {section: NO_DATA[section] for section, table in MARTS.items() if not has_rows(connection, table)}


def sentence(message: str) -> str:
    """A message as the start of a sentence: its first letter upper case, the rest as written (KPIs stays KPIs)."""
    return message[:1].upper() + message[1:]
