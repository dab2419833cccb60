"""Text coverage in plain sight: per source, the share of customer messages with a sentiment signal and a taxonomy
topic (mart_text_coverage), recounted from fct_interactions, gated, printed by the run summary and shown on the
dashboard; with no customer messages each output says so. Runs on the session's built demo warehouse."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from pipeline import publish, quality_gate, suites
from pipeline.outputs import absence, run_summary, text_coverage
from pipeline.outputs.dashboard import build

JOURNEY_TYPES = {"email", "call", "web_event", "sms", "meeting", "crm_task"}
NO_SIGNAL = {"no_signal", "no_text", None}


def recount(warehouse_path: Path) -> dict[str, dict]:
    """Source -> messages, with a sentiment signal, with a topic and per method, counted in Python from the rows of
    fct_interactions."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select source_system, direction, interaction_type, sentiment_method, topic from marts.fct_interactions"
        ).fetchall()
    counts: dict[str, dict] = defaultdict(lambda: {"messages": 0, "signal": 0, "topic": 0, "methods": Counter()})
    for source, direction, interaction_type, method, topic in rows:
        if direction != "inbound" or interaction_type in JOURNEY_TYPES:
            continue
        source_counts = counts[source]
        source_counts["messages"] += 1
        source_counts["signal"] += method not in NO_SIGNAL
        source_counts["topic"] += topic not in (None, "unclassified")
        source_counts["methods"][method or "unscored"] += 1
    return dict(counts)


def mart_rows(path: Path, table: str = "marts.mart_text_coverage") -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as connection:
        cursor = connection.execute(f"select * from {table}")
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def default_figure(page: str, chart_id: str) -> dict:
    start = page.index("const FIGURES = ") + len("const FIGURES = ")
    figures = json.JSONDecoder().raw_decode(page[start:])[0]
    return figures[f"{build.DEFAULT_PERIOD}|{build.ALL_SEGMENTS}"][chart_id]


def test_the_mart_counts_each_sources_customer_messages_and_what_the_text_signals_read(warehouse_copy):
    expected = recount(warehouse_copy.warehouse_path)
    rows = mart_rows(warehouse_copy.warehouse_path)
    # The demo has sources with and without a sentiment signal on every message, and journey events left out.
    assert {"x", "zendesk", "reviews", "community"} <= set(expected)
    assert not {"email", "segment", "call_center"} & {row["source_system"] for row in rows}

    by_source: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_source[row["source_system"]].append(row)
    assert set(by_source) == set(expected)
    for source, counts in expected.items():
        source_rows = by_source[source]
        assert {row["sentiment_method"]: row["messages"] for row in source_rows} == dict(counts["methods"]), source
        assert sum(row["messages"] for row in source_rows if row["has_sentiment_signal"]) == counts["signal"]
        assert sum(row["messages_with_topic"] for row in source_rows) == counts["topic"]
        assert sum(row["share_of_source_messages"] for row in source_rows) == pytest.approx(1.0)
        for row in source_rows:
            assert row["has_sentiment_signal"] == (row["sentiment_method"] not in NO_SIGNAL | {"unscored"})
            assert row["share_of_source_messages"] == pytest.approx(row["messages"] / counts["messages"])
            assert row["source_sentiment_signal_share"] == pytest.approx(counts["signal"] / counts["messages"])
            assert row["source_topic_share"] == pytest.approx(counts["topic"] / counts["messages"])
    # Neither all nor nothing: some of the demo's X messages (customers' replies in a thread) have no topic.
    assert 0 < expected["x"]["topic"] < expected["x"]["messages"]


def test_the_quality_gate_checks_the_mart_and_catches_counts_that_do_not_add_up(warehouse_copy, tmp_path):
    def gate() -> quality_gate.SuiteOutcome:
        suite_list = [suite for suite in suites.mart_suites(None, {}) if suite.table == "mart_text_coverage"]
        return quality_gate.validate(suite_list, warehouse_copy.warehouse_path, tmp_path / "docs")[0]

    passed = gate()
    assert passed.success and passed.evaluated >= 8, passed.failed
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("update marts.mart_text_coverage set messages = messages + 1 where source_system = 'x'")
    failed = gate()
    assert not failed.success
    assert any("text_coverage_matches_interactions.sql" in failure for failure in failed.failed), failed.failed


