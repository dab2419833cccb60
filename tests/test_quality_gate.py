"""The GX gate passes on the built marts and fails, naming the check, on each kind of broken mart."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import quality_gate

CONVERSATIONS = "marts.fct_care_conversations"
DAILY = "marts.agg_care_daily"

BREAKAGES = {
    # The table's contract already refuses a null conversation_id, so the gate is shown a null opening time.
    "null opened_at": (
        f"update {CONVERSATIONS} set opened_at = null"
        f" where conversation_id = (select min(conversation_id) from {CONVERSATIONS})",
        "expect_column_values_to_not_be_null {'column': 'opened_at'}",
    ),
    "duplicate key": (
        f"insert into {CONVERSATIONS} select * from {CONVERSATIONS} limit 1",
        "expect_column_values_to_be_unique {'column': 'conversation_id'}",
    ),
    "negative response time": (
        f"update {CONVERSATIONS} set first_response_minutes = -5"
        f" where conversation_id = (select min(conversation_id) from {CONVERSATIONS} where is_responded)",
        "'column': 'first_response_minutes'",
    ),
    "rate over 1": (
        f"update {DAILY} set sla_attainment_rate = 1.5 where activity_date = (select min(activity_date) from {DAILY})",
        "'column': 'sla_attainment_rate'",
    ),
    "unknown channel": (
        f"update {CONVERSATIONS} set channel = 'fax'"
        f" where conversation_id = (select max(conversation_id) from {CONVERSATIONS})",
        "'column': 'channel'",
    ),
    "empty mart": (f"delete from {DAILY}", "expect_table_row_count_to_be_between"),
}


def test_gate_passes_on_built_marts(warehouse_copy):
    report = quality_gate.run_gate(warehouse_copy)
    assert report.success
    assert {outcome.table for outcome in report.outcomes} == {CONVERSATIONS, DAILY}
    assert all(outcome.rows > 0 and outcome.evaluated >= 5 for outcome in report.outcomes)
    assert (warehouse_copy.reports_dir / "quality" / "gate_report.json").exists()


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_gate_fails_on_broken_mart(warehouse_copy, breakage):
    statement, expected_in_message = BREAKAGES[breakage]
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute(statement)
    with pytest.raises(quality_gate.QualityGateFailed) as failure:
        quality_gate.run_gate(warehouse_copy)
    assert expected_in_message in str(failure.value)
