"""Erasure beyond the warehouse: remove one person from every copy the pipeline keeps outside it.

When a person is forgotten (pipeline/publish/erasure: `make forget`, the DAG `forget_person`), `scrub_copies` goes
through:

- every kept serving release, default and restricted (serving/releases/*, serving/restricted/releases/*): the
  person's rows go, their texts are emptied where a row holds others' aggregates (mart_term_trends examples), their
  identifiers are erased inside others' texts; each release's DuckDB file and changed Parquet files are rewritten
  and renamed over the old ones, so no deleted row survives in a free block and a reader holding the old file keeps
  reading it until it closes;
- the DuckDB files beside the warehouse (quality history, hand-off sent log) the same way;
- the reports folder and the text files beside the warehouse (run summary, gate results, data docs, dashboard,
  weekly reports, hand-off CSV/JSON, airflow_dags_test.log, dbt logs and artifacts): the person's records removed,
  their identifiers and texts replaced by [erased].

What matches the person is in needles.py; how tables are rewritten in tables.py; text files in files.py. It does not
touch the warehouse itself, nor the landing folder (the user's own exports). Run it while nothing publishes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from ingest.duckdb_settings import connection_config
from pipeline.publish.layout import serving_root
from pipeline.publish.person import Person
from pipeline.publish.pseudonyms import PseudonymKey
from pipeline.publish.scrub.files import is_text_file, scrub_text_file
from pipeline.publish.scrub.needles import ERASED, Needles
from pipeline.publish.scrub.tables import Rewritten, Scrubbed, export_table, scrub_database, scrub_parquet
from pipeline.settings import PipelinePaths

__all__ = ["ERASED", "Needles", "copy_roots", "scrub_copies"]

# Only DuckDB's own suffix: a `.db` may be another engine's file (Airflow's SQLite metadata).
DUCKDB_SUFFIX = ".duckdb"


def copy_roots(paths: PipelinePaths) -> list[Path]:
    """The folders holding copies of the person outside the warehouse: serving (with the restricted copy inside
    it), reports, the warehouse's own folder (its side files), and this machine's Airflow task logs (a refused
    file's sample or a failed check's message may quote a value)."""
    roots = [serving_root(paths), paths.reports_dir, paths.warehouse_path.parent]
    return roots + ([airflow_logs] if (airflow_logs := airflow_log_folder()) else [])


def airflow_log_folder() -> Path | None:
    folder = os.environ.get("AIRFLOW__LOGGING__BASE_LOG_FOLDER")
    if not folder and os.environ.get("AIRFLOW_HOME"):
        folder = os.path.join(os.environ["AIRFLOW_HOME"], "logs")
    return Path(folder) if folder and Path(folder).is_dir() else None


def files_under(roots: list[Path], skip: set[Path]) -> Iterator[tuple[str, Path]]:
    """(label, path) of every regular file under `roots`, once each; symlinks (serving/current,
    serving/outcomes.duckdb) are not followed: what they point at is listed under its own path."""
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for folder, _subfolders, names in os.walk(root):
            for name in sorted(names):
                path = Path(folder) / name
                if path.is_symlink() or path.resolve() in seen or path.resolve() in skip:
                    continue
                seen.add(path.resolve())
                yield f"{root.name}/{path.relative_to(root)}", path


def release_database(parquet: Path, scrubbed: dict[Path, Scrubbed]) -> Path | None:
    """The scrubbed DuckDB file whose table holds the same rows as a release's `parquet/<mart>.parquet`."""
    if parquet.parent.name != "parquet":
        return None
    for database, result in scrubbed.items():
        if database.parent == parquet.parent.parent and parquet.stem in result.tables:
            return database
    return None


def scrub_tables(
    connection: duckdb.DuckDBPyConnection, files: list[tuple[str, Path]], needles: Needles
) -> tuple[dict[str, int], set[str]]:
    """Every DuckDB file, then every Parquet file: a release's Parquet file is written again from its scrubbed
    DuckDB table when that changed; any other Parquet file is scrubbed on its own. Returns the counts and the forms
    of the person's texts found."""
    counts: dict[str, int] = {}
    found_texts: set[str] = set()
    databases: dict[Path, Scrubbed] = {}
    for label, path in files:
        if path.suffix == DUCKDB_SUFFIX:
            databases[path] = scrub_database(connection, path, needles)
            counts |= {f"{label}#{table}": value for table, value in databases[path].counts.items()}
            found_texts |= databases[path].found_texts
    rewritten: Rewritten = {}
    for label, path in files:
        if path.suffix != ".parquet":
            continue
        database = release_database(path, databases)
        if database is None:
            scrubbed = scrub_parquet(connection, path, needles, rewritten)
            found = scrubbed.counts
            found_texts |= scrubbed.found_texts
        else:
            table_counts = databases[database].counts
            found = {
                label_in_file.replace(path.stem, "rows", 1): value
                for label_in_file, value in table_counts.items()
                if label_in_file in (path.stem, f"{path.stem} changed")
            }
            if found:
                export_table(connection, database, path.stem, path, rewritten)
        counts |= {f"{label}#{kind}": value for kind, value in found.items()}
    return counts, found_texts


def scrub_copies(paths: PipelinePaths, person: Person, key: PseudonymKey) -> dict[str, int]:
    """Remove `person` from every copy outside the warehouse; returns what was removed per file and table:
    '<root>/<file>#<table>' the person's rows removed, '<root>/<file>#<table> changed' other rows with something
    erased ('#rows', '#rows changed' for a Parquet file), '<root>/<file>' records removed and occurrences replaced
    in a text file."""
    warehouse = paths.warehouse_path.resolve()
    files = list(files_under(copy_roots(paths), skip={warehouse, Path(f"{warehouse}.wal")}))
    with duckdb.connect(config=connection_config()) as connection:
        needles = Needles.of(person, key).prepare(connection)
        counts, found_texts = scrub_tables(connection, files, needles)
    # The texts as the copies published them (redacted, masked, cut short) are what reports and logs quote.
    needles = needles.with_texts(found_texts)
    for label, path in files:
        if is_text_file(path):
            changed = scrub_text_file(path, needles)
            if changed:
                counts[label] = changed
    return counts
