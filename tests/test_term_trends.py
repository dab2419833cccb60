"""mart_term_trends finds what customers talk about without a taxonomy (dbt_project/DECISIONLOG.md, "Term trends").

Cheap by design: no pipeline run. The session's demo warehouse (scale 0.01) is copied and only the term models are
rebuilt, from a copy of the dbt project whose topic taxonomy is emptied (header only), or on a copy cut to one week.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline import dbt_build, publish
from pipeline.outputs import absence, term_trends, weekly_report
from pipeline.outputs.dashboard import charts
from tests.conftest import PROJECT_ROOT

TERM_MODELS = ["topic_taxonomy", "int_text__message_terms", "mart_term_trends"]


def copy_of(built, root: Path, project: Path):
    """PipelinePaths for a private copy of the built warehouse under `root`, running dbt from `project`."""
    paths = dataclasses.replace(
        built,
        warehouse_path=root / "warehouse" / "outcomes.duckdb",
        serving_path=root / "serving" / "outcomes.duckdb",
        reports_dir=root / "reports",
        dbt_project_dir=project,
    )
    paths.warehouse_path.parent.mkdir(parents=True)
    shutil.copy(built.warehouse_path, paths.warehouse_path)
    return paths


def dbt(paths, *args: str) -> None:
    completed = dbt_build.run_dbt(paths, *args)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-3000:]


def query(paths, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def planted_spike(paths) -> dict:
    return json.loads((paths.landing_dir / "manifest.json").read_text())["truths"]["hot_button_spike"]


@pytest.fixture(scope="module")
def no_taxonomy(tmp_path_factory, built_warehouse):
    """The demo warehouse with the term models rebuilt from a project whose topic_taxonomy.csv has no rows."""
    root = tmp_path_factory.mktemp("terms_no_taxonomy")
    project = root / "dbt_project"
    shutil.copytree(
        PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    taxonomy = project / "seeds" / "topic_taxonomy.csv"
    taxonomy.write_text(taxonomy.read_text().splitlines()[0] + "\n")
    paths = copy_of(built_warehouse, root, project)
    # Cautious: a test of another model that reads the taxonomy (mart_topic_trends) is not run on the old rows.
    dbt(paths, "build", "--select", *TERM_MODELS, "--indirect-selection", "cautious")
    assert query(paths, "select count(*) from seeds.topic_taxonomy") == [(0,)]
    return paths


@pytest.fixture(scope="module")
def one_week(tmp_path_factory, built_warehouse):
    """The demo warehouse cut to the planted week's customer messages, mart_term_trends rebuilt, then published."""
    root = tmp_path_factory.mktemp("terms_one_week")
    paths = copy_of(built_warehouse, root, PROJECT_ROOT / "dbt_project")
    week = date.fromisoformat(planted_spike(paths)["week_start"])
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        connection.execute(
            "delete from marts.fct_interactions where occurred_at < ? or occurred_at >= ?",
            [week, week + timedelta(days=7)],
        )
    shutil.copytree(built_warehouse.dbt_target_dir, paths.dbt_target_dir)
    dbt(paths, "run", "--select", "mart_term_trends")
    publish.publish(paths)
    return paths, week


