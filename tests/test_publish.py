"""Publish copies every mart into a new serving file and swaps it in atomically."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import publish


def serving_tables(path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [row[0] for row in connection.execute("show tables").fetchall()]
        return {name: connection.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def test_publish_copies_every_mart(warehouse_copy):
    report = publish.publish(warehouse_copy)
    tables = serving_tables(warehouse_copy.serving_path)
    with duckdb.connect(str(warehouse_copy.warehouse_path), read_only=True) as warehouse:
        expected = {
            name: warehouse.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in warehouse.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert {"fct_care_conversations", "agg_care_daily"} <= set(expected)
    assert report.tables == expected
    assert tables == {**expected, "_publish_info": 1}
    leftovers = [p.name for p in warehouse_copy.serving_path.parent.iterdir() if p != warehouse_copy.serving_path]
    assert leftovers == []


def test_republish_replaces_the_file_and_old_readers_keep_their_copy(warehouse_copy):
    publish.publish(warehouse_copy)
    rows_before = serving_tables(warehouse_copy.serving_path)["agg_care_daily"]
    reader = duckdb.connect(str(warehouse_copy.serving_path), read_only=True)
    before = reader.execute("select published_at from _publish_info").fetchone()[0]
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("delete from marts.agg_care_daily where channel = 'x_dm'")
    publish.publish(warehouse_copy)
    assert reader.execute("select published_at from _publish_info").fetchone()[0] == before
    assert reader.execute("select count(*) from agg_care_daily where channel = 'x_dm'").fetchone()[0] > 0
    reader.close()
    assert serving_tables(warehouse_copy.serving_path)["agg_care_daily"] < rows_before


def test_failed_publish_leaves_previous_serving_file(warehouse_copy):
    publish.publish(warehouse_copy)
    previous = warehouse_copy.serving_path.read_bytes()
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("drop schema marts cascade")
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish.publish(warehouse_copy)
    assert warehouse_copy.serving_path.read_bytes() == previous
    assert [p.name for p in warehouse_copy.serving_path.parent.iterdir()] == [warehouse_copy.serving_path.name]
