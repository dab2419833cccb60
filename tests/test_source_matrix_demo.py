"""Any subset of sources ends in a useful result: the whole run (`make run DATA=folder` as the DAGs see it) on each
family of the demo data alone. Each run succeeds and writes every output; what a family cannot feed is said in plain
words, never an exception. Real exports alone: tests/test_source_matrix_exports.py.
"""

from __future__ import annotations

import pytest

from tests.source_matrix import NO_CARE, assert_every_output_written, copy_folders, run_family

# family folder -> a mart it feeds on its own
FAMILIES = {
    "x": "fct_care_conversations",
    "zendesk": "fct_care_conversations",
    "reviews": "fct_interactions",
    "community": "mart_feedback_backlog",
    "crm": "dim_accounts",
    "segment": "fct_touchpoints",
    "email": "fct_touchpoints",
    "calls": "fct_touchpoints",
}


@pytest.mark.parametrize("family", FAMILIES)
def test_each_demo_family_alone(family, airflow_db, demo_landing, tmp_path):
    run = run_family(tmp_path, copy_folders(demo_landing, tmp_path / "landing", family))
    assert_every_output_written(run)
    assert run.query(f"select count(*) from {FAMILIES[family]}")[0][0] > 0
    if FAMILIES[family] != "fct_care_conversations":
        assert NO_CARE in run.printed