def test_the_run_summary_says_per_source_what_share_has_a_signal_and_a_topic(warehouse_copy):
    publish.publish(warehouse_copy)
    expected = recount(warehouse_copy.warehouse_path)
    summary = run_summary.build_summary(warehouse_copy, {})
    printed = run_summary.format_summary(json.loads(warehouse_copy.run_summary_path.read_text()))
    assert summary["text_coverage"]["no_data"] is None

    section = printed.split("Text coverage, customer messages per source (marts.mart_text_coverage):\n")[1]
    lines = section.split("\n\n")[0].splitlines()
    pattern = re.compile(
        r"  (\S+): ([\d,]+) messages?, (\d+%|under 1%|over 99%) with a sentiment signal, "
        r"(\d+%|under 1%|over 99%) with a taxonomy topic"
    )
    shown = {match[1]: match for match in map(pattern.fullmatch, lines) if match}
    assert len(shown) == len(lines) == len(expected), lines
    # Most messages first.
    assert [match[1] for match in shown.values()] == sorted(expected, key=lambda s: (-expected[s]["messages"], s))
    for source, counts in expected.items():
        match = shown[source]
        assert int(match[2].replace(",", "")) == counts["messages"]
        assert match[3] == text_coverage.percent(counts["signal"] / counts["messages"])
        assert match[4] == text_coverage.percent(counts["topic"] / counts["messages"])
    x = expected["x"]
    assert (
        f"  x: {x['messages']:,} messages, {x['signal'] / x['messages']:.0%} with a sentiment signal, "
        f"{x['topic'] / x['messages']:.0%} with a taxonomy topic" in lines
    )


def test_the_dashboard_has_a_text_coverage_table_per_source(warehouse_copy):
    publish.publish(warehouse_copy)
    expected = recount(warehouse_copy.warehouse_path)
    page = Path(build.build(warehouse_copy).page).read_text()
    assert "<h2>Text coverage</h2>" in page
    figure = default_figure(page, "text_coverage")
    (table,) = figure["data"]
    assert table["header"]["values"][:4] == [
        "source",
        "customer messages",
        "with a sentiment signal",
        "with a taxonomy topic",
    ]
    sources, messages, signal, topic, methods = table["cells"]["values"]
    assert sorted(sources) == sorted(expected)
    for index, source in enumerate(sources):
        counts = expected[source]
        assert messages[index] == f"{counts['messages']:,}"
        assert signal[index] == text_coverage.percent(counts["signal"] / counts["messages"])
        assert topic[index] == text_coverage.percent(counts["topic"] / counts["messages"])
        assert methods[index] == ", ".join(
            f"{method} {n:,}" for method, n in sorted(counts["methods"].items(), key=lambda item: (-item[1], item[0]))
        )
    assert figure["layout"].get("annotations", []) == []


def test_without_customer_messages_the_summary_and_the_dashboard_say_so(warehouse_copy):
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        connection.execute("delete from marts.mart_text_coverage")
    publish.publish(warehouse_copy)
    summary = run_summary.build_summary(warehouse_copy, {})
    assert summary["text_coverage"] == {"sources": [], "no_data": absence.NO_DATA["coverage"]}
    printed = run_summary.format_summary(summary)
    assert (
        "Text coverage, customer messages per source (marts.mart_text_coverage):\n"
        "  no text coverage: no customer messages were loaded\n"
    ) in printed

    page = Path(build.build(warehouse_copy).page).read_text()
    figure = default_figure(page, "text_coverage")
    assert [note["text"] for note in figure["layout"]["annotations"]] == [absence.NO_DATA["coverage"]]
    assert "<li>No text coverage: no customer messages were loaded.</li>" in page
    # A summary written before the mart existed prints no coverage section.
    assert run_summary.format_coverage(None) == []


def test_shares_are_whole_percent_without_rounding_to_all_or_nothing():
    assert [text_coverage.percent(share) for share in (0, 0.004, 0.012, 0.5, 0.994, 0.996, 1, None)] == [
        "0%",
        "under 1%",
        "1%",
        "50%",
        "99%",
        "over 99%",
        "100%",
        "n/a",
    ]
    one = {"source_system": "file_drop", "messages": 1, "sentiment_signal_share": 1.0, "topic_share": 0.0}
    assert text_coverage.sentence(one) == (
        "file_drop: 1 message, 100% with a sentiment signal, 0% with a taxonomy topic"
    )
