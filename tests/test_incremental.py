"""Incremental models: loading the months one batch after another gives the same marts as one full build."""

from __future__ import annotations

import shutil
from dataclasses import replace

import duckdb
import pytest

from pipeline import dbt_build
from pipeline.orchestration import test_scope
from tests.conftest import ingest_and_build

LATER_MONTHS = "2026-"
COMPARED = [
    "fct_interactions",
    "fct_conversations",
    "fct_touchpoints",
    "mart_topic_trends",
    "mart_text_coverage",
    "mart_term_trends",
    "mart_social_care",
    "mart_exec_scorecard",
]
# The incremental text models: recomputed only for texts changed since the last build (macros/incremental_texts.sql).
TEXT_MODELS = [
    "int_text__term_matches",
    "int_text__message_terms",
    "int_text__interaction_sentiment",
    "int_text__interaction_topics",
]


@pytest.fixture(scope="module")
def two_warehouses(tmp_path_factory, demo_landing):
    root = tmp_path_factory.mktemp("incremental")
    full = ingest_and_build(root / "full", demo_landing)
    landing = root / "landing"
    shutil.copytree(demo_landing, landing)
    later = sorted(path for path in landing.rglob(f"{LATER_MONTHS}*") if path.is_file())
    held_back = root / "held_back"
    for path in later:
        target = held_back / path.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    stepwise = ingest_and_build(root / "stepwise", landing)
    with duckdb.connect(str(stepwise.warehouse_path), read_only=True) as connection:
        first_batch_rows = connection.execute("select count(*) from marts.fct_interactions").fetchone()[0]
    shutil.copytree(held_back, landing, dirs_exist_ok=True)
    stepwise = ingest_and_build(root / "stepwise", landing)
    return full, stepwise, first_batch_rows, len(later)


def differences(full, stepwise, table: str, schema: str = "marts", skip=()) -> tuple[int, int, int]:
    """Rows only in one build or only in the other (columns in `skip` left out). Doubles are compared to 9 decimals:
    sums over rows stored in a different order differ in the last bits."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{full.warehouse_path}' as full_build (read_only)")
        connection.execute(f"attach '{stepwise.warehouse_path}' as stepwise (read_only)")
        columns = connection.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_catalog = 'full_build' and table_schema = ? and table_name = ?"
            " order by ordinal_position",
            [schema, table],
        ).fetchall()
        select = ", ".join(
            f'round("{name}", 9)' if kind == "DOUBLE" else f'"{name}"' for name, kind in columns if name not in skip
        )
        rows = connection.execute(f"select count(*) from full_build.{schema}.{table}").fetchone()[0]
        only_full, only_stepwise = (
            connection.execute(
                f"select count(*) from (select {select} from {left}.{schema}.{table}"
                f" except all select {select} from {right}.{schema}.{table})"
            ).fetchone()[0]
            for left, right in [("full_build", "stepwise"), ("stepwise", "full_build")]
        )
    return rows, only_full, only_stepwise


def test_the_second_batch_ran_incrementally(two_warehouses):
    full, stepwise, first_batch_rows, held_back_files = two_warehouses
    assert held_back_files > 20
    with duckdb.connect(str(full.warehouse_path), read_only=True) as connection:
        all_rows = connection.execute("select count(*) from marts.fct_interactions").fetchone()[0]
    assert 0 < first_batch_rows < all_rows


@pytest.mark.parametrize("table", COMPARED)
def test_incremental_runs_equal_a_full_refresh(two_warehouses, table):
    full, stepwise, _, _ = two_warehouses
    rows, only_full, only_stepwise = differences(full, stepwise, table)
    assert rows > 0
    assert (only_full, only_stepwise) == (0, 0)


@pytest.mark.parametrize("table", TEXT_MODELS)
def test_incremental_text_models_equal_a_full_refresh(two_warehouses, table):
    full, stepwise, _, _ = two_warehouses
    rows, only_full, only_stepwise = differences(full, stepwise, table, "intermediate", skip={"text_changed_at"})
    assert rows > 0
    assert (only_full, only_stepwise) == (0, 0)


def test_the_second_build_read_only_the_new_texts(two_warehouses):
    """Texts of the first batch keep the version time of the first build: the second recomputed only the new ones."""
    _, stepwise, _, _ = two_warehouses
    with duckdb.connect(str(stepwise.warehouse_path), read_only=True) as connection:
        first, second = connection.execute(
            "select min(text_changed_at), max(text_changed_at) from intermediate.int_text__text_versions"
        ).fetchone()
        assert first < second
        new_texts, all_texts = connection.execute(
            "select count(*) filter (where text_changed_at = ?), count(*) from intermediate.int_text__text_versions",
            [second],
        ).fetchone()
        assert 0 < new_texts < all_texts / 2
        for table in TEXT_MODELS:
            stale = connection.execute(
                f"select count(*) from intermediate.{table} as held"
                " anti join intermediate.int_text__text_versions as versions"
                " on held.interaction_key = versions.interaction_key"
                " and held.text_changed_at = versions.text_changed_at"
            ).fetchone()[0]
            assert stale == 0, table


def test_tests_sized_to_the_change_skip_old_rows_and_the_full_run_catches_them(two_warehouses, tmp_path):
    """A bad row from an earlier build: the data tests of a run sized to the change do not read it (they check the
    texts this run recomputed), the full test run does."""
    _, stepwise, _, _ = two_warehouses
    copy = replace(stepwise, warehouse_path=tmp_path / "warehouse" / "outcomes.duckdb")
    shutil.copytree(stepwise.warehouse_path.parent, copy.warehouse_path.parent)
    with duckdb.connect(str(copy.warehouse_path)) as connection:
        connection.execute(
            "insert into intermediate.int_text__term_matches (interaction_key, term_kind, term, word_position,"
            " word_count, text_changed_at) select interaction_key, 'bogus', 'x', 1, 1, text_changed_at"
            " from intermediate.int_text__term_matches order by text_changed_at limit 1"
        )
    scope = test_scope.choose(copy)
    assert scope.scope == "changed" and scope.since, scope
    select = ["test", "--select", "int_text__term_matches", "--exclude", "test_type:unit"]
    changed = dbt_build.run_dbt(copy, *select, env=scope.env())
    assert changed.returncode == 0, changed.stdout[-2000:]
    full = dbt_build.run_dbt(copy, *select, env=test_scope.Scope("full", "on demand").env())
    assert full.returncode != 0
    assert "accepted_values_int_text__term_matches_term_kind" in full.stdout
