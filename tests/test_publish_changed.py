"""Publish and the mart gate pay for what changed: a release reuses the current release's unchanged marts (hard-linked
Parquet, tables of a copied DuckDB file) and the gate does not validate them again, while a changed mart is written
and validated, pruning keeps reused files readable, and rollback still works."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline import publish, quality_gate
from pipeline.publish.release_file import free_share
from pipeline.quality import mart_gate

CHANGED = "agg_care_daily"


def parquet_file(paths, release: str, mart: str):
    return publish.releases_dir(paths) / release / "parquet" / f"{mart}.parquet"


def change_one_mart(paths) -> None:
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        connection.execute(
            f"delete from marts.{CHANGED} where activity_date = (select max(activity_date) from marts.{CHANGED})"
        )


def serving_equals_warehouse(paths, release: str) -> None:
    """Every mart of the release, in its DuckDB file and its Parquet file, has exactly the warehouse's rows as the
    serving copy writes them (pseudonymised: tests/test_privacy.py)."""
    policy = publish.serving_policy(paths)
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        connection.execute(f"attach '{publish.release_file(paths, release)}' as served (read_only)")
        marts = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_catalog = current_database()"
                " and table_schema = 'marts'"
            ).fetchall()
        ]
        assert len(marts) >= 15
        for mart in marts:
            parquet = parquet_file(paths, release, mart)
            info = connection.execute(f"select name, type from pragma_table_info('marts.{mart}')").fetchall()
            columns = dict(info)
            expected = f"({policy.select_sql(mart, columns, f'marts.{mart}')})"
            for served in (f'served.main."{mart}"', f"read_parquet('{parquet}')"):
                difference = connection.execute(
                    f"select count(*) from ((select * from {expected} except all select * from {served})"
                    f" union all (select * from {served} except all select * from {expected}))"
                ).fetchone()[0]
                assert difference == 0, (mart, served)


def test_a_second_publish_reuses_the_unchanged_marts_and_rewrites_the_changed_one(warehouse_copy):
    first = publish.publish(warehouse_copy)
    assert first.reused == [] and first.reused_from is None
    change_one_mart(warehouse_copy)
    second = publish.publish(warehouse_copy)
    assert second.reused_from == first.release
    assert set(second.reused) == set(first.tables) - {CHANGED}
    for mart in first.tables:
        before = parquet_file(warehouse_copy, first.release, mart).stat()
        after = parquet_file(warehouse_copy, second.release, mart).stat()
        same_file = (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)
        assert same_file == (mart != CHANGED), mart
    assert second.tables[CHANGED] < first.tables[CHANGED]
    serving_equals_warehouse(warehouse_copy, second.release)
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as connection:
        comment = connection.execute(
            "select comment from duckdb_tables() where table_name = 'mart_social_care'"
        ).fetchone()[0]
        assert connection.execute("select reused_from from _publish_info").fetchone()[0] == first.release
    assert "day" in comment.lower()


def test_when_most_rows_changed_the_release_file_is_written_fresh(warehouse_copy):
    """A copy of the current file pays only when most of its rows are reused: with the largest mart changed the new
    DuckDB file is written whole (no half-free copy), while unchanged marts' Parquet files are still hard-linked."""
    first = publish.publish(warehouse_copy)
    largest = max(first.tables, key=first.tables.get)
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute(f'delete from marts."{largest}" where rowid % 10 = 0')
    second = publish.publish(warehouse_copy)
    assert largest not in second.reused and len(second.reused) == len(first.tables) - 1
    assert free_share(publish.release_file(warehouse_copy, second.release)) < 0.2
    kept = next(mart for mart in second.reused)
    before = parquet_file(warehouse_copy, first.release, kept).stat()
    after = parquet_file(warehouse_copy, second.release, kept).stat()
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)
    serving_equals_warehouse(warehouse_copy, second.release)


