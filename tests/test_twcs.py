"""The Kaggle "Customer Support on Twitter" export, with its quirks, through ingest and dbt into the care mart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import ingest
from pipeline import dbt_build
from tests.conftest import paths_in

EXCERPT = Path(__file__).parent / "fixtures" / "realdata" / "twcs" / "twcs_excerpt.csv"
FULL_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "twcs" / "twcs.csv"


def read_export(path: Path) -> pd.DataFrame:
    """Independent reading: pandas, line ends at LF only, so the bare CR stays inside its text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, lineterminator="\n", index_col=0)


def expected_first_responses(frame: pd.DataFrame) -> pd.Series:
    """Minutes from each thread-opening customer tweet (it answers nothing, or a tweet that is not in the export) to
    the first brand tweet anywhere below it."""
    frame = frame.assign(
        at=pd.to_datetime(frame["created_at"], format="%a %b %d %H:%M:%S %z %Y"),
        parent=frame["in_response_to_tweet_id"].map(lambda value: str(int(float(value))) if value else ""),
    )
    children: dict[str, list[str]] = {}
    for tweet_id, parent in zip(frame["tweet_id"], frame["parent"], strict=True):
        children.setdefault(parent, []).append(tweet_id)
    by_id = frame.set_index("tweet_id")
    result = {}
    opens = (frame["parent"] == "") | ~frame["parent"].isin(set(frame["tweet_id"]))
    for root in frame.loc[(frame["inbound"] == "True") & opens, "tweet_id"]:
        stack, below = [root], []
        while stack:
            current = stack.pop()
            below.append(current)
            stack.extend(children.get(current, []))
        replies = by_id.loc[below]
        replies = replies[(replies["inbound"] == "False") & (replies["at"] >= by_id.at[root, "at"])]
        minutes = (replies["at"].min() - by_id.at[root, "at"]).total_seconds() / 60 if len(replies) else float("nan")
        result[f"twcs:{root}"] = minutes
    return pd.Series(result).sort_index()


@pytest.fixture(scope="module")
def twcs_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("twcs")
    landing = root / "landing"
    (landing / "twcs").mkdir(parents=True)
    shutil.copy(EXCERPT, landing / "twcs" / "twcs.csv")
    saved = {key: value for key, value in os.environ.items() if key.startswith("OUTCOMES_")}
    paths = paths_in(root, landing)
    try:
        report = ingest.load_landing(paths.landing_dir, paths.warehouse_path)
        dbt_build.build(paths)
    finally:
        for key in [key for key in os.environ if key.startswith("OUTCOMES_")]:
            del os.environ[key]
        os.environ.update(saved)
    return report, paths


def test_every_record_loads_with_its_quirks(twcs_built):
    report, paths = twcs_built
    counts = report.entities["twcs_tweets"]
    assert counts.rows_read == counts.rows_loaded == len(read_export(EXCERPT)) == 330
    assert counts.rows_quarantined == 0 and counts.new_columns == []
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        text = con.execute("select text from raw.twcs_tweets where tweet_id = '3399'").fetchone()[0]
        reply = con.execute(
            "select in_response_to_tweet_id from staging.stg_twcs__tweets where tweet_id = '1'"
        ).fetchone()[0]
    assert text.startswith("@AskPayPal \r\rI just love")
    assert reply == "3"


def test_first_response_matches_an_independent_thread_walk(twcs_built):
    _, paths = twcs_built
    expected = expected_first_responses(read_export(EXCERPT))
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        actual = (
            con.execute(
                "select conversation_id, first_response_minutes from marts.fct_care_conversations"
                " where source_system = 'twcs'"
            )
            .df()
            .set_index("conversation_id")["first_response_minutes"]
            .sort_index()
        )
    assert len(expected) > 50
    assert list(actual.index) == list(expected.index)
    pd.testing.assert_series_equal(actual, expected, check_names=False, check_dtype=False, atol=1e-6)


@pytest.mark.skipif(not FULL_SAMPLE.exists(), reason="../shared/realdata is only beside the project in CI")
def test_the_whole_shared_sample_loads(tmp_path):
    landing = tmp_path / "landing" / "twcs"
    landing.mkdir(parents=True)
    shutil.copy(FULL_SAMPLE, landing / "twcs.csv")
    report = ingest.load_landing(tmp_path / "landing", tmp_path / "wh.duckdb")
    counts = report.entities["twcs_tweets"]
    assert counts.rows_loaded == len(read_export(FULL_SAMPLE)) == 5000
    assert counts.rows_quarantined == 0
