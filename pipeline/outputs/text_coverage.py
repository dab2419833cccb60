"""Per source, what share of customer messages has a sentiment signal and a taxonomy topic (mart_text_coverage), for
the run summary and the dashboard. Definitions: dbt_project/DECISIONLOG.md, "Text coverage"."""

from __future__ import annotations

import duckdb

from pipeline.outputs import absence

TABLE = "mart_text_coverage"

PER_SOURCE_SQL = f"""
select
    source_system,
    cast(sum(messages) as bigint) as messages,
    cast(sum(case when has_sentiment_signal then messages else 0 end) as bigint) as messages_with_sentiment_signal,
    cast(sum(messages_with_topic) as bigint) as messages_with_topic,
    max(source_sentiment_signal_share) as sentiment_signal_share,
    max(source_topic_share) as topic_share
from {TABLE}
group by source_system
order by messages desc, source_system
"""

METHODS_SQL = f"""
select source_system, sentiment_method, cast(messages as bigint) as messages
from {TABLE}
order by source_system, messages desc, sentiment_method
"""


def per_source(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """One dict per source, most messages first, with `methods`: sentiment method -> messages (most first); empty
    when the mart has no rows or is not published."""
    if not absence.has_rows(connection, TABLE):
        return []
    cursor = connection.execute(PER_SOURCE_SQL)
    columns = [column[0] for column in cursor.description]
    sources = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    methods: dict[str, dict[str, int]] = {}
    for source, method, messages in connection.execute(METHODS_SQL).fetchall():
        methods.setdefault(source, {})[method] = messages
    return [{**source, "methods": methods.get(source["source_system"], {})} for source in sources]


def percent(share: float | None) -> str:
    """A share in whole percent, never rounded to a claim it does not make: 0.4% reads "under 1%" (not 0%), 99.6%
    "over 99%" (not 100%)."""
    if share is None:
        return "n/a"
    if 0 < share < 0.005:
        return "under 1%"
    if 0.995 <= share < 1:
        return "over 99%"
    return f"{share:.0%}"


def sentence(source: dict) -> str:
    """'twcs: 15,000 messages, 97% with a sentiment signal, 12% with a taxonomy topic'."""
    noun = "message" if source["messages"] == 1 else "messages"
    return (
        f"{source['source_system']}: {source['messages']:,} {noun}, "
        f"{percent(source['sentiment_signal_share'])} with a sentiment signal, "
        f"{percent(source['topic_share'])} with a taxonomy topic"
    )


def methods_text(source: dict) -> str:
    """'model 14,100, no_signal 900' (most messages first)."""
    return ", ".join(f"{method} {messages:,}" for method, messages in source["methods"].items())
