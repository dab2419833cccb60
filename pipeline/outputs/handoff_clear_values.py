"""The hand-off's clear values: the body and who wrote each item, as the default serving copy no longer shows them.

The serving release says which items are current; their clear values come from the restricted release
(serving/restricted/, when published), else from the warehouse's marts; each key from the first source that has it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from pipeline.outputs import privacy_mask
from pipeline.settings import PipelinePaths

log = logging.getLogger(__name__)

# Who wrote an item, from fct_interactions and the contact's current dim_contacts row; added after the mart's columns.
AUTHOR_COLUMNS = ("author_key", "contact_key", "contact_name", "contact_email", "contact_handle")
CLEAR_VALUES_SQL = """
select
    routing.feedback_key,
    routing.body,
    interactions.actor_key as author_key,
    interactions.contact_key,
    contacts.full_name as contact_name,
    contacts.email as contact_email,
    contacts.social_handle as contact_handle
from {schema}mart_feedback_routing as routing
left join {schema}fct_interactions as interactions on routing.feedback_key = interactions.interaction_key
left join {schema}dim_contacts as contacts on interactions.contact_key = contacts.contact_key and contacts.is_current
where routing.feedback_key in (select unnest($keys))
"""


class NoClearSource(RuntimeError):
    pass


def clear_sources(paths: PipelinePaths) -> list[tuple[str, Path, str]]:
    """(label, DuckDB file, schema prefix) to read clear values from, in order: the restricted release, the
    warehouse."""
    restricted = privacy_mask.restricted_serving_path(paths.serving_path)
    sources = [("restricted release", restricted, "")] if restricted.exists() else []
    return [*sources, ("warehouse", paths.warehouse_path, f"{privacy_mask.MARTS_SCHEMA}.")]


def read_clear_values(path: Path, schema: str, keys: list[str]) -> dict[str, dict]:
    with privacy_mask.open_read_only(path) as connection:
        result = connection.execute(CLEAR_VALUES_SQL.format(schema=schema), {"keys": keys})
        columns = [column[0] for column in result.description]
        return {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in result.fetchall()}


def clear_values(paths: PipelinePaths, keys: list[str]) -> tuple[dict[str, dict], list[str]]:
    """feedback_key -> body and author columns in clear, and the sources read; each key from the first source that
    has it. Raises when no source can be read: the items would reach the team redacted."""
    found: dict[str, dict] = {}
    used: list[str] = []
    problems: list[str] = []
    for label, path, schema in clear_sources(paths):
        wanted = [key for key in keys if key not in found]
        if not wanted:
            break
        try:
            values = read_clear_values(path, schema, wanted)
        except (duckdb.Error, OSError) as error:
            problems.append(f"{label} {path}: {error}")
            log.warning("Clear values for the hand-off not read from the %s %s: %s", label, path, error)
            continue
        found |= values
        used.append(f"{label} {path}")
    if keys and not used:
        raise NoClearSource(f"No source of clear texts for the hand-off could be read: {'; '.join(problems)}")
    missing = len(keys) - len(found)
    if missing:
        log.warning(
            "%d handed-off items are in no clear source (erased since the release?): serving values kept", missing
        )
    return found, used


def with_clear_values(
    paths: PipelinePaths, columns: list[str], items: list[dict]
) -> tuple[list[str], list[dict], dict]:
    """The items with their clear body and author columns, and what the report says about where they came from."""
    found, used = clear_values(paths, [item["feedback_key"] for item in items])
    blank = dict.fromkeys(AUTHOR_COLUMNS)
    merged = [item | blank | found.get(item["feedback_key"], {}) for item in items]
    extra = [column for column in AUTHOR_COLUMNS if column not in columns]
    return (
        [*columns, *extra],
        merged,
        {"clear_values_from": used, "items_without_clear_values": len(items) - len(found)},
    )
