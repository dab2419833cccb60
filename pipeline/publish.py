"""Publish the checked marts to the serving folder BI tools read, swapped in atomically; keep and roll back releases.

Layout beside OUTCOMES_SERVING_PATH (default serving/outcomes.duckdb):

    serving/releases/<release id>/outcomes.duckdb    every mart, the quality history, column descriptions
    serving/releases/<release id>/parquet/<mart>.parquet
    serving/current -> releases/<release id>         the one symlink a publish or a rollback replaces
    serving/outcomes.duckdb -> current/outcomes.duckdb    what BI tools open (read-only)
    serving/parquet -> current/parquet                    what Parquet readers open

A release is written in full before `current` is replaced with os.replace (atomic within one folder), so a reader
that opens the serving path gets the old release or the new one, never a mix; a failed publish leaves `current` as
it was. The newest OUTCOMES_KEEP_RELEASES (default 5) releases are kept; `python -m pipeline.publish rollback` points
`current` back to the release before it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.duckdb_settings import connection_config
from ingest.sql import quote_ident, quote_literal
from pipeline import quality_history
from pipeline.settings import PipelinePaths, load_paths

MARTS_SCHEMA = "marts"
DEFAULT_KEEP_RELEASES = 5


@dataclass
class PublishReport:
    serving_path: str
    release: str
    published_at: str
    tables: dict[str, int]

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def serving_root(paths: PipelinePaths) -> Path:
    return paths.serving_path.parent


def releases_dir(paths: PipelinePaths) -> Path:
    return serving_root(paths) / "releases"


def current_link(paths: PipelinePaths) -> Path:
    return serving_root(paths) / "current"


def releases(paths: PipelinePaths) -> list[str]:
    """Complete releases, oldest first (release ids sort by time)."""
    folder = releases_dir(paths)
    if not folder.exists():
        return []
    return sorted(path.name for path in folder.iterdir() if (path / paths.serving_path.name).exists())


def current_release(paths: PipelinePaths) -> str | None:
    link = current_link(paths)
    return Path(os.readlink(link)).name if link.is_symlink() else None


def mart_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def mart_descriptions(manifest_path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """Model and column descriptions of the marts, from the dbt manifest of the build being published."""
    if not manifest_path.exists():
        return {}
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return {
        node["name"]: (
            node.get("description", ""),
            {column["name"]: column.get("description", "") for column in node["columns"].values()},
        )
        for node in nodes
        if node["resource_type"] == "model" and node["schema"].endswith(MARTS_SCHEMA)
    }


def add_comments(connection: duckdb.DuckDBPyConnection, table: str, descriptions: tuple[str, dict[str, str]]) -> None:
    """DuckDB comments, which BI tools that read the catalog show beside tables and columns."""
    table_description, columns = descriptions
    connection.execute(f"comment on table main.{quote_ident(table)} is {quote_literal(table_description.strip())}")
    present = {name for (name,) in connection.execute(f"select name from pragma_table_info('{table}')").fetchall()}
    for column, description in columns.items():
        if column in present and description:
            connection.execute(
                f"comment on column main.{quote_ident(table)}.{quote_ident(column)}"
                f" is {quote_literal(description.strip())}"
            )


def write_release(paths: PipelinePaths, release_dir: Path, release: str, published_at: datetime) -> dict[str, int]:
    tables: dict[str, int] = {}
    descriptions = mart_descriptions(paths.dbt_target_dir / "manifest.json")
    parquet_dir = release_dir / "parquet"
    parquet_dir.mkdir(parents=True)
    with duckdb.connect(str(release_dir / paths.serving_path.name), config=connection_config()) as connection:
        connection.execute(f"attach {quote_literal(str(paths.warehouse_path))} as warehouse (read_only)")
        names = mart_tables(connection, "warehouse")
        if not names:
            raise RuntimeError(f"No tables in schema '{MARTS_SCHEMA}' of {paths.warehouse_path}: nothing to publish")
        for name in names:
            table = f"main.{quote_ident(name)}"
            connection.execute(f"create table {table} as select * from warehouse.{MARTS_SCHEMA}.{quote_ident(name)}")
            tables[name] = connection.execute(f"select count(*) from {table}").fetchone()[0]
            if name in descriptions:
                add_comments(connection, name, descriptions[name])
            parquet_file = quote_literal(str(parquet_dir / f"{name}.parquet"))
            connection.execute(f"copy {table} to {parquet_file} (format parquet)")
        connection.execute("detach warehouse")
        history = paths.quality_history_path
        if history.exists():
            connection.execute(f"attach {quote_literal(str(history))} as history (read_only)")
            table = quality_history.TABLE
            connection.execute(f"create table main.{table} as select * from history.main.{table}")
            connection.execute("detach history")
        connection.execute(
            "create table _publish_info as select ? as release, ?::timestamp as published_at, ? as source_warehouse",
            [release, published_at.replace(tzinfo=None), str(paths.warehouse_path)],
        )
        connection.execute("create table _publish_tables (table_name varchar, row_count bigint)")
        connection.executemany("insert into _publish_tables values (?, ?)", list(tables.items()))
        connection.execute("checkpoint")
    return tables


def point_current_to(paths: PipelinePaths, release: str) -> None:
    """Replace the `current` symlink in one atomic rename, and make sure the stable reader paths exist."""
    root = serving_root(paths)
    staged = root / f".current.{uuid.uuid4().hex}"
    staged.symlink_to(Path("releases") / release)
    os.replace(staged, current_link(paths))
    for name in (paths.serving_path.name, "parquet"):
        stable = root / name
        target = Path("current") / name
        if not stable.is_symlink() or Path(os.readlink(stable)) != target:
            staged = root / f".{name}.{uuid.uuid4().hex}"
            staged.symlink_to(target)
            if stable.is_dir() and not stable.is_symlink():
                shutil.rmtree(stable)
            os.replace(staged, stable)


def prune(paths: PipelinePaths, keep: int) -> None:
    current = current_release(paths)
    for release in releases(paths)[:-keep]:
        if release != current:
            shutil.rmtree(releases_dir(paths) / release)


def keep_releases() -> int:
    """OUTCOMES_KEEP_RELEASES, at least 2 (the current release and the one to roll back to); unset or empty: the
    default."""
    value = os.environ.get("OUTCOMES_KEEP_RELEASES", "").strip()
    if not value:
        return DEFAULT_KEEP_RELEASES
    try:
        return max(2, int(value))
    except ValueError:
        raise ValueError(f"OUTCOMES_KEEP_RELEASES must be a whole number of releases, got {value!r}") from None


def publish(paths: PipelinePaths) -> PublishReport:
    """Write a new release of every mart, then make it current."""
    published_at = datetime.now(UTC)
    release = f"{published_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"
    releases_dir(paths).mkdir(parents=True, exist_ok=True)
    incoming = releases_dir(paths) / f".{release}.incoming"
    try:
        tables = write_release(paths, incoming, release, published_at)
        with open(incoming / paths.serving_path.name, "rb") as handle:
            os.fsync(handle.fileno())
        os.rename(incoming, releases_dir(paths) / release)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    point_current_to(paths, release)
    prune(paths, keep_releases())
    return PublishReport(str(paths.serving_path), release, published_at.isoformat(timespec="seconds"), tables)


def rollback(paths: PipelinePaths) -> str:
    """Point `current` at the release before it; returns that release."""
    kept, current = releases(paths), current_release(paths)
    if current not in kept or kept.index(current) == 0:
        raise RuntimeError(f"No release before {current!r} to roll back to (kept: {kept})")
    previous = kept[kept.index(current) - 1]
    point_current_to(paths, previous)
    return previous


def main(argv: list[str]) -> int:
    paths = load_paths()
    if argv[:1] == ["rollback"]:
        before = current_release(paths)
        print(f"Rolled back {paths.serving_path} from release {before} to {rollback(paths)}")
        return 0
    if argv[:1] == ["list"]:
        current = current_release(paths)
        for release in releases(paths):
            print(f"{'*' if release == current else ' '} {release}")
        return 0
    print("usage: python -m pipeline.publish rollback | list", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
