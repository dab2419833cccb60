"""One DuckDB memory cap for every warehouse writer: ingest and publish take it from the environment, and so does
dbt through its profile (checked by asking the dbt connection itself)."""

from __future__ import annotations

import dataclasses

import ingest
from ingest import duckdb_settings
from pipeline import dbt_build
from pipeline.settings import load_paths


def test_the_memory_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(duckdb_settings.MEMORY_LIMIT_ENV, raising=False)
    assert duckdb_settings.connection_config() == {"memory_limit": "80%"}
    monkeypatch.setenv(duckdb_settings.MEMORY_LIMIT_ENV, "")  # set but empty: the default, not an error
    assert duckdb_settings.memory_limit() == "80%"
    monkeypatch.setenv(duckdb_settings.MEMORY_LIMIT_ENV, "1500MB")
    assert duckdb_settings.connection_config() == {"memory_limit": "1500MB"}


def test_dbt_connections_get_the_same_memory_cap(tmp_path, monkeypatch):
    monkeypatch.setenv(duckdb_settings.MEMORY_LIMIT_ENV, "1500MB")
    paths = dataclasses.replace(load_paths(), warehouse_path=tmp_path / "outcomes.duckdb")
    shown = dbt_build.run_dbt(
        paths, "show", "--inline", "select current_setting('memory_limit') as memory_limit", "--output", "json"
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    # DuckDB reports the cap in binary units: 1500 MB = 1.3 GiB
    assert '"memory_limit": "1.3 GiB"' in shown.stdout, shown.stdout


def test_ingest_runs_under_a_small_memory_cap(tmp_path, monkeypatch, demo_landing):
    # DuckDB reserves twice the largest JSON object per file read; with a 512 MiB object limit this failed.
    monkeypatch.setenv(duckdb_settings.MEMORY_LIMIT_ENV, "500MB")
    report = ingest.load_landing(demo_landing, tmp_path / "outcomes.duckdb")
    assert report.files_loaded > 0 and report.rows_read > 0 and not report.failures
