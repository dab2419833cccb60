"""Erasing the person from the tables of a DuckDB file or from a Parquet file, in SQL over whole columns.

A file is never changed in place: the scrubbed content goes to a new file beside it, which then replaces it in one
rename. Deleting rows in place would leave their bytes in the file's blocks, a reader holding the file open (a BI
tool on the current release) would block the write, and a Parquet file hard-linked into several releases would
change in all of them at once. The new DuckDB file is written table by table from the old one's DDL (constraints
kept) and comments; the new Parquet file keeps the old one's columns and types.

A table with a `*_key` column holds one row per thing (a message, a contact, a post): the person's rows there go by
their keys, and other people's texts are left alone even when they equal one of the person's (templated messages
are common). A table without one is an aggregate or a log (term trends' example messages, the quality history):
there a cell holding one of the person's texts in any published form is emptied ([erased] in a NOT NULL column),
and their names are erased too. Everywhere, their identifiers are replaced inside texts (another customer writing
to @theirhandle).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.sql import quote_ident, quote_literal
from pipeline.publish.scrub.needles import ERASED, MIN_SKELETON_CHARS, MIN_TEXT_CHARS, Needles

SOURCE = "scrub_source"
TARGET = "scrub_target"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool = True
    comment: str | None = None

    @property
    def sql(self) -> str:
        return quote_ident(self.name)


@dataclass(frozen=True)
class Source:
    """A table to read: a relation, and an expression numbering its rows."""

    relation: str
    row_id: str


@dataclass
class TablePlan:
    """How one table is scrubbed: which rows are the person's, which other rows change, what each column becomes."""

    columns: list[Column]
    needles: Needles
    # The temporary table noting the person's rows (mark_person_rows).
    person_rows: str = "erase_person_rows"
    # The VARCHAR columns with a cell of several words, which may hold a text (survey); None: not surveyed.
    prose: set[str] | None = None

    @property
    def keyed(self) -> bool:
        return any(column.name.lower().endswith("_key") for column in self.texts)

    @property
    def texts(self) -> list[Column]:
        return [column for column in self.columns if column.data_type == "VARCHAR"]

    @property
    def lists(self) -> list[Column]:
        return [column for column in self.columns if column.data_type == "VARCHAR[]"]

    def person_row_sql(self) -> str:
        checks = [self.needles.is_row_value_sql(column.sql) for column in self.texts]
        return " or ".join(checks) if checks else "false"

    def changed_row_sql(self) -> str:
        """True for a row whose cells hold a term (or, in an aggregate, a name or one of the person's texts): one
        match over the row's text cells joined, cheaper than one per cell."""
        cells = [column.sql for column in self.texts] + [f"cast({column.sql} as varchar)" for column in self.lists]
        if not cells:
            return "false"
        checks = [self.needles.matches_sql(f"concat_ws(chr(10), {', '.join(cells)})", everything=not self.keyed)]
        if not self.keyed:
            checks += [self.needles.is_text_sql(column.sql) for column in self.texts if self.may_hold_text(column)]
        return " or ".join(checks)

    def new_value_sql(self, column: Column) -> str:
        if column in self.lists:
            element = self.needles.replace_sql("element", everything=not self.keyed)
            return f"list_transform({column.sql}, lambda element: {element}) as {column.sql}"
        if column not in self.texts:
            return column.sql
        value = self.needles.replace_sql(column.sql, everything=not self.keyed)
        if not self.keyed and self.may_hold_text(column):
            emptied = "null" if column.nullable else quote_literal(ERASED)
            value = f"case when {self.needles.is_text_sql(column.sql)} then {emptied} else {value} end"
        return f"{value} as {column.sql}"

    def may_hold_text(self, column: Column) -> bool:
        return self.prose is None or column.name in self.prose

    def survey(self, connection: duckdb.DuckDBPyConnection, source: Source) -> None:
        """Find the columns that may hold a text, in one scan without regular expressions: testing each cell of
        each column for the person's texts costs more than the rest of the scrub on a table of codes and ids."""
        if not self.texts:
            self.prose = set()
            return
        checks = ", ".join(
            f"bool_or(length({column.sql}) >= {MIN_SKELETON_CHARS} and contains({column.sql}, ' '))"
            for column in self.texts
        )
        found = connection.execute(f"select {checks} from {source.relation}").fetchone()
        self.prose = {column.name for column, holds in zip(self.texts, found, strict=True) if holds}

    def mark_person_rows(self, connection: duckdb.DuckDBPyConnection, source: Source) -> int:
        """Note the person's rows in a temporary table (once: an anti-join on row numbers then drops them far faster
        than testing every row again); returns how many."""
        connection.execute(
            f"create or replace temp table {self.person_rows} as"
            f" select {source.row_id} as row_id from {source.relation} where {self.person_row_sql()}"
        )
        return connection.execute(f"select count(*) from {self.person_rows}").fetchone()[0]

    def others(self, source: Source) -> str:
        return f"{source.relation} where {source.row_id} not in (select row_id from {self.person_rows})"

    def changed_rows(self, connection: duckdb.DuckDBPyConnection, source: Source) -> int:
        query = f"select count(*) from {self.others(source)} and ({self.changed_row_sql()})"
        return connection.execute(query).fetchone()[0]

    def select_sql(self, source: Source) -> str:
        """The rows that stay, changed where needed (after mark_person_rows)."""
        return f"select {', '.join(self.new_value_sql(column) for column in self.columns)} from {self.others(source)}"

    def found_texts(self, connection: duckdb.DuckDBPyConnection, source: Source) -> set[str]:
        """The distinct cells holding one of the person's texts: in their own rows (a table of rows) or anywhere (an
        aggregate). They are the forms the copies published, erased from reports and logs too."""
        if not self.texts or not self.needles.skeletons:
            return set()
        cells = "[" + ", ".join(column.sql for column in self.texts) + "]"
        rows = f" where {source.row_id} in (select row_id from {self.person_rows})" if self.keyed else ""
        query = (
            f"select distinct cell from (select unnest({cells}) as cell from {source.relation}{rows})"
            f" where length(cell) >= {MIN_TEXT_CHARS} and {self.needles.is_text_sql('cell')}"
        )
        return {cell for (cell,) in connection.execute(query).fetchall()}


