"""What keeps a small `make run` cheap, checked without timing anything: `dag.test()` calls in one run parse and sync
the DAG folder once, and the small-run benchmark's export holds whole twcs records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks import small_run
from pipeline import run_all

TWCS_EXCERPT = Path(__file__).resolve().parent / "fixtures" / "realdata" / "twcs" / "twcs_excerpt.csv"


def test_dag_tests_in_one_run_parse_and_sync_the_dag_folder_once(monkeypatch):
    from airflow.dag_processing import dagbag as dagbag_module

    parsed, synced = [], []
    monkeypatch.setattr(dagbag_module, "BundleDagBag", lambda **kwargs: parsed.append(kwargs) or object())
    monkeypatch.setattr(dagbag_module, "sync_bag_to_db", lambda bag, name, version, **_: synced.append(bag))
    with run_all.dag_folder_synced_once():
        bags = [dagbag_module.BundleDagBag(dag_folder="dags", bundle_path="dags", bundle_name="b") for _ in range(3)]
        for bag in bags:
            dagbag_module.sync_bag_to_db(bag, "b", None)
        other = dagbag_module.BundleDagBag(dag_folder="other", bundle_path="other", bundle_name="c")
    assert bags[0] is bags[1] is bags[2] and other is not bags[0]
    assert len(parsed) == 2 and synced == [bags[0]]
    # Outside the block every call parses again.
    dagbag_module.BundleDagBag(dag_folder="dags", bundle_path="dags", bundle_name="b")
    assert len(parsed) == 3


@pytest.mark.parametrize("records", [10, 300])
def test_small_run_export_holds_the_first_whole_twcs_records(tmp_path, records):
    small_run.write_export(TWCS_EXCERPT, tmp_path, records)
    written = pd.read_csv(tmp_path / "twcs" / "twcs.csv", dtype=str, keep_default_na=False, lineterminator="\n")
    source = pd.read_csv(TWCS_EXCERPT, dtype=str, keep_default_na=False, lineterminator="\n")
    assert len(written) == records
    pd.testing.assert_frame_equal(written, source.head(records))
    with pytest.raises(small_run.BenchmarkFailed, match="fewer than"):
        small_run.write_export(TWCS_EXCERPT, tmp_path / "more", len(source) + 1)
