"""The sentiment model's features, computed by the same DuckDB SQL that scores messages in dbt.

The tokenizer is written once, as the dbt macro `sentiment_tokens` (dbt_project/macros/sentiment_tokens.sql); training
and evaluation render that macro with plain Jinja, so the model learns from exactly the tokens it is scored on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import jinja2
import pyarrow as pa

MACRO_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "macros" / "sentiment_tokens.sql"


@cache
def _macros():
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(MACRO_FILE.read_text()).module


def sentiment_tokens_sql(text_sql: str, excluded_words_sql: str = "[]::varchar[]") -> str:
    """A DuckDB expression: the distinct feature tokens of the text `text_sql` (varchar[])."""
    return str(_macros().sentiment_tokens(text_sql, excluded_words_sql))


def tokenize(texts: list[str], excluded_words: list[str] | None = None) -> list[list[str]]:
    """Token lists for many texts at once, in one vectorised DuckDB query (order kept)."""
    table = pa.table({"position": list(range(len(texts))), "body": texts})
    excluded = "[" + ", ".join("'" + word.replace("'", "''") + "'" for word in excluded_words or []) + "]::varchar[]"
    with duckdb.connect() as connection:
        connection.register("texts", table)
        rows = connection.execute(
            f"select {sentiment_tokens_sql('body', excluded)} as tokens from texts order by position"
        ).fetchall()
    return [row[0] for row in rows]