@dataclass
class Scrubbed:
    """What scrubbing one file found: every table, and per table the person's rows removed and other rows changed
    (only what changed)."""

    tables: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    found_texts: set[str] = field(default_factory=set)

    def add(self, table: str, person_rows: int, changed_rows: int) -> None:
        self.tables.add(table)
        if person_rows:
            self.counts[table] = person_rows
        if changed_rows:
            self.counts[f"{table} changed"] = changed_rows


def scrub_table(
    connection: duckdb.DuckDBPyConnection, plan: TablePlan, source: Source, scrubbed: Scrubbed, name: str
) -> bool:
    """Count and collect what the person left in one table; whether it changes (write it with plan.select_sql)."""
    if not plan.keyed:
        plan.survey(connection, source)
    person_rows = plan.mark_person_rows(connection, source)
    changed_rows = plan.changed_rows(connection, source)
    scrubbed.add(name, person_rows, changed_rows)
    if (person_rows and plan.keyed) or (changed_rows and not plan.keyed):
        scrubbed.found_texts |= plan.found_texts(connection, source)
    return bool(person_rows or changed_rows)


def staged_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.scrub-{uuid.uuid4().hex[:8]}")


def replace_with(path: Path, staged: Path) -> None:
    """Swap `staged` in for `path` in one rename, keeping `path`'s permissions (0600 in the restricted copy)."""
    os.chmod(staged, os.stat(path).st_mode & 0o7777)
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, path)


# DuckDB files.


def checkpoint_pending_wal(path: Path) -> None:
    """A write-ahead log beside the file is folded in first: the new file must hold its changes, and a log left
    beside the new file would be replayed into it."""
    if Path(f"{path}.wal").exists():
        with duckdb.connect(str(path)) as connection:
            connection.execute("checkpoint")


def table_columns(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[Column]]:
    columns: dict[tuple[str, str], list[Column]] = {}
    for schema, table, name, data_type, nullable, comment in connection.execute(
        "select schema_name, table_name, column_name, data_type, is_nullable, comment from duckdb_columns()"
        " where database_name = ? order by schema_name, table_name, column_index",
        [SOURCE],
    ).fetchall():
        columns.setdefault((schema, table), []).append(Column(name, data_type, nullable, comment))
    return columns


