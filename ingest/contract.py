"""The SQL that types a file's records and names every way a record breaks its entity's contract.

A record that breaks the contract goes to quarantine with the reasons; the others load. Checks:
- a required field is missing or empty;
- a BIGINT or BOOLEAN field holds something else;
- a text field is longer than MAX_TEXT_CHARS;
- the event time is not a timestamp, or lies before EARLIEST_EVENT or more than a day after the load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ingest.entity import Entity
from ingest.incoming import BARE_CR_STAND_IN
from ingest.sql import quote_ident, quote_literal
from ingest.timestamps import utc_timestamp_sql

MAX_TEXT_CHARS = 100_000
EARLIEST_EVENT = "1990-01-01"
TYPE_NAMES = {"BIGINT": "an integer", "BOOLEAN": "a boolean"}


@dataclass(frozen=True)
class FieldAccess:
    """How to read a declared field from one incoming record, as text and as JSON."""

    text: Callable[[str], str]
    json: Callable[[str], str]


def json_path(name: str) -> str:
    return quote_literal('$."' + name.replace('"', '\\"') + '"')


def _json_columns(entity: Entity) -> list[str]:
    return [name for name, type_ in entity.columns if type_ == "JSON"]


def json_fields_sql(entity: Entity) -> str:
    """Every declared field of `rec` as text, and the JSON-typed ones as JSON, each list extracted in one parse
    (lists `_text` and `_json`)."""
    paths = ", ".join(json_path(name) for name in entity.column_names)
    json_paths = ", ".join(json_path(name) for name in _json_columns(entity))
    as_json = f"json_extract(rec, [{json_paths}])" if json_paths else "CAST([] AS JSON[])"
    return f"SELECT rec, json_extract_string(rec, [{paths}]) AS _text, {as_json} AS _json"


def json_access(entity: Entity) -> FieldAccess:
    """Fields of a JSON record, read from the lists `json_fields_sql` extracted (DuckDB lists count from 1)."""
    position = {name: index + 1 for index, name in enumerate(entity.column_names)}
    json_position = {name: index + 1 for index, name in enumerate(_json_columns(entity))}
    return FieldAccess(
        text=lambda name: f"_text[{position[name]}]",
        json=lambda name: f"nullif(_json[{json_position[name]}], 'null'::JSON)",
    )


def csv_access(present: set[str], bare_cr_in_text: bool = False) -> FieldAccess:
    """CSV fields are text columns; a declared column the header lacks reads as NULL."""

    def text(name: str) -> str:
        if name not in present:
            return "CAST(NULL AS VARCHAR)"
        value = f"nullif({quote_ident(name)}, '')"
        return f"replace({value}, chr({ord(BARE_CR_STAND_IN)}), chr(13))" if bare_cr_in_text else value

    return FieldAccess(text=text, json=lambda name: f"CAST({text(name)} AS JSON)")


def typed_value(entity: Entity, access: FieldAccess, name: str, type_: str) -> str:
    if type_ == "JSON":
        return access.json(name)
    if type_ == "VARCHAR":
        return access.text(name)
    return f"try_cast({access.text(name)} AS {type_})"


def event_time_sql(entity: Entity, access: FieldAccess) -> str:
    raw = access.text(entity.event_time)
    if entity.event_time_is_unix_seconds:
        return f"make_timestamp(try_cast({raw} AS BIGINT) * 1000000)"
    return utc_timestamp_sql(raw, entity.time_zone, entity.event_time_format)


def violations(entity: Entity, access: FieldAccess, loaded_at: datetime) -> str:
    """One text per record: the reasons it breaks the contract joined by '; ', or '' when it keeps it."""
    checks: list[str] = []
    for name in entity.required:
        checks.append(
            f"CASE WHEN nullif(trim({access.text(name)}), '') IS NULL THEN 'missing required field {name}' END"
        )
    for name, type_ in entity.columns:
        text = access.text(name)
        if type_ in TYPE_NAMES:
            checks.append(
                f"CASE WHEN {text} IS NOT NULL AND try_cast({text} AS {type_}) IS NULL "
                f"THEN '{name} is not {TYPE_NAMES[type_]}: ' || left({text}, 40) END"
            )
        if type_ == "VARCHAR":
            # strlen (bytes) is cheap and never less than length (characters): length runs only on long texts.
            checks.append(
                f"CASE WHEN strlen({text}) > {MAX_TEXT_CHARS} AND length({text}) > {MAX_TEXT_CHARS} "
                f"THEN '{name} is longer than {MAX_TEXT_CHARS} characters (' || length({text}) || ')' END"
            )
    if entity.event_time:
        raw, moment = access.text(entity.event_time), event_time_sql(entity, access)
        latest = quote_literal(loaded_at.isoformat(sep=" "))
        checks.append(
            f"CASE WHEN {raw} IS NOT NULL AND {moment} IS NULL "
            f"THEN '{entity.event_time} is not a timestamp: ' || left({raw}, 40) "
            f"WHEN {moment} NOT BETWEEN TIMESTAMP '{EARLIEST_EVENT}' AND TIMESTAMP {latest} + INTERVAL 1 DAY "
            f"THEN '{entity.event_time} out of range: ' || left({raw}, 40) END"
        )
    return f"concat_ws('; ', {', '.join(checks)})" if checks else "''"
