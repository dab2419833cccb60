"""Writing one release folder: the DuckDB file BI tools open and one Parquet file per mart.

A mart whose fingerprint and descriptions equal the current release's is reused, not copied again: its Parquet
file is hard-linked from the current release (a link, not a symlink, so pruning the release that first wrote it
leaves the file readable), and the release's DuckDB file starts as a byte copy of the current one, from which the
changed marts and the per-release tables are dropped and written again. The release is written in full when there
is nothing to reuse: the first release, a current release written before fingerprints or by another DuckDB
version, a current file with most of its blocks free (rewriting compacts it), or `full=True`.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.duckdb_settings import connection_config
from ingest.sql import quote_ident, quote_literal
from pipeline import quality_history
from pipeline.publish import fingerprints
from pipeline.publish.layout import MARTS_SCHEMA, release_file
from pipeline.publish.privacy import ServingPolicy
from pipeline.settings import PipelinePaths

# A reused release file with more than this share of its blocks free is rewritten in full instead.
MAX_FREE_SHARE = 0.5
PER_RELEASE_TABLES = ("_publish_info", "_publish_tables", quality_history.TABLE)


@dataclass
class WrittenRelease:
    tables: dict[str, int]
    reused: list[str] = field(default_factory=list)
    reused_from: str | None = None


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


SERVING_NOTES = {
    "identifier": "In this copy: a keyed pseudonym (p_ + HMAC-SHA256), the same for the same person in every mart.",
    "name": "In this copy: empty (personal data).",
    "free_text": "In this copy: emails, phone numbers, URL paths and private @handles masked.",
}


def add_comments(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    descriptions: tuple[str, dict[str, str]],
    kinds: dict[str, str] | None = None,
) -> None:
    """DuckDB comments, which BI tools that read the catalog show beside tables and columns; `kinds` adds how the
    copy wrote each personal-data column."""
    table_description, columns = descriptions
    columns = dict(columns)
    for column, kind in (kinds or {}).items():
        columns[column] = f"{columns.get(column, '').strip()} {SERVING_NOTES[kind]}".strip()
    connection.execute(f"comment on table main.{quote_ident(table)} is {quote_literal(table_description.strip())}")
    present = {name for (name,) in connection.execute(f"select name from pragma_table_info('{table}')").fetchall()}
    for column, description in columns.items():
        if column in present and description:
            connection.execute(
                f"comment on column main.{quote_ident(table)}.{quote_ident(column)}"
                f" is {quote_literal(description.strip())}"
            )


def reusable_marts(
    paths: PipelinePaths,
    current: str | None,
    found: dict[str, fingerprints.MartFingerprint],
    description_digests: dict[str, str],
) -> dict[str, fingerprints.PublishedMart]:
    """The marts the new release can take from the current one unchanged; empty when it must be written in full."""
    if current is None:
        return {}
    current_file = release_file(paths, current)
    if Path(f"{current_file}.wal").exists() or free_share(current_file) > MAX_FREE_SHARE:
        return {}
    published = fingerprints.published_marts(current_file)
    parquet_dir = current_file.parent / "parquet"
    return {
        name: mart
        for name, mart in published.items()
        if name in found
        and mart.fingerprint == found[name].digest
        and mart.description_digest == description_digests[name]
        and (parquet_dir / f"{name}.parquet").is_file()
    }


def free_share(database: Path) -> float:
    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            free, total = connection.execute(
                "select free_blocks, total_blocks from pragma_database_size() where database_name = current_database()"
            ).fetchone()
    except duckdb.Error:
        return 1.0
    return free / total if total else 0.0


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_release(
    paths: PipelinePaths,
    release_dir: Path,
    release: str,
    published_at: datetime,
    current: str | None,
    policy: ServingPolicy,
    full: bool = False,
) -> WrittenRelease:
    descriptions = mart_descriptions(paths.dbt_target_dir / "manifest.json")
    found = fingerprints.warehouse_fingerprints(paths.warehouse_path, MARTS_SCHEMA)
    if not found:
        raise RuntimeError(f"No tables in schema '{MARTS_SCHEMA}' of {paths.warehouse_path}: nothing to publish")
    columns = warehouse_columns(paths.warehouse_path)
    # What a reused mart must share with the new one: content, descriptions, and how this copy writes personal data.
    description_digests = {
        name: fingerprints.digest([descriptions.get(name), policy.digest(name, columns[name])]) for name in found
    }
    reused = {} if full else reusable_marts(paths, current, found, description_digests)
    validated = fingerprints.read_validated(paths)
    parquet_dir = release_dir / "parquet"
    parquet_dir.mkdir(parents=True)
    target = release_dir / paths.serving_path.name
    # Copying the current file pays when most of its rows are reused; when most marts changed, dropping and
    # rewriting them in a copy costs more than a fresh file (and leaves it half free blocks).
    reused_rows = sum(found[name].rows for name in reused)
    copy_file = bool(reused) and 2 * reused_rows >= sum(mart.rows for mart in found.values())
    if copy_file:
        shutil.copyfile(release_file(paths, current), target)
    if reused:
        for name in reused:
            link_or_copy(
                release_file(paths, current).parent / "parquet" / f"{name}.parquet", parquet_dir / f"{name}.parquet"
            )
    with duckdb.connect(str(target), config=connection_config()) as connection:
        for (name,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
        ).fetchall():
            if name not in reused or not copy_file:
                connection.execute(f"drop table main.{quote_ident(name)}")
        connection.execute(f"attach {quote_literal(str(paths.warehouse_path))} as warehouse (read_only)")
        for name in found:
            if name in reused and copy_file:
                continue
            table = f"main.{quote_ident(name)}"
            source = f"warehouse.{MARTS_SCHEMA}.{quote_ident(name)}"
            connection.execute(f"create table {table} as {policy.select_sql(name, columns[name], source)}")
            kinds = {} if policy.restricted else policy.kinds(name, columns[name])
            if name in descriptions or kinds:
                add_comments(connection, name, descriptions.get(name, ("", {})), kinds)
            if name not in reused:
                parquet_file = quote_literal(str(parquet_dir / f"{name}.parquet"))
                connection.execute(f"copy {table} to {parquet_file} (format parquet)")
        # The fingerprints were taken before these copies; a warehouse changed in between is caught here.
        after = fingerprints.table_fingerprints(connection, "warehouse", MARTS_SCHEMA, list(found))
        changed = [name for name in found if after[name] != found[name]]
        if changed:
            raise RuntimeError(f"The warehouse changed while publishing ({', '.join(changed)}); nothing was published")
        connection.execute("detach warehouse")
        history = paths.quality_history_path
        if history.exists():
            connection.execute(f"attach {quote_literal(str(history))} as history (read_only)")
            table = quality_history.TABLE
            failures = "failures"
            if not policy.restricted:  # a failed check's message may quote the values it found
                failures = f"list_transform(failures, lambda f: {policy.redact_sql('f')})"
            connection.execute(
                f"create table main.{table} as select * replace ({failures} as failures) from history.main.{table}"
            )
            connection.execute("detach history")
        connection.execute(
            "create table _publish_info as select ? as release, ?::timestamp as published_at, ? as source_warehouse,"
            " ? as reused_from",
            [release, published_at.replace(tzinfo=None), str(paths.warehouse_path), current if reused else None],
        )
        connection.execute(
            "create table _publish_tables (table_name varchar, row_count bigint, fingerprint varchar,"
            " description_digest varchar, validation_key varchar, validated_in varchar)"
        )
        connection.executemany(
            "insert into _publish_tables values (?, ?, ?, ?, ?, ?)",
            [
                [
                    name,
                    mart.rows,
                    mart.digest,
                    description_digests[name],
                    *validation(validated.get(name), mart, release),
                ]
                for name, mart in found.items()
            ],
        )
        connection.execute("checkpoint")
    return WrittenRelease(
        {name: mart.rows for name, mart in found.items()}, sorted(reused), current if reused else None
    )


def warehouse_columns(warehouse_path: Path) -> dict[str, dict[str, str]]:
    """mart -> {column name: DuckDB type}, in column order."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = ?"
            " order by table_name, ordinal_position",
            [MARTS_SCHEMA],
        ).fetchall()
    found: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, {})[column] = data_type
    return found


def validation(entry: dict | None, mart: fingerprints.MartFingerprint, release: str) -> tuple[str | None, str | None]:
    """(validation key, release validated in) of what the gate validated, when it validated this very content."""
    if not entry or entry.get("fingerprint") != mart.digest:
        return None, None
    return entry.get("validation_key"), entry.get("validated_in") or release
