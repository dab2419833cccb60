"""Generic file drops: any CSV, JSONL or Parquet export declared in the sources configuration (`file_drops:`).

Each enabled drop becomes an entity with its own raw table (`raw.drop_<name>`), contract, quarantine and audit like
the built-in sources. A drop may also map its columns onto one of the canonical entities; ingest then keeps a view
per canonical entity (`raw.file_drop_<entity>`) that the dbt canonical models union with the built-in sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from ingest.entity import RAW_SCHEMA, CsvRows, Entity, JsonRecords, ParquetRows
from ingest.sql import quote_ident, quote_literal
from ingest.timestamps import utc_timestamp_sql

FORMATS = {"csv": CsvRows(), "jsonl": JsonRecords(), "parquet": ParquetRows()}
COLUMN_TYPES = {"VARCHAR", "BIGINT", "BOOLEAN", "JSON"}
# The columns a drop can fill in each canonical entity (the dbt models' `int_canonical__<entity>` shape).
CANONICAL_COLUMNS: dict[str, dict[str, str]] = {
    "interactions": {
        "interaction_id": "VARCHAR",
        "channel": "VARCHAR",
        "direction": "VARCHAR",
        "actor_id": "VARCHAR",
        "conversation_key": "VARCHAR",
        "occurred_at": "TIMESTAMP",
        "body": "VARCHAR",
        "rating": "INTEGER",
    },
    "touchpoints": {
        "touchpoint_id": "VARCHAR",
        "contact_key": "VARCHAR",
        "contact_email": "VARCHAR",
        "account_key": "VARCHAR",
        "channel": "VARCHAR",
        "touchpoint_type": "VARCHAR",
        "detail": "VARCHAR",
        "occurred_at": "TIMESTAMP",
        "amount": "DECIMAL(18, 2)",
        "currency": "VARCHAR",
    },
    "accounts": {
        "account_id": "VARCHAR",
        "account_name": "VARCHAR",
        "industry": "VARCHAR",
        "annual_revenue": "DECIMAL(18, 2)",
        "currency": "VARCHAR",
        "employee_count": "INTEGER",
        "country": "VARCHAR",
        "created_at": "TIMESTAMP",
    },
    "contacts": {
        "contact_id": "VARCHAR",
        "account_key": "VARCHAR",
        "email": "VARCHAR",
        "social_handle": "VARCHAR",
        "full_name": "VARCHAR",
        "city": "VARCHAR",
        "region": "VARCHAR",
        "created_at": "TIMESTAMP",
    },
    "opportunities": {
        "opportunity_id": "VARCHAR",
        "account_key": "VARCHAR",
        "contact_key": "VARCHAR",
        "stage_name": "VARCHAR",
        "amount": "DECIMAL(18, 2)",
        "currency": "VARCHAR",
        "created_at": "TIMESTAMP",
        "close_date": "DATE",
        "is_closed": "BOOLEAN",
        "is_won": "BOOLEAN",
        "lead_source": "VARCHAR",
        "product_name": "VARCHAR",
    },
}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class FileDropConfigError(ValueError):
    """A `file_drops` entry in the sources configuration is invalid; the message names the drop and the field."""


@dataclass(frozen=True)
class FileDrop:
    name: str
    entity: Entity
    canonical: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()  # (canonical column, SQL over the drop's raw table)


def load_config(config_path: Path | None) -> list[FileDrop]:
    """The enabled file drops of a sources configuration file (none if there is no file or no `file_drops`)."""
    if config_path is None or not Path(config_path).is_file():
        return []
    config = yaml.safe_load(Path(config_path).read_text()) or {}
    entries = config.get("file_drops") or []
    if not isinstance(entries, list):
        raise FileDropConfigError("file_drops must be a list of drops")
    drops = [parse_drop(entry) for entry in entries if entry.get("enabled", True)]
    names = [drop.name for drop in drops]
    if len(set(names)) != len(names):
        raise FileDropConfigError(f"file_drops: names must be unique, got {names}")
    return drops


def parse_drop(entry: dict) -> FileDrop:
    name = str(entry.get("name", ""))
    where = f"file_drops[{name or '?'}]"
    if not NAME_PATTERN.match(name):
        raise FileDropConfigError(f"{where}: name must be lower-case letters, digits and _ (got {name!r})")
    fmt = entry.get("format")
    if fmt not in FORMATS:
        raise FileDropConfigError(f"{where}: format must be one of {sorted(FORMATS)} (got {fmt!r})")
    globs = entry.get("glob")
    globs = (globs,) if isinstance(globs, str) else tuple(globs or ())
    if not globs:
        raise FileDropConfigError(f"{where}: glob is required (a pattern relative to the landing folder)")
    columns = list(entry.get("columns") or [])
    if not columns:
        raise FileDropConfigError(f"{where}: columns is required (the fields the drop promises)")
    types = {column: str(type_).upper() for column, type_ in (entry.get("types") or {}).items()}
    for column, type_ in types.items():
        if column not in columns or type_ not in COLUMN_TYPES:
            raise FileDropConfigError(
                f"{where}: types.{column} must name a declared column and one of {sorted(COLUMN_TYPES)}"
            )
    required = tuple(entry.get("required") or ())
    event_time = entry.get("event_time")
    time_zone = _time_zone(where, entry.get("time_zone"))
    event_time_format = entry.get("event_time_format")
    if event_time_format is not None and (not isinstance(event_time_format, str) or "%" not in event_time_format):
        raise FileDropConfigError(
            f"{where}: event_time_format must be a strptime format such as '%d/%m/%Y %H:%M' (got {event_time_format!r})"
        )
    for column in (*required, *([event_time] if event_time else [])):
        if column not in columns:
            raise FileDropConfigError(f"{where}: {column!r} is not a declared column")
    entity = Entity(
        f"drop_{name}",
        globs,
        [(column, types.get(column, "VARCHAR")) for column in columns],
        CsvRows(bare_cr_in_text=True) if fmt == "csv" and entry.get("bare_cr_in_text") else FORMATS[fmt],
        required=required,
        event_time=event_time,
        event_time_format=event_time_format,
        time_zone=time_zone,
    )
    canonical = entry.get("canonical")
    if canonical is None:
        return FileDrop(name, entity)
    target = canonical.get("entity")
    if target not in CANONICAL_COLUMNS:
        raise FileDropConfigError(f"{where}: canonical.entity must be one of {sorted(CANONICAL_COLUMNS)}")
    mapping = []
    for column, spec in (canonical.get("columns") or {}).items():
        if column not in CANONICAL_COLUMNS[target]:
            raise FileDropConfigError(f"{where}: {target} has no column {column!r}")
        value = _mapped_sql(where, column, spec, columns)
        type_ = CANONICAL_COLUMNS[target][column]
        if type_ in ("TIMESTAMP", "DATE") and not (isinstance(spec, dict) and "value" in spec):
            fmt = event_time_format if _source_column(spec) == event_time else None
            value = utc_timestamp_sql(value, time_zone, fmt)
        mapping.append((column, value))
    id_column = next(iter(CANONICAL_COLUMNS[target]))
    if id_column not in dict(mapping):
        raise FileDropConfigError(f"{where}: canonical.columns must map {id_column}")
    return FileDrop(name, entity, target, tuple(mapping))


def _time_zone(where: str, time_zone) -> str | None:
    """An IANA time zone name DuckDB knows (checked here, so a typo stops ingest instead of failing every record)."""
    if time_zone is None:
        return None
    try:
        with duckdb.connect() as con:
            con.execute(f"SELECT TIMESTAMP '2000-01-01' AT TIME ZONE {quote_literal(str(time_zone))}")
    except duckdb.Error:
        raise FileDropConfigError(
            f"{where}: time_zone must be an IANA time zone such as 'America/Los_Angeles' (got {time_zone!r})"
        ) from None
    return str(time_zone)


def _source_column(spec) -> str | None:
    return spec.get("column") if isinstance(spec, dict) else spec


def _mapped_sql(where: str, column: str, spec, declared: list[str]) -> str:
    """A mapping is a declared column's name, {value: a constant}, or {column: name, prefix: text} (for keys of
    another canonical entity, e.g. prefix `crm:` to point at CRM accounts)."""
    if isinstance(spec, dict) and "value" in spec:
        return quote_literal(str(spec["value"]))
    source, prefix = (spec.get("column"), spec.get("prefix", "")) if isinstance(spec, dict) else (spec, "")
    if source not in declared:
        raise FileDropConfigError(f"{where}: canonical.columns.{column} maps {source!r}, not a declared column")
    value = f"nullif(trim(CAST({quote_ident(source)} AS VARCHAR)), '')"
    return f"{quote_literal(prefix)} || {value}" if prefix else value


def create_canonical_views(con: duckdb.DuckDBPyConnection, drops: list[FileDrop]) -> None:
    """One view per canonical entity over every drop mapped to it; an empty, typed view when none is."""
    for target, columns in CANONICAL_COLUMNS.items():
        selects = []
        for drop in (drop for drop in drops if drop.canonical == target):
            mapped = dict(drop.mapping)
            fields = ", ".join(
                f"CAST({mapped.get(column, 'NULL')} AS {type_}) AS {quote_ident(column)}"
                for column, type_ in columns.items()
            )
            # Raw keeps every version of a record; the view keeps the latest, as the staging models do.
            selects.append(
                f"SELECT {quote_literal(drop.name)} AS source_system, {fields} FROM {drop.entity.qualified_table} "
                f"QUALIFY row_number() OVER (PARTITION BY {mapped[next(iter(columns))]} "
                "ORDER BY _loaded_at DESC, _source_file DESC) = 1"
            )
        if not selects:
            fields = ", ".join(f"CAST(NULL AS {type_}) AS {quote_ident(column)}" for column, type_ in columns.items())
            selects.append(f"SELECT CAST(NULL AS VARCHAR) AS source_system, {fields} WHERE false")
        con.execute(f"CREATE OR REPLACE VIEW {RAW_SCHEMA}.file_drop_{target} AS {' UNION ALL '.join(selects)}")
