"""Which connector schemas the project reads (config/sources.yml `connectors:`, <landing>/connectors/), the dbt var
they become, the transform's clock for them, and their freshness from `_fivetran_synced`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from airflow.sdk.definitions.timetables.assets import AssetOrTimeSchedule, AssetTriggeredTimetable
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

from pipeline import ingest_dags
from pipeline.orchestration import connectors
from pipeline.orchestration.connectors import ConnectorConfigError
from pipeline.quality import connector_freshness

AS_OF = datetime(2026, 12, 7, 12, 0)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(text)
    return path


def parquet_table(path: Path, synced: datetime | None, rows: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sync = f"timestamp '{synced:%Y-%m-%d %H:%M:%S}'" if synced else "null::timestamp"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select range as id, {sync} - to_hours(range) as _fivetran_synced from range({rows})) to '{path}'"
        )
    return path


def test_nothing_enabled_means_no_vars(tmp_path):
    path = config(tmp_path, "connectors:\n  zendesk: {enabled: false}\n")
    assert connectors.dbt_vars(path, tmp_path) == {}
    assert connectors.with_vars(["dbt", "build"], path, tmp_path) == ["dbt", "build"]


def test_the_three_places_a_connector_can_be(tmp_path):
    (tmp_path / "files").mkdir()
    fivetran_file = tmp_path / "files" / "fivetran.duckdb"
    duckdb.connect(str(fivetran_file)).close()
    parquet_table(tmp_path / "exports" / "hubspot" / "contact.parquet", AS_OF)
    path = config(
        tmp_path,
        """
connectors:
  zendesk: {enabled: true}
  salesforce: {enabled: true, schema: sfdc, database_path: files/fivetran.duckdb}
  hubspot: {enabled: true, parquet_dir: exports/hubspot}
  intercom: {enabled: false, schema: never}
""",
    )
    assert connectors.dbt_vars(path, tmp_path) == {
        "fivetran_connectors": {
            "zendesk": {"schema": "zendesk"},
            "salesforce": {"schema": "sfdc", "database": "fivetran_salesforce", "database_path": str(fivetran_file)},
            "hubspot": {"schema": "fivetran_hubspot", "parquet_dir": str(tmp_path / "exports" / "hubspot")},
        }
    }


def test_a_landing_folder_of_parquet_is_read_unasked(tmp_path):
    parquet_table(tmp_path / "connectors" / "facebook_pages" / "post_history.parquet", AS_OF)
    (tmp_path / "connectors" / "linkedin_pages").mkdir()  # empty: not enabled
    (tmp_path / "connectors" / "not_a_connector").mkdir()
    parquet_table(tmp_path / "connectors" / "not_a_connector" / "x.parquet", AS_OF)
    path = config(tmp_path, "connectors: {}\n")
    assert connectors.dbt_vars(path, tmp_path)["fivetran_connectors"] == {
        "facebook_pages": {
            "schema": "fivetran_facebook_pages",
            "parquet_dir": str(tmp_path / "connectors" / "facebook_pages"),
        }
    }


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("zendeks: {enabled: true}", "unknown connector 'zendeks'"),
        ("zendesk: {enabled: true, shema: zd}", "unknown settings ['shema']"),
        ("zendesk: {enabled: true, database_path: missing.duckdb}", "does not exist"),
        ("zendesk: {enabled: true, parquet_dir: empty}", "no *.parquet files"),
        ("zendesk: {enabled: true, parquet_dir: empty, database_path: x.duckdb}", "not both"),
    ],
)
def test_a_wrong_entry_is_refused_plainly(tmp_path, entry, message):
    (tmp_path / "empty").mkdir()
    path = config(tmp_path, f"connectors:\n  {entry}\n")
    with pytest.raises(ConnectorConfigError, match=re.escape(message)):
        connectors.dbt_vars(path, tmp_path)


def test_vars_merge_into_a_commands_own(tmp_path):
    path = config(tmp_path, "connectors:\n  zendesk: {enabled: true}\n")
    command = connectors.with_vars(["dbt", "run", "--vars", "{care_as_of: '2026-01-01'}", "-q"], path, tmp_path)
    assert command[:3] == ["dbt", "run", "-q"] and command[3] == "--vars"
    assert json.loads(command[4]) == {
        "care_as_of": "2026-01-01",
        "fivetran_connectors": {"zendesk": {"schema": "zendesk"}},
    }


def test_transform_also_runs_on_a_clock_for_connector_data(tmp_path):
    base = (Path(__file__).parent.parent / "config" / "sources.yml").read_text()
    assert isinstance(
        ingest_dags.transform_schedule(config(tmp_path, base), ingest_dags.load_sources(config(tmp_path, base))),
        AssetTriggeredTimetable,
    )
    clocked = config(tmp_path, base.replace("  schedule: null\n", '  schedule: "30 * * * *"\n'))
    assert isinstance(ingest_dags.transform_schedule(clocked, ingest_dags.load_sources(clocked)), AssetOrTimeSchedule)
    assert isinstance(ingest_dags.transform_schedule(clocked, []), CronTriggerTimetable)
    with pytest.raises(ingest_dags.IngestDagConfigError, match="would never run"):
        ingest_dags.transform_schedule(config(tmp_path, base), [])


def test_freshness_is_the_newest_sync_over_all_tables(tmp_path):
    folder = tmp_path / "zendesk"
    parquet_table(folder / "group.parquet", AS_OF - timedelta(days=200))  # a quiet table in a healthy connector
    parquet_table(folder / "ticket.parquet", AS_OF - timedelta(hours=5))
    connector = connectors.Connector("zendesk", "zendesk", parquet_dir=folder)
    found = connector_freshness.check(connector, tmp_path / "none.duckdb", AS_OF, 3)
    assert found.fresh and found.tables == 2
    assert found.newest_sync == AS_OF - timedelta(hours=5)

    stale = connector_freshness.check(connector, tmp_path / "none.duckdb", AS_OF + timedelta(days=4), 3)
    assert not stale.fresh
    assert "last synced 2026-12-07 07:00 UTC, 4.2 days before the run (limit 3 days)" in stale.problem()


def test_freshness_of_a_schema_in_another_duckdb_file(tmp_path):
    database = tmp_path / "fivetran.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema sfdc")
        connection.execute(
            "create table sfdc.account as select 'a1' as id, timestamptz '2026-12-06 10:00:00+00' as _fivetran_synced"
        )
        connection.execute("create table sfdc.no_sync as select 1 as id")
    connector = connectors.Connector("salesforce", "sfdc", database_path=database)
    found = connector_freshness.check(connector, tmp_path / "none.duckdb", AS_OF, 3)
    assert found.fresh and found.tables == 1 and found.newest_sync == datetime(2026, 12, 6, 10, 0)

    empty = connectors.Connector("salesforce", "other_schema", database_path=database)
    missing = connector_freshness.check(empty, tmp_path / "none.duckdb", AS_OF, 3)
    assert not missing.fresh and "cannot tell when it last synced" in missing.problem()