def unsupported_objects(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Catalog objects the rewrite does not recreate; a file holding one is refused rather than copied without."""
    found = []
    for kind, query in (
        ("sequence", "select sequence_name from duckdb_sequences() where database_name = ?"),
        ("type", "select type_name from duckdb_types() where database_name = ? and not internal"),
        ("macro", "select function_name from duckdb_functions() where database_name = ? and not internal"),
    ):
        found += [f"{kind} {name}" for (name,) in connection.execute(query, [SOURCE]).fetchall()]
    return found


def write_scrubbed_tables(connection: duckdb.DuckDBPyConnection, needles: Needles, scrubbed: Scrubbed) -> None:
    """Every table of SOURCE into TARGET without the person, with its DDL and comments; then views and indexes."""
    columns = table_columns(connection)
    tables = connection.execute(
        "select schema_name, table_name, sql, comment from duckdb_tables() where database_name = ?", [SOURCE]
    ).fetchall()
    plans, changes = {}, {}
    for number, (schema, table, _ddl, _comment) in enumerate(tables):
        plan = TablePlan(columns[(schema, table)], needles, f"erase_person_rows_{number}")
        source = Source(f"{SOURCE}.{quote_ident(schema)}.{quote_ident(table)}", "rowid")
        name = table if schema == "main" else f"{schema}.{table}"
        plans[(schema, table)] = plan
        changes[(schema, table)] = scrub_table(connection, plan, source, scrubbed, name)
    # One transaction: hundreds of column comments each committed alone would cost more than the data.
    connection.execute("begin transaction")
    for (schema,) in connection.execute(
        "select schema_name from duckdb_schemas() where database_name = ? and not internal and schema_name <> 'main'",
        [SOURCE],
    ).fetchall():
        connection.execute(f"create schema {TARGET}.{quote_ident(schema)}")
    for schema, table, ddl, comment in tables:
        plan = plans[(schema, table)]
        qualified = f"{quote_ident(schema)}.{quote_ident(table)}"
        source = Source(f"{SOURCE}.{qualified}", "rowid")
        connection.execute(f"use {TARGET}.{quote_ident(schema)}")
        connection.execute(ddl)
        rows = plan.select_sql(source) if changes[(schema, table)] else f"select * from {source.relation}"
        connection.execute(f"insert into {TARGET}.{qualified} {rows}")
        if comment:
            connection.execute(f"comment on table {TARGET}.{qualified} is {quote_literal(comment)}")
        for column in plan.columns:
            if column.comment:
                connection.execute(
                    f"comment on column {TARGET}.{qualified}.{column.sql} is {quote_literal(column.comment)}"
                )
    for catalog_view in ("duckdb_views() where not internal and", "duckdb_indexes() where"):
        for schema, ddl in connection.execute(
            f"select schema_name, sql from {catalog_view} database_name = ? and sql is not null", [SOURCE]
        ).fetchall():
            connection.execute(f"use {TARGET}.{quote_ident(schema)}")
            connection.execute(ddl)
    connection.execute("commit")


def scrub_database(connection: duckdb.DuckDBPyConnection, path: Path, needles: Needles) -> Scrubbed:
    """Write the DuckDB file at `path` again without the person; it replaces the old file when anything changed."""
    checkpoint_pending_wal(path)
    staged = staged_path(path)
    scrubbed = Scrubbed()
    connection.execute(f"attach {quote_literal(str(path))} as {SOURCE} (read_only)")
    try:
        objects = unsupported_objects(connection)
        if objects:
            raise RuntimeError(f"{path} holds {', '.join(objects)}, which erasure cannot carry over; nothing changed")
        connection.execute(f"attach {quote_literal(str(staged))} as {TARGET}")
        try:
            write_scrubbed_tables(connection, needles, scrubbed)
        finally:
            connection.execute("use memory")
            connection.execute(f"detach {TARGET}")
        connection.execute(f"detach {SOURCE}")
        if scrubbed.counts:
            replace_with(path, staged)
    finally:
        if connection.execute("select 1 from duckdb_databases() where database_name = ?", [SOURCE]).fetchall():
            connection.execute(f"detach {SOURCE}")
        staged.unlink(missing_ok=True)
        Path(f"{staged}.wal").unlink(missing_ok=True)
    return scrubbed


# Parquet files.

# Original Parquet file (device, inode) -> its replacement. Releases share an unchanged mart's file as hard links;
# every other path to a scrubbed original is linked to its replacement, so they stay shared.
Rewritten = dict[tuple[int, int], Path]


def replace_parquet(path: Path, write: Callable[[Path], object], rewritten: Rewritten) -> None:
    """Replace the file at `path` with what `write(staged path)` writes, or with a link to the replacement of the
    same original written before."""
    status = os.stat(path)
    identity = (status.st_dev, status.st_ino)
    staged = staged_path(path)
    try:
        if identity in rewritten:
            os.link(rewritten[identity], staged)
        else:
            write(staged)
        replace_with(path, staged)
    finally:
        staged.unlink(missing_ok=True)
    if status.st_nlink > 1 and identity not in rewritten:
        rewritten[identity] = path


def copy_to(connection: duckdb.DuckDBPyConnection, query: str) -> Callable[[Path], object]:
    return lambda staged: connection.execute(f"copy ({query}) to {quote_literal(str(staged))} (format parquet)")


def export_table(
    connection: duckdb.DuckDBPyConnection, database: Path, table: str, path: Path, rewritten: Rewritten
) -> None:
    """Write a release's Parquet file of `table` again from its scrubbed DuckDB file, which holds the same rows."""
    connection.execute(f"attach {quote_literal(str(database))} as {SOURCE} (read_only)")
    try:
        replace_parquet(path, copy_to(connection, f"select * from {SOURCE}.main.{quote_ident(table)}"), rewritten)
    finally:
        connection.execute(f"detach {SOURCE}")


def scrub_parquet(
    connection: duckdb.DuckDBPyConnection, path: Path, needles: Needles, rewritten: Rewritten
) -> Scrubbed:
    """Write a Parquet file that no scrubbed DuckDB table backs again without the person, when it holds them."""
    relation = f"read_parquet({quote_literal(str(path))})"
    described = connection.execute(f"describe select * from {relation}").fetchall()
    plan = TablePlan([Column(name, data_type) for name, data_type, *_ in described], needles)
    source = Source(f"read_parquet({quote_literal(str(path))}, file_row_number = true)", "file_row_number")
    scrubbed = Scrubbed()
    scrub_table(connection, plan, source, scrubbed, "rows")
    if scrubbed.counts:
        replace_parquet(path, copy_to(connection, plan.select_sql(source)), rewritten)
    return scrubbed
