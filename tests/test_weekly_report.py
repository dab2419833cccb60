"""The weekly voice-of-customer report: built from the serving file, written to reports/weekly, emailed to a real
SMTP server on 127.0.0.1 when one is configured, and scheduled by a weekly DAG.

The planted login_outage spike (week of 2026-03-09) is a hot-button topic only at scale 0.1: at the suite's usual
0.01 it is smaller than the rule's minimum increase (see tests/test_outcome_marts.py), so the tests that need it
share one warehouse at that scale.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import markupsafe
import pytest

from pipeline import publish
from pipeline.outputs import weekly_report
from tests.conftest import TEST_SEED, ingest_and_build

DAG_FILE = Path(__file__).resolve().parent.parent / "dags" / "weekly_report.py"
SPIKE_SCALE = 0.1
SPIKE_WEEK = date(2026, 3, 9)
SPIKE_TOPIC = "login_outage"
TEAM_SECTIONS = ("R&D", "Marketing", "Product Management", "Support")
HOSTILE_POST = '<script>alert("x")</script> login failed & <b>nobody</b> answers'
SMTP_ENV = ("HOST", "PORT", "FROM", "TO", "USER", "PASSWORD", "STARTTLS")


@pytest.fixture
def no_smtp(monkeypatch):
    for name in SMTP_ENV:
        monkeypatch.delenv(f"OUTCOMES_SMTP_{name}", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_OUTCOMES_SMTP", raising=False)


@pytest.fixture
def smtp_env(monkeypatch, no_smtp, smtp_server):
    controller, handler = smtp_server
    monkeypatch.setenv("OUTCOMES_SMTP_HOST", controller.hostname)
    monkeypatch.setenv("OUTCOMES_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("OUTCOMES_SMTP_FROM", "reports@acme.test")
    monkeypatch.setenv("OUTCOMES_SMTP_TO", "cx-leads@acme.test, rnd@acme.test")
    return handler


@pytest.fixture(scope="module")
def spike_serving(tmp_path_factory):
    """A scale-0.1 warehouse, published; the spike week's example post shown first made hostile HTML."""
    import demo_data

    root = tmp_path_factory.mktemp("weekly")
    demo_data.generate(root / "landing", scale=SPIKE_SCALE, seed=TEST_SEED)
    paths = ingest_and_build(root, root / "landing")
    with duckdb.connect(str(paths.warehouse_path)) as connection:
        connection.execute(
            """
            update marts.fct_interactions set body = $body
            where interaction_key = (
                select interaction_key from marts.fct_interactions as post
                where topic = $topic and direction = 'inbound' and body != ''
                    and occurred_at >= $week and occurred_at < $week + interval 7 day
                order by (
                    select count(*) from marts.fct_interactions as thread
                    where thread.conversation_key = post.conversation_key
                ) desc, occurred_at desc, interaction_key
                limit 1
            )
            """,
            {"body": HOSTILE_POST, "topic": SPIKE_TOPIC, "week": SPIKE_WEEK},
        )
    publish.publish(paths)
    return paths


def fresh_reports(paths, tmp_path):
    return dataclasses.replace(paths, reports_dir=tmp_path / "reports")


class HeadingParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2"):
            self._in_heading = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.headings[-1] += data


def html_headings(document: str) -> list[str]:
    parser = HeadingParser()
    parser.feed(document)
    return [heading.strip() for heading in parser.headings]


def week_sla(serving_path, week: date) -> dict[str, tuple[int, float]]:
    """Conversations and SLA attainment by team for the week, straight from mart_social_care."""
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        rows = connection.execute(
            """
            select team, sum(conversations), sum(sla_met_conversations) / sum(conversations)
            from mart_social_care where activity_date between $week and $week + 6
            group by team having sum(conversations) > 0
            """,
            {"week": week},
        ).fetchall()
    return {team: (int(conversations), rate) for team, conversations, rate in rows}


