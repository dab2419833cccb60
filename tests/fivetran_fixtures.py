"""Land the Fivetran connector fixtures (tests/fixtures/fivetran/PROVENANCE.md) as a connector would, and build the
project on them: the test side of README "Already syncing with Fivetran?"."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.orchestration.connectors import CONNECTORS, LANDING_FOLDER

FIXTURES = Path(__file__).parent / "fixtures" / "fivetran"


def fixture_tables(connector: str) -> dict[str, Path]:
    """table name -> CSV of one connector's fixtures."""
    return {path.stem: path for path in sorted((FIXTURES / connector).glob("*.csv"))}


def read_csv_sql(path: Path) -> str:
    # Every row is sampled, so a column is typed as the connector types it (timestamps, booleans, integers).
    return f"read_csv('{path}', header = true, auto_detect = true, sample_size = -1)"


def land_duckdb(database: Path, connectors: list[str], schemas: dict[str, str] | None = None) -> Path:
    """One schema per connector in `database` (Fivetran's default schema names unless `schemas` says otherwise)."""
    schemas = schemas or {}
    with duckdb.connect(str(database)) as connection:
        for connector in connectors:
            schema = schemas.get(connector, CONNECTORS[connector])
            connection.execute(f"create schema if not exists {schema}")
            for table, path in fixture_tables(connector).items():
                connection.execute(f'create or replace table {schema}."{table}" as select * from {read_csv_sql(path)}')
    return database


def land_parquet(folder: Path, connector: str) -> Path:
    """`<folder>/<table>.parquet` for each table of one connector."""
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        for table, path in fixture_tables(connector).items():
            connection.execute(f"copy (select * from {read_csv_sql(path)}) to '{folder / table}.parquet'")
    return folder


def land_in_landing(landing: Path, connectors: list[str]) -> Path:
    """The connectors' Parquet files under <landing>/connectors/<connector>/, where the pipeline finds them unasked."""
    for connector in connectors:
        land_parquet(landing / LANDING_FOLDER / connector, connector)
    return landing


def build_on_fixtures(root: Path, connectors: list[str]):
    """Ingest an otherwise empty landing folder and `dbt build` the project on the connectors' fixtures alone."""
    from tests.conftest import ingest_and_build

    landing = land_in_landing(root / "landing", connectors)
    return ingest_and_build(root / "build", landing)


def csv_query(sql: str, connector: str) -> list[tuple]:
    """`sql` over the connector's raw CSVs, each table a view of its own name: the independent side of a check."""
    with duckdb.connect() as connection:
        for table, path in fixture_tables(connector).items():
            connection.execute(f'create view "{table}" as select * from {read_csv_sql(path)}')
        return connection.execute(sql).fetchall()
