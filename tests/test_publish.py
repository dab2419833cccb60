"""Publish writes a complete release (DuckDB file with column descriptions and the quality history, one Parquet
file per mart), makes it current in one atomic swap, keeps the last releases, and rolls back."""

from __future__ import annotations

import os

import duckdb
import pytest

from pipeline import publish
from pipeline.quality import mart_gate


def serving_tables(path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [row[0] for row in connection.execute("show tables").fetchall()]
        return {name: connection.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def warehouse_marts(paths) -> dict[str, int]:
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as warehouse:
        names = warehouse.execute("select table_name from information_schema.tables where table_schema = 'marts'")
        return {
            name: warehouse.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in names.fetchall()
        }


def test_publish_writes_a_complete_release_and_makes_it_current(warehouse_copy):
    mart_gate.run_mart_gate(warehouse_copy)
    report = publish.publish(warehouse_copy)
    serving = warehouse_copy.serving_path
    expected = warehouse_marts(warehouse_copy)
    assert report.tables == expected and len(expected) >= 15
    assert serving.is_symlink() and os.readlink(serving) == f"current/{serving.name}"
    assert os.readlink(serving.parent / "current") == f"releases/{report.release}"
    tables = serving_tables(serving)
    assert {name: tables[name] for name in expected} == expected
    assert set(tables) - set(expected) == {"quality_validations", "_publish_info", "_publish_tables"}
    assert tables["quality_validations"] == len(expected)
    parquet = serving.parent / "parquet"
    assert sorted(path.stem for path in parquet.iterdir()) == sorted(expected)
    with duckdb.connect() as connection:
        rows = connection.execute(f"select count(*) from '{parquet}/fct_interactions.parquet'").fetchone()[0]
    assert rows == expected["fct_interactions"]


def test_column_descriptions_from_dbt_docs_reach_the_serving_tables(warehouse_copy):
    publish.publish(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as connection:
        table_comment = connection.execute(
            "select comment from duckdb_tables() where table_name = 'mart_social_care'"
        ).fetchone()[0]
        column_comment, missing = connection.execute(
            "select max(comment) filter (where table_name = 'mart_social_care'"
            " and column_name = 'sla_attainment_rate'),"
            " count(*) filter (where comment is null or comment = '')"
            " from duckdb_columns() where database_name = current_database() and schema_name = 'main'"
            " and regexp_matches(table_name, '^(mart|fct|dim|agg)_')"
        ).fetchone()
    assert "day" in table_comment.lower()
    assert "sla" in column_comment.lower()
    assert missing == 0


def test_republish_swaps_in_the_new_release_and_open_readers_keep_theirs(warehouse_copy):
    first = publish.publish(warehouse_copy)
    reader = duckdb.connect(str(warehouse_copy.serving_path), read_only=True)
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("delete from marts.agg_care_daily where channel = 'x_dm'")
    second = publish.publish(warehouse_copy)
    assert reader.execute("select release from _publish_info").fetchone()[0] == first.release
    assert reader.execute("select count(*) from agg_care_daily where channel = 'x_dm'").fetchone()[0] > 0
    reader.close()
    assert serving_tables(warehouse_copy.serving_path)["agg_care_daily"] == second.tables["agg_care_daily"]
    assert second.tables["agg_care_daily"] < first.tables["agg_care_daily"]


def test_failed_publish_leaves_the_current_release(warehouse_copy):
    first = publish.publish(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("drop schema marts cascade")
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish.publish(warehouse_copy)
    assert publish.current_release(warehouse_copy) == first.release
    assert publish.releases(warehouse_copy) == [first.release]
    assert [p.name for p in (warehouse_copy.serving_path.parent / "releases").iterdir()] == [first.release]


def test_rollback_restores_the_previous_release_and_old_releases_are_pruned(warehouse_copy, monkeypatch):
    monkeypatch.setenv("OUTCOMES_KEEP_RELEASES", "3")
    published = []
    for _ in range(4):
        with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
            connection.execute(
                "delete from marts.agg_care_daily where activity_date = (select max(activity_date)"
                " from marts.agg_care_daily)"
            )
        published.append(publish.publish(warehouse_copy))
    assert publish.releases(warehouse_copy) == [report.release for report in published[1:]]
    assert publish.main(["rollback"]) == 0
    assert publish.current_release(warehouse_copy) == published[2].release
    assert serving_tables(warehouse_copy.serving_path)["agg_care_daily"] == published[2].tables["agg_care_daily"]
    with duckdb.connect() as connection:
        parquet = warehouse_copy.serving_path.parent / "parquet" / "agg_care_daily.parquet"
        rows = connection.execute(f"select count(*) from '{parquet}'").fetchone()[0]
    assert rows == published[2].tables["agg_care_daily"]


@pytest.mark.parametrize(("value", "kept"), [("", publish.DEFAULT_KEEP_RELEASES), (" 7 ", 7), ("1", 2)])
def test_keep_releases_reads_the_setting_an_empty_value_meaning_the_default(monkeypatch, value, kept):
    monkeypatch.setenv("OUTCOMES_KEEP_RELEASES", value)
    assert publish.keep_releases() == kept


def test_a_keep_releases_that_is_not_a_number_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("OUTCOMES_KEEP_RELEASES", "five")
    with pytest.raises(ValueError, match="OUTCOMES_KEEP_RELEASES must be a whole number of releases, got 'five'"):
        publish.keep_releases()