def test_the_report_is_emailed_to_a_local_smtp_server(spike_serving, smtp_env, tmp_path):
    paths = fresh_reports(spike_serving, tmp_path)
    result = weekly_report.build_and_send(paths, SPIKE_WEEK)

    assert result["sent"] is True
    assert result["recipients"] == ["cx-leads@acme.test", "rnd@acme.test"]
    assert len(smtp_env.envelopes) == 1
    envelope = smtp_env.envelopes[0]
    assert envelope.mail_from == "reports@acme.test"
    assert envelope.rcpt_tos == ["cx-leads@acme.test", "rnd@acme.test"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == "Voice of the customer, week of 2026-03-09"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP sends CRLF line ends
    html_part = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text == Path(result["text"]).read_text()
    assert html_part == Path(result["html"]).read_text()

    headings = html_headings(html_part)
    for team in TEAM_SECTIONS:
        assert team in headings
        assert f"\n== {team} ==\n" in text
    assert "Hot-button topics" in headings and "\n== Hot-button topics ==\n" in text
    assert "SLA by team" in headings and "\n== SLA by team ==\n" in text

    # SLA by team equals a direct query of the serving file for that week, in the data and in both parts.
    expected = week_sla(paths.serving_path, SPIKE_WEEK)
    shown = result["sections"]["sla_by_team"]
    assert {row["team"] for row in shown} == set(expected)
    for row in shown:
        conversations, rate = expected[row["team"]]
        assert row["conversations"] == conversations
        assert row["sla_attainment_rate"] == pytest.approx(rate)
    conversations, rate = expected["Support"]
    text_rows = text.split("== SLA by team ==")[1].split("\n\n")[0].splitlines()
    assert next(line for line in text_rows if line.strip().startswith("Support")).split()[1:4:2] == [
        f"{conversations:,}",
        f"{rate:.1%}",
    ]
    html_rows = html_part.split('id="sla"')[1].split("<h2")[0].split("<tr>")
    support_row = next(row for row in html_rows if ">Support</td>" in row)
    assert f">{conversations:,}</td>" in support_row and f">{rate:.1%}</td>" in support_row

    # Customer text is escaped in the HTML part and verbatim in the text part.
    assert HOSTILE_POST in text
    assert str(markupsafe.escape(HOSTILE_POST)) in html_part
    assert "<script" not in html_part and "<b>nobody" not in html_part


def test_the_planted_spike_week_lists_login_outage_as_hot_button_with_example_posts(spike_serving, no_smtp, tmp_path):
    result = weekly_report.build_and_send(fresh_reports(spike_serving, tmp_path), date(2026, 3, 11))

    assert result["week"] == "2026-03-09"  # any day of the week selects its Monday
    hot = result["sections"]["hot_buttons"]
    assert [topic["topic"] for topic in hot] == [SPIKE_TOPIC]
    assert hot[0]["owning_team"] == "Support"
    examples = hot[0]["examples"]
    assert len(examples) == weekly_report.EXAMPLE_POSTS
    # The most engaged posts (longest thread), the most recent first among equals; none left out ranks above them.
    ranks = [(post["thread_messages"], post["occurred_at"]) for post in examples]
    assert ranks == sorted(ranks, reverse=True)
    assert all("2026-03-09" <= post["occurred_at"][:10] <= "2026-03-15" for post in examples)
    with duckdb.connect(str(spike_serving.serving_path), read_only=True) as connection:
        best_left_out = connection.execute(
            """
            with threads as (select conversation_key, count(*) as messages from fct_interactions group by 1)
            select coalesce(threads.messages, 1) as messages, strftime(occurred_at, '%Y-%m-%d %H:%M') as at
            from fct_interactions left join threads using (conversation_key)
            where topic = $topic and direction = 'inbound' and body != ''
                and occurred_at >= $week and occurred_at < $week + interval 7 day
                and strftime(occurred_at, '%Y-%m-%d %H:%M') not in $shown
            order by messages desc, occurred_at desc limit 1
            """,
            {"topic": SPIKE_TOPIC, "week": SPIKE_WEEK, "shown": [post["occurred_at"] for post in examples]},
        ).fetchone()
    assert best_left_out is None or tuple(best_left_out) <= ranks[-1]
    text = Path(result["text"]).read_text()
    hot_section = text.split("== Hot-button topics ==")[1].split("== Topics needing redress ==")[0]
    assert SPIKE_TOPIC in hot_section and hot_section.count("    > ") == weekly_report.EXAMPLE_POSTS
    support = next(section for section in result["sections"]["teams"] if section["team"] == "Support")
    assert any(row["topic"] == SPIKE_TOPIC and row["is_hot_button"] for row in support["topics"])


def test_without_smtp_the_report_is_written_and_not_sent(warehouse_copy, no_smtp, smtp_server):
    publish.publish(warehouse_copy)
    result = weekly_report.build_and_send(warehouse_copy)

    assert result["sent"] is False and result["recipients"] == []
    assert result["status"] == "not sent: no SMTP configured"
    assert smtp_server[1].envelopes == []
    folder = warehouse_copy.reports_dir / "weekly"
    week = date.fromisoformat(result["week"])
    assert week.weekday() == 0
    assert result["html"] == str(folder / f"voc_{week}.html") and result["text"] == str(folder / f"voc_{week}.txt")
    assert (folder / "latest.html").read_text() == Path(result["html"]).read_text()
    text = Path(result["text"]).read_text()
    assert text.startswith(f"Voice of the customer, week of {week}")
    for team in TEAM_SECTIONS:
        assert f"\n== {team} ==\n" in text
    assert json.loads(json.dumps(result)) == result


def test_the_week_defaults_to_the_latest_complete_one_or_the_last_before_the_run(warehouse_copy):
    publish.publish(warehouse_copy)
    serving = warehouse_copy.serving_path
    with duckdb.connect(str(serving), read_only=True) as connection:
        last_day = connection.execute("select cast(max(occurred_at) as date) from fct_interactions").fetchone()[0]
    complete = weekly_report.monday_of(last_day) - timedelta(days=0 if last_day.weekday() == 6 else 7)
    latest = weekly_report.collect(serving)["week_start"]
    assert latest == complete.isoformat()
    monday_run = datetime(2026, 3, 16, 7, tzinfo=UTC)  # the run scheduled for Monday 16 March reports 9 to 15 March
    assert weekly_report.collect(serving, data_interval_end=monday_run)["week_start"] == "2026-03-09"
    after_the_data = datetime(2030, 1, 7, 7, tzinfo=UTC)
    assert weekly_report.collect(serving, data_interval_end=after_the_data)["week_start"] == latest
    with pytest.raises(ValueError, match="No data for the week of 2030-01-07"):
        weekly_report.collect(serving, week_start=date(2030, 1, 7))


def test_smtp_settings_come_from_the_airflow_connection(monkeypatch, no_smtp):
    assert weekly_report.smtp_settings() is None
    connection = {
        "conn_type": "smtp",
        "host": "smtp.acme.test",
        "port": 587,
        "login": "reporter",
        "password": "s3cret-password",
        "extra": {"from": "reports@acme.test", "to": "a@acme.test,b@acme.test", "starttls": True},
    }
    monkeypatch.setenv("AIRFLOW_CONN_OUTCOMES_SMTP", json.dumps(connection))
    assert weekly_report.smtp_settings() == weekly_report.SmtpSettings(
        host="smtp.acme.test",
        port=587,
        sender="reports@acme.test",
        recipients=("a@acme.test", "b@acme.test"),
        user="reporter",
        password="s3cret-password",
        starttls=True,
    )
    monkeypatch.setenv("OUTCOMES_SMTP_HOST", "127.0.0.1")  # the environment wins over the connection
    with pytest.raises(ValueError, match="without a sender and recipients"):
        weekly_report.smtp_settings()


def test_the_dag_file_loads_with_a_weekly_schedule():
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=str(DAG_FILE))
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"weekly_voc_report"}
    dag = dagbag.dags["weekly_voc_report"]
    minute, hour, day_of_month, month, day_of_week = dag.timetable.expression.split()
    assert (day_of_month, month) == ("*", "*") and day_of_week.isdigit() and minute.isdigit() and hour.isdigit()
    assert dag.catchup is False
    assert set(dag.task_ids) == {"build_and_send"}
