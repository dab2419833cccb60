"""What the generated DAGs are made of: the `ingest_dags` and `transform` sections of config/sources.yml, read into
one `IngestSource` per source, plus the Airflow asset of each raw table.

dags/ingest_sources.py makes one DAG per enabled source from these; dags/social_outcomes.py schedules the transform
on the assets they update. Reading the file costs milliseconds, so DAG files stay fast to parse.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pendulum
import yaml
from airflow.sdk import Asset, AssetAll, AssetAny
from airflow.sdk.definitions.timetables.assets import AssetOrTimeSchedule, AssetTriggeredTimetable
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

from ingest import file_drops

FILE_DROPS_MODULE = "file_drops"
TRIGGERS = ("all", "any")


class IngestDagConfigError(ValueError):
    pass


@dataclass(frozen=True)
class IngestSource:
    name: str
    tables: tuple[str, ...]
    streams: tuple[str, ...]
    schedule: str | None  # None: runs only when triggered
    start_date: datetime
    catchup: bool
    end_date: datetime | None = None

    @property
    def dag_id(self) -> str:
        return f"ingest_{self.name}"

    @property
    def assets(self) -> list[Asset]:
        return [raw_asset(table) for table in self.tables]


def raw_asset(table: str) -> Asset:
    return Asset(name=f"raw.{table}", uri=f"duckdb://warehouse/raw/{table}", group="raw")


def _read(config_path: Path) -> dict:
    config = yaml.safe_load(Path(config_path).read_text()) or {}
    if not isinstance(config.get("ingest_dags"), dict):
        raise IngestDagConfigError(f"{config_path}: no `ingest_dags` section")
    return config


def module_tables(module: str, config_path: Path) -> tuple[str, ...]:
    if module == FILE_DROPS_MODULE:
        return tuple(drop.entity.table for drop in file_drops.load_config(config_path))
    try:
        entities = importlib.import_module(f"ingest.{module}").ENTITIES
    except (ModuleNotFoundError, AttributeError) as exc:
        raise IngestDagConfigError(f"ingest module `{module}` not found or has no ENTITIES") from exc
    return tuple(entity.table for entity in entities)


def load_sources(config_path: Path) -> list[IngestSource]:
    """The enabled sources, each with the raw tables of its modules; a table belongs to one source only."""
    section = _read(config_path)["ingest_dags"]
    defaults = section.get("defaults") or {}
    sources, owner = [], {}
    for name, entry in (section.get("sources") or {}).items():
        settings = {**defaults, **(entry or {})}
        if not settings.get("enabled", True):
            continue
        modules = settings.get("modules") or []
        if not modules:
            raise IngestDagConfigError(f"ingest_dags.sources.{name}: list its ingest `modules`")
        # dict.fromkeys: a table fed by two file shapes (CRM CSV exports and API pages) is listed once.
        tables = tuple(dict.fromkeys(table for module in modules for table in module_tables(module, config_path)))
        if not tables:
            continue  # e.g. file_drops with every drop disabled: nothing to load
        for table in tables:
            if table in owner:
                raise IngestDagConfigError(f"raw.{table} is loaded by both {owner[table]} and {name}")
            owner[table] = name
        sources.append(
            IngestSource(
                name=name,
                tables=tables,
                streams=tuple(settings.get("streams") or ()),
                schedule=_schedule(name, settings),
                start_date=_date(settings.get("start_date", "2025-01-01")),
                catchup=bool(settings.get("catchup", False)),
                end_date=_date(settings["end_date"]) if settings.get("end_date") else None,
            )
        )
    return sources


def _schedule(name: str, settings: dict) -> str | None:
    if "schedule" not in settings:
        return "@daily"
    schedule = settings["schedule"]
    if schedule is not None and not (isinstance(schedule, str) and schedule.strip()):
        raise IngestDagConfigError(f"ingest_dags.sources.{name}.schedule: a cron or preset string, or null")
    return schedule


def _date(value) -> datetime:
    return pendulum.parse(str(value), tz="UTC")


def transform_schedule(config_path: Path, sources: list[IngestSource]):
    """The transform's schedule: all (or any) of the raw-table assets, as the timetable Airflow itself would make;
    with `transform.schedule` (a cron) also on that clock, for data an EL tool syncs into the connector schemas
    (README "Already syncing with Fivetran?"), which no ingest DAG announces.

    Given as a timetable rather than the bare condition because Airflow hashes a DAG's `schedule` at every task
    dependency it sets, and hashing 32 assets each time was most of the transform file's parse time (0.97 of
    1.56 s under a profiler; a timetable hashes by identity)."""
    transform = _read(config_path).get("transform") or {}
    trigger = transform.get("trigger") or "all"
    cron = transform.get("schedule")
    if trigger not in TRIGGERS:
        raise IngestDagConfigError(f"transform.trigger must be one of {TRIGGERS}, got {trigger!r}")
    assets = [asset for source in sources for asset in source.assets]
    if not assets and not cron:
        raise IngestDagConfigError(
            "no enabled ingest source and no transform.schedule: the transform DAG would never run"
        )
    if cron:
        clock = CronTriggerTimetable(cron, timezone="UTC")
        if not assets:
            return clock
        condition = AssetAll(*assets) if trigger == "all" else AssetAny(*assets)
        return AssetOrTimeSchedule(assets=condition, timetable=clock)
    return AssetTriggeredTimetable(AssetAll(*assets) if trigger == "all" else AssetAny(*assets))


def source(config_path: Path, name: str) -> IngestSource:
    for candidate in load_sources(config_path):
        if candidate.name == name:
            return candidate
    raise IngestDagConfigError(f"no enabled ingest source named {name}")
