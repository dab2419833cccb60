"""Shared fixtures: an isolated Airflow home, one small generated landing folder, one built warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Fixtures for servers on 127.0.0.1 (an SMTP server), shared by the alert and weekly report tests.
pytest_plugins = ["tests.local_servers"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEST_SCALE = 0.01
TEST_SEED = 7

# Airflow reads its configuration when first imported, so its home must be set before any test imports it.
# Test modules also import this file as `tests.conftest`: the second import must keep the first one's home. Each
# pytest-xdist worker gets its own home (its own SQLite metadata database), named by the worker's id.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
_HOME_VARIABLE = f"OUTCOMES_TEST_AIRFLOW_HOME_{_WORKER}" if _WORKER else "OUTCOMES_TEST_AIRFLOW_HOME"
_airflow_home = Path(os.environ.get(_HOME_VARIABLE) or tempfile.mkdtemp(prefix="outcomes-airflow-home-"))
os.environ[_HOME_VARIABLE] = str(_airflow_home)
os.environ["AIRFLOW_HOME"] = str(_airflow_home)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ["GX_ANALYTICS_ENABLED"] = "False"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
os.environ["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
# dag.test() fails on a DAG with a deadline (apache/airflow#73428); the deadline alert is tested with the scheduler.
os.environ["OUTCOMES_ALERT_DEADLINES"] = "off"
# Publishing refuses real exports without a pseudonym key; tests that check the refusal or the demo key unset it.
os.environ.setdefault("OUTCOMES_PSEUDONYM_KEY", "tests-only-pseudonym-key-0123456789")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_airflow_home, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], check=True, capture_output=True)
    return _airflow_home


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory) -> Path:
    """A small generated landing folder (scale 0.01), shared read-only by the tests that need one."""
    import demo_data

    landing = tmp_path_factory.mktemp("landing")
    demo_data.generate(landing, scale=TEST_SCALE, seed=TEST_SEED)
    return landing


def paths_in(root: Path, landing: Path, monkeypatch=None):
    """PipelinePaths for a test: its own warehouse, serving file and reports under `root`."""
    from demo_data.as_of import demo_as_of
    from pipeline.settings import load_paths

    values = {
        "OUTCOMES_LANDING_DIR": landing,
        "OUTCOMES_WAREHOUSE_PATH": root / "warehouse" / "outcomes.duckdb",
        "OUTCOMES_SERVING_PATH": root / "serving" / "outcomes.duckdb",
        "OUTCOMES_REPORTS_DIR": root / "reports",
    }
    if (landing / "manifest.json").exists():
        # Demo data covers fixed dates: freshness is checked as of the day after its last one.
        values["OUTCOMES_AS_OF"] = demo_as_of(landing)
        # At test scale a quiet source (DMs) can go a week without a record.
        values["OUTCOMES_FRESHNESS_MAX_AGE_DAYS"] = "14"
    for name, value in values.items():
        if monkeypatch is not None:
            monkeypatch.setenv(name, str(value))
        else:
            os.environ[name] = str(value)
    return load_paths()


def ingest_and_build(root: Path, landing: Path):
    """Ingest `landing` into a warehouse under `root` and `dbt build` it; OUTCOMES_* are restored afterwards."""
    import ingest
    from pipeline import dbt_build

    saved = {key: os.environ.get(key) for key in os.environ if key.startswith("OUTCOMES_")}
    paths = paths_in(root, landing)
    try:
        ingest.load_landing(paths.landing_dir, paths.warehouse_path)
        dbt_build.build(paths)
    finally:
        for key in [key for key in os.environ if key.startswith("OUTCOMES_")]:
            del os.environ[key]
        os.environ.update({key: value for key, value in saved.items() if value is not None})
    return paths


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory, demo_landing):
    """The demo landing folder ingested and built by dbt once; tests copy it before changing anything."""
    return ingest_and_build(tmp_path_factory.mktemp("built"), demo_landing)


@pytest.fixture
def warehouse_copy(tmp_path, monkeypatch, built_warehouse, demo_landing):
    """A private copy of the built warehouse, with OUTCOMES_* pointing at it for this test."""
    paths = paths_in(tmp_path, demo_landing, monkeypatch)
    paths.warehouse_path.parent.mkdir(parents=True)
    shutil.copy(built_warehouse.warehouse_path, paths.warehouse_path)
    paths.dbt_target_dir.mkdir()
    shutil.copy(built_warehouse.dbt_target_dir / "manifest.json", paths.dbt_target_dir / "manifest.json")
    return paths


@pytest.fixture(scope="module")
def any_refused_share():
    """For tests that feed tiny files with deliberately bad records to check quarantine itself: one bad line of two
    is a mostly refused file, which ingest would fail on (tests/test_refused_files.py covers that rule)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("OUTCOMES_MAX_REFUSED_SHARE", "1")
        yield