def test_the_planted_spike_words_are_the_top_emerging_terms_of_the_planted_week(no_taxonomy):
    spike = planted_spike(no_taxonomy)
    with (no_taxonomy.dbt_project_dir / "seeds" / "stop_words.csv").open() as seed:
        stop_words = {row["word"] for row in csv.DictReader(seed)}
    spike_words = {word for keyword in spike["keywords"] for word in keyword.split() if word not in stop_words}
    assert spike_words == {"login", "sign", "password", "reset"}

    emerging = query(
        no_taxonomy,
        "select cast(week_start as varchar), term, owning_team, example_message_1 from marts.mart_term_trends"
        " where is_emerging order by week_start, emerging_rank",
    )
    # Only the planted week has emerging terms, and every one of them is made of the spike's words.
    assert {week for week, _, _, _ in emerging} == {spike["week_start"]}
    terms = [term for _, term, _, _ in emerging]
    assert {"login", "password reset"} <= set(terms)
    assert all(set(term.split(" ")) <= spike_words for term in terms), terms
    # They are the week's strongest rises against their baselines, in the same order.
    strongest = query(
        no_taxonomy,
        "select term from marts.mart_term_trends where week_start = ?"
        " order by log_likelihood desc, mentions desc, term limit ?",
        [spike["week_start"], len(terms)],
    )
    assert [term for (term,) in strongest] == terms
    # The taxonomy is empty: no term has an owner; each flagged term shows what customers wrote, handles masked.
    assert all(team is None for _, _, team, _ in emerging)
    assert all(example and "@" not in example.replace("@user", "") for _, _, _, example in emerging)


def test_a_single_week_gives_top_complaints_and_nothing_emerging(one_week):
    paths, week = one_week
    rows = query(
        paths,
        "select count(distinct week_start), max(baseline_weeks), count(log_likelihood), count(*) filter (is_emerging),"
        " count(*) filter (is_top_complaint) from marts.mart_term_trends",
    )
    assert rows == [(1, 0, 0, 0, 10)]  # var term_top_complaints
    complaints = query(
        paths,
        "select term, owning_team, negative_mentions, example_message_1, example_message_3"
        " from marts.mart_term_trends where is_top_complaint order by complaint_rank",
    )
    assert [row[2] for row in complaints] == sorted((row[2] for row in complaints), reverse=True)
    assert all(row[3] and row[4] for row in complaints)  # three examples each
    # The spike's words are among the week's complaints, owned by the team of the taxonomy's login topic.
    owners = {term: team for term, team, _, _, _ in complaints}
    assert owners.get("login") == planted_spike(paths)["owning_team"]


def test_the_weekly_report_and_the_dashboard_show_the_weeks_terms_with_their_owning_team(one_week):
    paths, week = one_week
    report = weekly_report.collect(paths.serving_path, week)
    assert report["terms"]["emerging"] == []
    complaints = report["terms"]["complaints"]
    assert complaints and all(row["examples"] for row in complaints)
    html, text = weekly_report.render(report)
    section = text.split("== Emerging terms and top complaints ==")[1].split("==")[0]
    assert "No term emerged this week." in section
    assert any(line.split()[:2] == ["login", "Support"] for line in section.splitlines()), section
    assert 'id="terms"' in html and "No term emerged this week." in html

    with duckdb.connect(str(paths.serving_path), read_only=True) as connection:
        table = charts.emerging_terms(connection, None, None).data[0]
    shown = dict(zip(table.cells.values[0], table.cells.values[2], strict=True))
    assert shown["login"] == "Support"
    assert table.header.values[0].startswith(f"term, week of {week}")


def test_a_word_inside_a_listed_pair_is_folded_into_it():
    rows = [
        {"term": "password", "word_count": 1, "mentions": 12},
        {"term": "password reset", "word_count": 2, "mentions": 11},
        {"term": "reset", "word_count": 1, "mentions": 40},
        {"term": "login", "word_count": 1, "mentions": 13},
    ]
    assert [row["term"] for row in term_trends.fold(rows, "mentions")] == ["password reset", "reset", "login"]


def test_without_term_trends_the_report_says_why_in_plain_words(one_week):
    paths, week = one_week
    report = weekly_report.collect(paths.serving_path, week)
    report["terms"] = {"week_start": None, "emerging": [], "complaints": []}
    report["no_data"]["terms"] = absence.NO_DATA["terms"]
    html, text = weekly_report.render(report)
    expected = "No emerging terms or top complaints: no customer messages with text were loaded."
    assert expected in text.split("== Emerging terms and top complaints ==")[1] and expected in html
