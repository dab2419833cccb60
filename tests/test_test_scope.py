"""Which rows a run's dbt data tests check (pipeline/orchestration/test_scope.py): every row on the first run, for a
new project version, on schedule and on demand; only the changed rows otherwise."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.orchestration import test_scope
from pipeline.settings import PROJECT_ROOT, PipelinePaths

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def paths(tmp_path, monkeypatch) -> PipelinePaths:
    monkeypatch.delenv("OUTCOMES_DBT_TESTS", raising=False)
    project = tmp_path / "dbt_project"
    for part in test_scope.PROJECT_PARTS:
        source = PROJECT_ROOT / "dbt_project" / part
        if source.is_file():
            project.mkdir(exist_ok=True)
            shutil.copyfile(source, project / part)
        elif source.is_dir():
            shutil.copytree(source, project / part)
    config = tmp_path / "sources.yml"
    config.write_text("transform:\n  full_tests_every_days: 7\n")
    return PipelinePaths(
        landing_dir=tmp_path / "landing",
        warehouse_path=tmp_path / "warehouse" / "outcomes.duckdb",
        serving_path=tmp_path / "serving" / "outcomes.duckdb",
        reports_dir=tmp_path / "reports",
        dbt_project_dir=project,
        sources_config_path=config,
    )


def record_full_build(paths) -> None:
    test_scope.record_build(paths, test_scope.Scope("full", "first"), "2026-12-07T11:59:00", NOW)


def test_the_first_run_tests_every_row(paths):
    chosen = test_scope.choose(paths, NOW)
    assert chosen.scope == "full"
    assert chosen.env() == {
        "SOCIAL_OUTCOMES_TEST_SCOPE": "full",
        "SOCIAL_OUTCOMES_TEST_SINCE": "",
        "DBT_EXCLUDE_RESOURCE_TYPES": "",
    }


def test_after_a_full_test_run_the_next_runs_test_the_changed_rows(paths):
    record_full_build(paths)
    chosen = test_scope.choose(paths, NOW + timedelta(days=6, hours=23))
    assert chosen.scope == "changed"
    assert chosen.env() == {
        "SOCIAL_OUTCOMES_TEST_SCOPE": "changed",
        "SOCIAL_OUTCOMES_TEST_SINCE": "2026-12-07T11:59:00",
        "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test seed",
    }
    # a build sized to the change moves the start point on, and keeps the time of the last full test run
    test_scope.record_build(paths, chosen, "2026-12-08T10:00:00", NOW + timedelta(days=1))
    later = test_scope.choose(paths, NOW + timedelta(days=6, hours=23))
    assert (later.scope, later.since) == ("changed", "2026-12-08T10:00:00")
    assert test_scope.choose(paths, NOW + timedelta(days=7)).scope == "full"


def test_every_row_again_when_the_last_full_run_is_older_than_the_configured_days(paths):
    record_full_build(paths)
    chosen = test_scope.choose(paths, NOW + timedelta(days=7))
    assert (chosen.scope, chosen.reason) == ("full", "the last full test run is older than 7 days")
    paths.sources_config_path.write_text("transform:\n  full_tests_every_days: 0\n")
    assert test_scope.choose(paths, NOW).scope == "full"


def test_a_new_project_version_is_tested_in_full_before_it_publishes(paths):
    record_full_build(paths)
    model = paths.dbt_project_dir / "models" / "marts" / "core" / "fct_interactions.sql"
    model.write_text(model.read_text() + "\n-- a new version\n")
    chosen = test_scope.choose(paths, NOW)
    assert (chosen.scope, chosen.reason) == ("full", "the dbt project changed since the last full test run")


def test_on_demand_either_way(paths, monkeypatch):
    monkeypatch.setenv("OUTCOMES_DBT_TESTS", "changed")
    assert test_scope.choose(paths, NOW).scope == "full"  # nothing built yet: nothing to compare with
    monkeypatch.setenv("OUTCOMES_DBT_TESTS", "full")
    record_full_build(paths)
    assert test_scope.choose(paths, NOW).scope == "full"
    monkeypatch.setenv("OUTCOMES_DBT_TESTS", "changed")
    assert test_scope.choose(paths, NOW).scope == "changed"
    monkeypatch.setenv("OUTCOMES_DBT_TESTS", "some")
    with pytest.raises(test_scope.ScopeError, match="OUTCOMES_DBT_TESTS"):
        test_scope.choose(paths, NOW)


def test_a_bad_schedule_is_refused(paths):
    record_full_build(paths)
    paths.sources_config_path.write_text("transform:\n  full_tests_every_days: weekly\n")
    with pytest.raises(test_scope.ScopeError, match="full_tests_every_days"):
        test_scope.choose(paths, NOW)


def test_a_moved_connector_folder_is_the_same_project_a_new_connector_is_not():
    def connectors(**settings) -> dict:
        return {"fivetran_connectors": settings}

    here = connectors(zendesk={"schema": "fivetran_zendesk", "parquet_dir": "/landing/connectors/zendesk"})
    moved = connectors(zendesk={"schema": "fivetran_zendesk", "parquet_dir": "/elsewhere/zendesk"})
    added = connectors(
        zendesk={"schema": "fivetran_zendesk", "parquet_dir": "/landing/connectors/zendesk"},
        hubspot={"schema": "fivetran_hubspot", "parquet_dir": "/landing/connectors/hubspot"},
    )
    assert test_scope.without_locations(here) == test_scope.without_locations(moved)
    assert test_scope.without_locations(here) != test_scope.without_locations(added)
