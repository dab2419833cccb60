"""Any subset of sources ends in a useful result: the whole run (`make run DATA=folder` as the DAGs see it) on each
real export family alone, on a generic file drop alone and on the demo data without its CRM. Each run succeeds,
writes every output, and says in plain words what it could not measure.

The demo families one at a time are in tests/test_source_matrix_demo.py (two files, so two test workers share
the matrix).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from tests.conftest import PROJECT_ROOT
from tests.source_matrix import FIXTURES, NO_CARE, assert_every_output_written, copy_folders, run_family

REAL = FIXTURES / "realdata"
CUSTOMER_SIDE = FIXTURES / "realdata_customer_side"
DEMO_WITHOUT_CRM = ("x", "zendesk", "reviews", "community", "segment", "email", "calls")
GENERIC_DROP = """
file_drops:
  - name: customer_tweets
    format: csv
    glob: "drops/customer_tweets/*.csv"
    columns: [tweet_id, author, text, created_at]
    required: [tweet_id, created_at]
    event_time: created_at
    canonical:
      entity: interactions
      columns:
        interaction_id: tweet_id
        channel: {value: x_mention}
        direction: {value: inbound}
        actor_id: author
        occurred_at: created_at
        body: text
"""


def pacific_export(target) -> pd.DataFrame:
    """The customer tweets as another tool exports them: its own columns, times as `YYYY-MM-DD HH:MM:SS -0800`."""
    tweets = pd.read_csv(
        CUSTOMER_SIDE / "twcs" / "customer_side.csv", dtype=str, keep_default_na=False, lineterminator="\n"
    )
    written = pd.to_datetime(tweets["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True)
    export = pd.DataFrame(
        {
            "tweet_id": tweets["tweet_id"],
            "author": tweets["author_id"],
            "text": tweets["text"],
            "created_at": written.dt.tz_convert("Etc/GMT+8").dt.strftime("%Y-%m-%d %H:%M:%S -0800"),
        }
    )
    target.parent.mkdir(parents=True)
    export.to_csv(target, index=False)
    return export.assign(utc=written.dt.tz_localize(None))


@pytest.fixture(scope="module")
def family_root(airflow_db, tmp_path_factory):
    return tmp_path_factory.mktemp("matrix")


def test_twcs_alone(family_root):
    run = run_family(family_root / "twcs", copy_folders(REAL, family_root / "twcs" / "landing", "twcs"))
    assert_every_output_written(run)
    assert run.query("select count(*) from fct_care_conversations where source_system = 'twcs'")[0][0] > 0
    assert (
        "No revenue figures: no CRM or order source" in (run.paths.reports_dir / "weekly" / "latest.html").read_text()
    )


def test_the_customer_side_of_twcs_alone_reads_as_unanswered(family_root):
    root = family_root / "customer_side"
    run = run_family(root, copy_folders(CUSTOMER_SIDE, root / "landing", "twcs"))
    assert_every_output_written(run)
    conversations, answered, teams = run.query(
        "select count(*), count(*) filter (where is_responded), count(distinct team) from fct_care_conversations"
    )[0]
    # 276 customer tweets, most of them replies to brand tweets that are not in the file.
    assert conversations >= 100 and answered == 0 and teams >= 1
    assert run.query("select count(*) from fct_care_conversations where team = 'sprintcare'")[0][0] > 0
    assert "answered                           0.0%" in run.printed
    orphans = run.summary["orphan_replies"]
    assert orphans["replies"] >= 100 and orphans["from_customers"] == orphans["replies"]
    assert "replies answer messages that are not in the data" in run.printed


def test_olist_alone(family_root):
    run = run_family(family_root / "olist", copy_folders(REAL, family_root / "olist" / "landing", "olist"))
    assert_every_output_written(run)
    assert NO_CARE in run.printed


def test_the_olist_funnel_alone(family_root):
    root = family_root / "funnel"
    run = run_family(root, copy_folders(REAL, root / "landing", "olist_marketing_funnel"))
    assert_every_output_written(run)
    assert run.query("select count(*) from fct_touchpoints")[0][0] > 0


def test_maven_crm_alone_and_an_unrecognised_file_is_listed(family_root):
    landing = copy_folders(REAL, family_root / "maven" / "landing", "maven_crm")
    shutil.copy(CUSTOMER_SIDE / "twcs" / "customer_side.csv", landing / "mystery_export.csv")
    run = run_family(family_root / "maven", landing)
    assert_every_output_written(run)
    assert run.query("select count(*) from fct_interactions")[0][0] == 0
    assert run.query("select count(*) from dim_accounts")[0][0] > 0
    assert NO_CARE in run.printed
    assert "1 landing file(s) match no source and were not loaded:\n    mystery_export.csv" in run.printed


def test_a_generic_drop_of_customer_tweets_alone(family_root):
    """The export that was refused whole before: offsets after a space, customer messages only."""
    root = family_root / "drop"
    landing = root / "landing"
    export = pacific_export(landing / "drops" / "customer_tweets" / "tweets.csv")
    # The project's sources configuration with the drop declared, as a user would edit config/sources.yml.
    config = root / "sources.yml"
    settings = yaml.safe_load((PROJECT_ROOT / "config" / "sources.yml").read_text())
    config.write_text(yaml.safe_dump({**settings, **yaml.safe_load(GENERIC_DROP)}, sort_keys=False))
    run = run_family(root, landing, config)
    assert_every_output_written(run)
    totals = run.summary["stages"]["ingest"]["totals"]
    assert (totals["rows_loaded"], totals["rows_quarantined"]) == (len(export), 0)
    occurred = dict(run.query("select interaction_key, occurred_at from fct_interactions"))
    expected = dict(zip("customer_tweets:" + export["tweet_id"], export["utc"].dt.to_pydatetime(), strict=True))
    assert occurred == expected
    conversations, answered = run.query(
        "select count(*), count(*) filter (where is_responded) from fct_care_conversations"
    )[0]
    assert (conversations, answered) == (len(export), 0)


def test_the_demo_data_without_crm(family_root, demo_landing):
    root = family_root / "no_crm"
    run = run_family(root, copy_folders(demo_landing, root / "landing", *DEMO_WITHOUT_CRM))
    assert_every_output_written(run)
    assert run.query("select count(*) from fct_care_conversations")[0][0] > 0
    assert run.query("select count(*) from dim_accounts")[0][0] == 0
