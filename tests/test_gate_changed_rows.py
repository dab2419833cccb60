"""The mart gate checks a big mart by the rows that changed since it last passed (pipeline/quality/changed_rows.py):
the row checks read only new and changed rows, the whole-mart checks run as SQL aggregates, and every kind of bad
data the whole-mart suites catch is still caught."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline import quality_gate, suites
from pipeline.quality import changed_rows, mart_gate
from tests.test_quality_gate import MART_BREAKAGES, execute


@pytest.fixture
def every_mart_big(monkeypatch):
    """Every mart of the small demo warehouse counts as big enough to be checked by its changed rows."""
    monkeypatch.setenv(changed_rows.MIN_ROWS_ENV, "1")


def gate_suites(paths) -> dict[str, dict]:
    report = json.loads((paths.reports_dir / "quality" / "gate_marts.json").read_text())
    return {suite["table"]: suite for suite in report["suites"]}


def kept_hashes(paths, mart: str) -> int:
    with duckdb.connect(str(changed_rows.state_path(paths)), read_only=True) as connection:
        return connection.execute(f'select count(*) from "rows__{mart}"').fetchone()[0]


def test_after_a_pass_a_big_mart_is_checked_by_its_changed_rows(warehouse_copy, every_mart_big):
    first = mart_gate.run_mart_gate(warehouse_copy)
    whole = {outcome.table: outcome for outcome in first.outcomes}
    assert all(outcome.changed_rows is None for outcome in first.outcomes)
    interactions = whole["fct_interactions"].rows
    assert kept_hashes(warehouse_copy, "fct_interactions") == interactions > 1000
    execute(
        warehouse_copy,
        [
            "update marts.fct_interactions set sentiment_label = 'neutral' where interaction_key in"
            " (select interaction_key from marts.fct_interactions order by interaction_key limit 5)",
            "insert into marts.fct_interactions select * replace ('new:' || interaction_key as interaction_key)"
            " from marts.fct_interactions order by interaction_key limit 2",
        ],
    )
    second = mart_gate.run_mart_gate(warehouse_copy)
    outcomes = {outcome.table: outcome for outcome in second.outcomes}
    assert second.success
    assert outcomes["fct_interactions"].changed_rows == 7
    assert outcomes["fct_interactions"].rows == interactions + 2
    assert outcomes["fct_interactions"].suite == "mart.fct_interactions"
    # Marts with consistency checks read other marts: validated whole. Unchanged marts: 0 changed rows.
    assert outcomes["mart_text_coverage"].changed_rows is None
    assert outcomes["fct_touchpoints"].changed_rows == 0 and outcomes["fct_touchpoints"].success
    assert kept_hashes(warehouse_copy, "fct_interactions") == interactions + 2
    assert not changed_rows.scratch_path(warehouse_copy).exists()
    # The quality history keeps the whole mart's row count: the next volume check's baseline.
    with duckdb.connect(str(warehouse_copy.quality_history_path), read_only=True) as connection:
        counts = connection.execute(
            "select row_count from quality_validations where suite = 'mart.fct_interactions' order by validated_at"
        ).fetchall()
    assert counts == [(interactions,), (interactions + 2,)]


WHOLE_MART_ONLY = {"duplicate key"}  # a copied row is not a changed row: the whole-mart key aggregate catches it


def test_checking_changed_rows_catches_each_kind_of_bad_data(warehouse_copy, every_mart_big):
    """Every breakage of tests/test_quality_gate.py at once (each on its own mart or column), on marts that passed."""
    assert mart_gate.run_mart_gate(warehouse_copy).success
    for statements, _, _ in MART_BREAKAGES.values():
        execute(warehouse_copy, statements)
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        mart_gate.run_mart_gate(warehouse_copy)
    reported = gate_suites(warehouse_copy)
    with_consistency = {mart for mart, found in suites.mart_check_definitions().items() if found["consistency"]}
    for breakage, (_, table, expected) in MART_BREAKAGES.items():
        failed_lines = [line for line in str(failure.value).splitlines() if line.startswith(f"- {table} (")]
        if breakage in WHOLE_MART_ONLY:
            assert any("unique over the whole mart" in line for line in failed_lines), (breakage, failure.value)
            assert reported[table]["changed_rows"] == 0
        elif table in with_consistency:
            assert any(expected in line for line in failed_lines), (breakage, failure.value)
            assert reported[table]["changed_rows"] is None
        else:
            assert any("new or changed rows" in line and expected in line for line in failed_lines), (breakage, failure)
            assert reported[table]["changed_rows"] > 0


def test_a_volume_drop_and_a_duplicated_row_are_caught_without_any_changed_row(warehouse_copy, every_mart_big):
    mart_gate.run_mart_gate(warehouse_copy)
    execute(warehouse_copy, ["delete from marts.fct_interactions where hash(interaction_key) % 2 = 0"])
    with pytest.raises(quality_gate.QualityGateFailed, match="'column': '_table_rows'"):
        mart_gate.run_mart_gate(warehouse_copy)
    assert gate_suites(warehouse_copy)["fct_interactions"]["changed_rows"] == 0


def test_a_failed_mart_keeps_the_hashes_it_last_passed_with(warehouse_copy, every_mart_big):
    mart_gate.run_mart_gate(warehouse_copy)
    kept = kept_hashes(warehouse_copy, "fct_interactions")
    execute(
        warehouse_copy,
        [
            "update marts.fct_interactions set direction = 'sideways' where interaction_key in"
            " (select interaction_key from marts.fct_interactions order by interaction_key limit 3)",
            "delete from marts.fct_interactions where interaction_key ="
            " (select max(interaction_key) from marts.fct_interactions)",
        ],
    )
    for _ in range(2):  # the bad rows stay changed rows until they are fixed
        with pytest.raises(quality_gate.QualityGateFailed, match="in the 3 new or changed rows"):
            mart_gate.run_mart_gate(warehouse_copy)
        assert kept_hashes(warehouse_copy, "fct_interactions") == kept


def test_new_checks_or_columns_validate_the_mart_whole_again(warehouse_copy, every_mart_big):
    mart_gate.run_mart_gate(warehouse_copy)
    with duckdb.connect(str(changed_rows.state_path(warehouse_copy))) as connection:
        connection.execute("update _checks set checks_digest = 'older checks' where mart = 'fct_touchpoints'")
    execute(warehouse_copy, ["alter table marts.fct_interactions add column note varchar"])
    report = mart_gate.run_mart_gate(warehouse_copy)
    outcomes = {outcome.table: outcome for outcome in report.outcomes}
    assert outcomes["fct_touchpoints"].changed_rows is None and outcomes["fct_interactions"].changed_rows is None
    assert outcomes["dim_contacts"].changed_rows == 0
    # Validated whole, they are kept again under their new digest: the next run checks their changed rows.
    report = mart_gate.run_mart_gate(warehouse_copy)
    assert {outcome.table: outcome.changed_rows for outcome in report.outcomes}["fct_interactions"] == 0


def test_a_change_to_a_column_no_row_check_reads_is_not_a_changed_row(warehouse_copy, every_mart_big):
    """Only the checked columns are hashed: a new message text changes the mart (it is validated again) but none of
    its checked values."""
    mart_gate.run_mart_gate(warehouse_copy)
    execute(warehouse_copy, ["update marts.fct_interactions set body = body || ' (edited)' where body is not null"])
    report = mart_gate.run_mart_gate(warehouse_copy)
    interactions = {outcome.table: outcome for outcome in report.outcomes}["fct_interactions"]
    assert interactions.validated_in is None and interactions.changed_rows == 0 and interactions.success
