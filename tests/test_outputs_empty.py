"""Every output on a subset of sources: real exports built by dbt and published, one source family at a time.

- CRM only (the Maven excerpt): no messages, no care conversations, no topics, no feedback. Every output is written
  and each empty section says in plain words which kind of source was not loaded.
- Customer side of a Twitter export only (the twcs excerpt without its brand tweets, cut after a Wednesday): messages
  whose data ends inside a week and a month, so the latest period is partial and compared with nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import publish, quality_gate, suites
from pipeline.outputs import absence, handoff, periods, run_summary, weekly_report
from pipeline.outputs.dashboard import build, kpis
from pipeline.quality import mart_gate
from tests.conftest import PROJECT_ROOT, ingest_and_build

REAL = Path(__file__).parent / "fixtures" / "realdata"
LAST_DAY = date(2017, 11, 1)  # a Wednesday: the data ends inside a week and inside a month
SMTP_ENV = ("HOST", "PORT", "FROM", "TO", "USER", "PASSWORD", "STARTTLS")


def customer_side_only(source: Path, target: Path, last_day: date) -> int:
    """The twcs excerpt with every brand tweet removed and nothing after `last_day` (UTC), read as
    tests/test_real_exports.py reads it (fields split on LF only: one text holds bare carriage returns); returns the
    count kept."""
    tweets = pd.read_csv(source, dtype=str, keep_default_na=False, lineterminator="\n", index_col=0)
    written = pd.to_datetime(tweets["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True)
    kept = tweets[(tweets["inbound"] == "True") & (written.dt.date <= last_day)]
    target.parent.mkdir(parents=True)
    kept.to_csv(target, lineterminator="\n")
    return len(kept)


def published_subset(root: Path, landing: Path):
    paths = ingest_and_build(root, landing)
    publish.publish(paths)
    return paths


@pytest.fixture(scope="module")
def crm_only(tmp_path_factory):
    root = tmp_path_factory.mktemp("crm_only")
    shutil.copytree(REAL / "maven_crm", root / "landing" / "maven_crm")
    return published_subset(root, root / "landing")


@pytest.fixture(scope="module")
def customers_only(tmp_path_factory):
    root = tmp_path_factory.mktemp("customers_only")
    target = root / "landing" / "twcs" / "twcs_excerpt.csv"
    kept = customer_side_only(REAL / "twcs" / "twcs_excerpt.csv", target, LAST_DAY)
    assert kept > 100
    return published_subset(root, root / "landing")


def use(subset, tmp_path: Path, monkeypatch):
    """PipelinePaths reading a published subset, with this test's own reports folder and no SMTP or ticketing."""
    from pipeline.settings import load_paths

    for name in SMTP_ENV:
        monkeypatch.delenv(f"OUTCOMES_SMTP_{name}", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_OUTCOMES_SMTP", raising=False)
    monkeypatch.delenv("OUTCOMES_TICKETING_URL", raising=False)
    monkeypatch.delenv("OUTCOMES_CURRENCY", raising=False)
    monkeypatch.setenv("OUTCOMES_LANDING_DIR", str(subset.landing_dir))
    monkeypatch.setenv("OUTCOMES_WAREHOUSE_PATH", str(subset.warehouse_path))
    monkeypatch.setenv("OUTCOMES_SERVING_PATH", str(subset.serving_path))
    monkeypatch.setenv("OUTCOMES_REPORTS_DIR", str(tmp_path / "reports"))
    return load_paths()


def query(path: Path, sql: str):
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_the_crm_only_marts_are_empty_where_the_outputs_must_say_so(crm_only):
    counts = dict(
        query(
            crm_only.serving_path,
            "select 'care', count(*) from fct_care_conversations union all select 'messages', count(*)"
            " from fct_interactions union all select 'topics', count(*) from mart_topic_trends",
        )
    )
    assert counts == {"care": 0, "messages": 0, "topics": 0}


def test_run_summary_on_crm_only_says_there_are_no_care_conversations(crm_only, monkeypatch, tmp_path):
    paths = use(crm_only, tmp_path, monkeypatch)
    summary = run_summary.build_summary(paths, {})
    assert summary["care_headlines"]["no_data"] == absence.NO_DATA["care"]
    printed = subprocess.run(
        [sys.executable, "-m", "pipeline.outputs.run_summary"],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "no care conversations: no source with brand replies was loaded" in printed
    assert "no text coverage: no customer messages were loaded" in printed
    assert "Closed-won revenue with a social or community touch" in printed  # the KPI the CRM does give
    assert printed == run_summary.format_summary(json.loads(paths.run_summary_path.read_text())) + "\n"


def annotations(page: str) -> dict[str, list[str]]:
    """Chart id -> the annotation texts of its default figure, read back from the page's embedded JSON."""
    start = page.index("const FIGURES = ") + len("const FIGURES = ")
    figures = json.JSONDecoder().raw_decode(page[start:])[0]
    default = figures[f"{build.DEFAULT_PERIOD}|{build.ALL_SEGMENTS}"]
    return {
        chart: [note["text"] for note in figure["layout"].get("annotations", [])] for chart, figure in default.items()
    }


def test_dashboard_on_crm_only_explains_every_empty_chart(crm_only, monkeypatch, tmp_path):
    paths = use(crm_only, tmp_path, monkeypatch)
    report = build.build(paths)
    page = Path(report.page).read_text()

    notes = annotations(page)
    assert notes["sla_by_team"] == notes["first_response"] == [absence.NO_DATA["care"]]
    assert notes["channel_volume"] == [absence.NO_DATA["interactions"]]
    assert notes["topics_this_week"] == [absence.NO_DATA["topics"]]
    assert notes["text_coverage"] == [absence.NO_DATA["coverage"]]
    assert notes["emerging_terms"] == [absence.NO_DATA["terms"]]
    assert notes["revenue_influence"] == []  # the CRM has closed deals: this chart has data
    assert "No care conversations: no source with brand replies was loaded." in page
    (last,) = query(crm_only.serving_path, "select cast(max(occurred_at) as date) from fct_touchpoints")[0]
    assert f"Data through {last}" in page


def test_weekly_report_on_crm_only_is_written_with_plain_words_for_each_empty_section(crm_only, monkeypatch, tmp_path):
    paths = use(crm_only, tmp_path, monkeypatch)
    result = weekly_report.build_and_send(paths)

    text = Path(result["text"]).read_text()
    assert date.fromisoformat(result["week"]).weekday() == 0
    hot = text.split("== Hot-button topics ==")[1].split("==")[0]
    assert "No topic trends: no customer messages with text were loaded." in hot
    terms = text.split("== Emerging terms and top complaints ==")[1].split("==")[0]
    assert "No emerging terms or top complaints: no customer messages with text were loaded." in terms
    sla = text.split("== SLA by team ==")[1].split("==")[0]
    assert "No care conversations: no source with brand replies was loaded." in sla
    assert text.count("Open feedback items: none, no feedback items:") == len(result["sections"]["teams"])
    html = Path(result["html"]).read_text()
    assert "No care conversations: no source with brand replies was loaded." in html
    assert "Partial week" not in text  # nothing dated in the messages: no week to call partial


def test_hand_off_on_crm_only_writes_nothing_and_says_why(crm_only, monkeypatch, tmp_path):
    paths = use(crm_only, tmp_path, monkeypatch)
    report = handoff.hand_off(paths)
    assert report["totals"]["items"] == 0 and report["teams"] == {}
    assert report["note"].startswith(absence.NO_DATA["feedback"])


def test_the_mart_gate_passes_empty_marts_and_still_fails_a_mart_that_lost_its_rows(crm_only, monkeypatch, tmp_path):
    paths = use(crm_only, tmp_path, monkeypatch)
    monkeypatch.setenv("OUTCOMES_FRESHNESS", "on")
    monkeypatch.setenv("OUTCOMES_AS_OF", "2017-04-01T00:00:00")
    empty = mart_gate.empty_marts(paths)
    assert {"fct_interactions", "fct_care_conversations", "mart_social_care"} <= empty
    assert mart_gate.run_mart_gate(paths).success

    # The same empty mart after a good publish that had rows: a real loss, and the gate says so.
    checked = [
        suite
        for suite in suites.mart_suites(
            quality_gate.quality_as_of(), {"mart.fct_care_conversations": 120}, empty_marts=empty
        )
        if suite.table == "fct_care_conversations"
    ]
    (outcome,) = quality_gate.validate(checked, paths.warehouse_path, tmp_path / "docs")
    assert not outcome.success
    assert any("expect_table_row_count_to_be_between" in failure for failure in outcome.failed)


def test_the_gate_still_checks_freshness_of_a_mart_with_rows(customers_only, monkeypatch, tmp_path):
    paths = use(customers_only, tmp_path, monkeypatch)
    monkeypatch.setenv("OUTCOMES_FRESHNESS", "on")
    monkeypatch.setenv("OUTCOMES_AS_OF", "2026-01-01T00:00:00")  # years after the export
    assert "fct_interactions" not in mart_gate.empty_marts(paths)
    with pytest.raises(quality_gate.QualityGateFailed) as failed:
        mart_gate.run_mart_gate(paths)
    assert "- fct_interactions" in str(failed.value) and "_newest_record_age_days" in str(failed.value)


def test_a_week_the_data_ends_in_is_marked_partial_and_compared_with_nothing(customers_only, monkeypatch, tmp_path):
    paths = use(customers_only, tmp_path, monkeypatch)
    (last,) = query(paths.serving_path, "select max(occurred_at) from fct_interactions")[0]
    last_monday = last.date() - timedelta(days=last.weekday())
    assert last.date() == LAST_DAY

    result = weekly_report.build_and_send(paths, last_monday)
    report = result["sections"]
    assert report["partial"] is True and report["headline"]["change_vs_previous_week"] is None
    assert all(row["change_vs_baseline"] is None for team in report["teams"] for row in team["topics"])
    text = Path(result["text"]).read_text()
    assert f"Partial week: data through {last.date()}." in text
    assert "Change vs previous week    partial week" in text

    # The default week is the latest one the data covers to its Sunday, and is compared.
    default = weekly_report.collect(paths.serving_path)
    assert default["partial"] is False
    assert date.fromisoformat(default["week_end"]) <= last.date()


def test_a_month_the_data_ends_in_is_marked_partial_on_every_output(customers_only, monkeypatch, tmp_path):
    paths = use(customers_only, tmp_path, monkeypatch)
    (last,) = query(paths.serving_path, "select max(occurred_at) from fct_interactions")[0]
    month = date(last.year, last.month, 1)
    assert last.date() == LAST_DAY and not periods.month_is_complete(month, last)

    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        cards = kpis.cards(connection)
    from_messages = [card for card in cards if kpis.KPI_EVENTS.get(card["kpi"]) == "interactions"]
    in_last_month = [card for card in from_messages if card["period_start"] == month]
    assert in_last_month and all(not card["partial"] for card in from_messages if card not in in_last_month)
    for card in in_last_month:
        assert card["partial"] and card["trend"] == "flat"
        assert card["change_text"] == f"not compared: partial month (data through {last.date()})"
        assert card["period"] == f"{month:%Y-%m} (partial)"

    page = Path(build.build(paths).page).read_text()
    assert f"({month:%Y-%m} is a partial month)" in page
    assert page.count("not compared: partial month") == sum(card["partial"] for card in cards) >= len(in_last_month)
    summary = run_summary.format_summary(json.loads(json.dumps(run_summary.build_summary(paths, {}), default=str)))
    assert f"{month:%Y-%m}*" in summary and f"* partial month (data through {last.date()})" in summary