def test_a_changed_column_type_rewrites_that_mart(warehouse_copy):
    first = publish.publish(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute(f"alter table marts.{CHANGED} alter conversations type double")
    second = publish.publish(warehouse_copy)
    assert CHANGED not in second.reused and len(second.reused) == len(first.tables) - 1
    serving_equals_warehouse(warehouse_copy, second.release)


def test_full_publish_reuses_nothing(warehouse_copy):
    first = publish.publish(warehouse_copy)
    again = publish.publish(warehouse_copy, full=True)
    assert again.reused == []
    before = parquet_file(warehouse_copy, first.release, "fct_interactions").stat().st_ino
    assert parquet_file(warehouse_copy, again.release, "fct_interactions").stat().st_ino != before


def test_pruning_the_release_that_wrote_a_reused_file_keeps_later_releases_readable(warehouse_copy, monkeypatch):
    monkeypatch.setenv("OUTCOMES_KEEP_RELEASES", "2")
    first = publish.publish(warehouse_copy)
    published = [first]
    for _ in range(2):
        change_one_mart(warehouse_copy)
        published.append(publish.publish(warehouse_copy))
    assert first.release not in publish.releases(warehouse_copy)
    assert not (publish.releases_dir(warehouse_copy) / first.release).exists()
    last = published[-1]
    assert "fct_interactions" in last.reused
    serving_equals_warehouse(warehouse_copy, last.release)
    assert publish.rollback(warehouse_copy) == published[1].release
    with duckdb.connect() as connection:
        for mart, rows in published[1].tables.items():
            parquet = warehouse_copy.serving_path.parent / "parquet" / f"{mart}.parquet"
            assert connection.execute(f"select count(*) from '{parquet}'").fetchone()[0] == rows, mart
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as connection:
        assert connection.execute(f"select count(*) from {CHANGED}").fetchone()[0] == published[1].tables[CHANGED]


def gate_suites(paths) -> dict[str, dict]:
    report = json.loads((paths.reports_dir / "quality" / "gate_marts.json").read_text())
    return {suite["table"]: suite for suite in report["suites"]}


def test_the_mart_gate_skips_marts_validated_in_the_current_release(warehouse_copy):
    mart_gate.run_mart_gate(warehouse_copy)
    first = gate_suites(warehouse_copy)
    assert all(suite["validated_in"] is None and suite["evaluated"] > 0 for suite in first.values())
    release = publish.publish(warehouse_copy).release
    change_one_mart(warehouse_copy)
    mart_gate.run_mart_gate(warehouse_copy)
    second = gate_suites(warehouse_copy)
    assert set(second) == set(first)
    assert second[CHANGED]["validated_in"] is None and second[CHANGED]["evaluated"] == first[CHANGED]["evaluated"]
    # The scorecard's consistency check reads mart_social_care, not agg_care_daily: it stays skipped.
    skipped = {mart for mart, suite in second.items() if suite["validated_in"] == release}
    assert skipped == set(first) - {CHANGED}
    assert all(second[mart]["rows"] == first[mart]["rows"] for mart in skipped)
    # Unchanged marts with a freshness spec still have it checked (the as-of time moves on).
    assert second["fct_interactions"]["evaluated"] == 1 and second["dim_accounts"]["evaluated"] == 0
    # The next release records the changed mart as validated in it, the others as validated where they were.
    third = publish.publish(warehouse_copy).release
    with duckdb.connect(str(warehouse_copy.serving_path), read_only=True) as connection:
        validated_in = dict(connection.execute("select table_name, validated_in from _publish_tables").fetchall())
    assert validated_in[CHANGED] == third and validated_in["fct_interactions"] == release


def test_the_mart_gate_still_fails_a_changed_mart_that_breaks_an_expectation(warehouse_copy):
    mart_gate.run_mart_gate(warehouse_copy)
    publish.publish(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute(
            f"update marts.{CHANGED} set sla_attainment_rate = 1.5 where sla_attainment_rate is not null"
        )
    with pytest.raises(quality_gate.QualityGateFailed, match=CHANGED):
        mart_gate.run_mart_gate(warehouse_copy)
    failed = {mart for mart, suite in gate_suites(warehouse_copy).items() if not suite["success"]}
    assert failed == {CHANGED}


def test_a_changed_mart_reruns_the_consistency_checks_that_read_it(warehouse_copy):
    mart_gate.run_mart_gate(warehouse_copy)
    publish.publish(warehouse_copy)
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("update marts.mart_social_care set sla_met_conversations = 0")
    with pytest.raises(quality_gate.QualityGateFailed):
        mart_gate.run_mart_gate(warehouse_copy)
    suites = gate_suites(warehouse_copy)
    assert suites["mart_exec_scorecard"]["validated_in"] is None
    assert not suites["mart_exec_scorecard"]["success"]


def test_a_publish_without_a_gate_records_nothing_as_validated(warehouse_copy):
    publish.publish(warehouse_copy)
    mart_gate.run_mart_gate(warehouse_copy)
    assert all(suite["validated_in"] is None for suite in gate_suites(warehouse_copy).values())
