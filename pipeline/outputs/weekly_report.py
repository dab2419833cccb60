"""The weekly voice-of-customer report: volume and sentiment trend, hot-button topics with example posts, topics
needing redress, emerging terms and top complaints (found without the topic list), SLA by team, and one section per
owning team. HTML with a plain-text alternative.

Reads the published serving file (read-only); example texts go through the privacy mask (privacy_mask.py: no
email, phone, private @handle, URL path or contact name). Writes reports/weekly/voc_<week_start>.html and .txt and a
copy reports/weekly/latest.html, then emails both parts when SMTP is configured: OUTCOMES_SMTP_HOST, _PORT, _FROM,
_TO (comma-separated), optional _USER, _PASSWORD, _STARTTLS; else the Airflow connection `outcomes_smtp` (host, port,
login, password; extra JSON `from`, `to`, `starttls`). The Airflow DAG `weekly_voc_report` runs it every Monday.

    python -m pipeline.outputs.weekly_report [YYYY-MM-DD]    the week containing that day, else the latest complete week
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.outputs import absence, periods, privacy_mask, term_trends
from pipeline.outputs.dashboard import kpis
from pipeline.outputs.report_email import (  # noqa: F401 - alerts and tests use them from here
    SMTP_CONN_ID,
    SmtpSettings,
    airflow_connection,
    send_report,
    settings_from_connection,
    settings_from_env,
    smtp_settings,
)
from pipeline.outputs.weekly_queries import (
    BACKLOG_SQL,
    EXAMPLE_POSTS_SQL,
    HOT_BUTTON_SQL,
    LATEST_COMPLETE_WEEK_SQL,
    OPEN_ITEMS_SQL,
    REDRESS_SQL,
    SLA_BY_TEAM_SQL,
    TEAM_TOPICS_SQL,
    TEAMS_SQL,
    TREND_SQL,
)
from pipeline.settings import PipelinePaths, load_paths

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
HTML_TEMPLATE = "weekly_report.html.j2"
TEXT_TEMPLATE = "weekly_report.txt.j2"
OWNING_TEAMS = ("R&D", "Marketing", "Product Management", "Support")  # always shown; other teams in the data follow
UNASSIGNED = "Unassigned"
TREND_WEEKS = 8
EXAMPLE_POSTS = 3
OPEN_ITEMS_SHOWN = 3
EXCERPT_CHARS = 280
NOT_CONFIGURED = "not sent: no SMTP configured"
LATEST = "latest.html"


def _plain(value):
    """A DuckDB value as JSON can carry it: dates and times as ISO text, decimals as floats."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def records(connection: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    cursor = connection.execute(sql, params or {})
    columns = [column[0] for column in cursor.description]
    return [{name: _plain(value) for name, value in zip(columns, row, strict=True)} for row in cursor.fetchall()]


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def fallback_week(connection: duckdb.DuckDBPyConnection, data_interval_end: datetime | None) -> date:
    """The week to report when no topic has a week: the last full one before the run, else the one the data ends in,
    else last week."""
    if data_interval_end is not None:
        return monday_of(data_interval_end.date()) - timedelta(days=7)
    last_event = periods.last_events(connection)["any"]
    return monday_of(last_event.date() if last_event else date.today() - timedelta(days=7))


def report_week(
    connection: duckdb.DuckDBPyConnection, week_start: date | None = None, data_interval_end: datetime | None = None
) -> date:
    """The week to report: the one containing `week_start`; else the last full week before `data_interval_end`;
    else (or when that week is not in the data, as with fixed-date demo data) the latest complete week."""
    weeks = {row[0] for row in connection.execute("select distinct week_start from mart_topic_trends").fetchall()}
    if week_start is not None:
        wanted = monday_of(week_start)
        if weeks and wanted not in weeks:
            raise ValueError(f"No data for the week of {wanted}: the serving file has {min(weeks)} to {max(weeks)}")
        return wanted
    if not weeks:
        return fallback_week(connection, data_interval_end)
    latest = connection.execute(LATEST_COMPLETE_WEEK_SQL).fetchone()[0] or max(weeks)
    if data_interval_end is not None:
        wanted = monday_of(data_interval_end.date()) - timedelta(days=7)
        if wanted in weeks and wanted < latest:
            return wanted
    return latest


def headline(trend: list[dict], week: date, sla_by_team: list[dict], partial: bool) -> dict:
    """The week's numbers; no change against the previous week when this week is partial (the data ends in it)."""
    by_week = {row["week_start"]: row for row in trend}
    this_week = by_week.get(week.isoformat(), {})
    previous = by_week.get((week - timedelta(days=7)).isoformat(), {})
    interactions, before = this_week.get("interactions", 0), previous.get("interactions")
    conversations = sum(row["conversations"] for row in sla_by_team)
    return {
        "interactions": interactions,
        "previous_interactions": before,
        "change_vs_previous_week": (interactions - before) / before if before and not partial else None,
        "negative_share": this_week.get("negative_share"),
        "avg_sentiment": this_week.get("avg_sentiment"),
        "conversations": conversations,
        "sla_attainment_rate": (
            sum(row["sla_met_conversations"] for row in sla_by_team) / conversations if conversations else None
        ),
    }


def add_bars(trend: list[dict]) -> list[dict]:
    """Each week's volume as a fraction of the busiest week shown, for the bar beside it."""
    busiest = max((row["interactions"] for row in trend), default=0)
    return [{**row, "bar": row["interactions"] / busiest if busiest else 0.0} for row in trend]


def hot_buttons(connection: duckdb.DuckDBPyConnection, week: date, mask: privacy_mask.TextMask) -> list[dict]:
    topics = records(connection, HOT_BUTTON_SQL, {"week": week})
    examples: dict[str, list[dict]] = {}
    for post in records(connection, EXAMPLE_POSTS_SQL, {"week": week, "limit": EXAMPLE_POSTS}):
        examples.setdefault(post.pop("topic"), []).append({**post, "body": excerpt(mask(post["body"]))})
    return [{**topic, "examples": examples.get(topic["topic"], [])} for topic in topics]


def team_order(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The four owning teams first, then any other team the data routes topics or feedback to (e.g. Billing)."""
    present = {row[0] for row in connection.execute(TEAMS_SQL).fetchall()}
    return [*OWNING_TEAMS, *sorted(present - set(OWNING_TEAMS) - {UNASSIGNED})]


def team_sections(
    connection: duckdb.DuckDBPyConnection, week: date, sla_by_team: list[dict], mask: privacy_mask.TextMask
) -> list[dict]:
    topics = records(connection, TEAM_TOPICS_SQL, {"week": week})
    backlog = {row["owning_team"]: row for row in records(connection, BACKLOG_SQL)}
    open_items = records(connection, OPEN_ITEMS_SQL, {"limit": OPEN_ITEMS_SHOWN})
    sla = {row["team"]: row for row in sla_by_team}
    return [
        {
            "team": team,
            "topics": [row for row in topics if row["owning_team"] == team],
            "sla": sla.get(team),
            "open_items": backlog.get(team, {}).get("open_items", 0),
            "oldest_open_age_days": backlog.get(team, {}).get("oldest_open_age_days"),
            "top_open_items": [
                {**item, "body": excerpt(mask(item["body"]))} for item in open_items if item["owning_team"] == team
            ],
        }
        for team in team_order(connection)
    ]


def outcomes(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """The executive scorecard as the dashboard shows it: money with its currency, partial months marked."""
    return [
        {
            key: _plain(card[key])
            for key in ("kpi_label", "value_text", "change_text", "period", "partial", "unit_label")
        }
        for card in kpis.cards(connection)
    ]


def collect(
    serving_path: Path,
    week_start: date | None = None,
    data_interval_end: datetime | None = None,
    mask: privacy_mask.TextMask | None = None,
) -> dict:
    """Every number and post the report shows, JSON-serialisable; texts through `mask` (the serving file's own unless
    given; masked before they are cut, so a cut never leaves half an address). A section with no data carries the
    plain-words reason in `no_data`; a week the data ends in is `partial` and compared with nothing."""
    mask = mask or privacy_mask.load(serving_path)
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        week = report_week(connection, week_start, data_interval_end)
        last_event = periods.last_events(connection)["interactions"]
        partial = last_event is not None and not periods.week_is_complete(week, last_event)
        trend = records(connection, TREND_SQL, {"week": week, "weeks": TREND_WEEKS})
        sla_by_team = records(connection, SLA_BY_TEAM_SQL, {"week": week})
        teams = team_sections(connection, week, sla_by_team, mask)
        missing = absence.missing(connection)
        if partial:
            for section in teams:
                section["topics"] = [{**row, "change_vs_baseline": None} for row in section["topics"]]
        return {
            "week_start": week.isoformat(),
            "week_end": (week + timedelta(days=6)).isoformat(),
            "partial": partial,
            "data_through": periods.through(last_event),
            "headline": headline(trend, week, sla_by_team, partial),
            "trend": add_bars(trend),
            "hot_buttons": hot_buttons(connection, week, mask),
            "redress": records(connection, REDRESS_SQL, {"week": week}),
            "terms": term_trends.week_terms(connection, week, mask),
            "sla_by_team": sla_by_team,
            "teams": teams,
            "outcomes": outcomes(connection),
            "no_data": {section: missing.get(section) for section in absence.NO_DATA},
        }


def _number(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _share(value) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _change(value) -> str:
    return "n/a" if value is None else f"{value:+.0%}"


def _minutes(value) -> str:
    return "n/a" if value is None else f"{value:,.1f} min"


def _score(value) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


def _text_bar(fraction: float, width: int = 30) -> str:
    return "#" * round(fraction * width)


def template_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        number=_number,
        share=_share,
        change=_change,
        minutes=_minutes,
        score=_score,
        text_bar=_text_bar,
        sentence=absence.sentence,
    )
    return environment


def subject(report: dict) -> str:
    return f"Voice of the customer, week of {report['week_start']}"


def render(report: dict) -> tuple[str, str]:
    """The report as (HTML, plain text); the HTML escapes every value it shows (posts are customer text)."""
    environment = template_environment()
    context = {**report, "subject": subject(report), "trend_weeks": TREND_WEEKS}
    return (
        environment.get_template(HTML_TEMPLATE).render(context),
        environment.get_template(TEXT_TEMPLATE).render(context),
    )


def write_report(folder: Path, week_start: str, html: str, text: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    html_path, text_path, latest = folder / f"voc_{week_start}.html", folder / f"voc_{week_start}.txt", folder / LATEST
    html_path.write_text(html, encoding="utf-8")
    text_path.write_text(text, encoding="utf-8")
    staged = folder / f".{LATEST}.incoming"
    staged.write_text(html, encoding="utf-8")
    os.replace(staged, latest)  # a reader of latest.html sees the old report or the new one, never half of one
    return {"html": str(html_path), "text": str(text_path), "latest": str(latest)}


def build_and_send(
    paths: PipelinePaths, week_start: date | None = None, data_interval_end: datetime | None = None
) -> dict:
    """Build the report from the serving file, write it under reports/weekly, and email it if SMTP is configured."""
    mask = privacy_mask.load(paths.serving_path, paths.warehouse_path)
    report = collect(paths.serving_path, week_start, data_interval_end, mask)
    html, text = render(report)
    files = write_report(paths.reports_dir / "weekly", report["week_start"], html, text)
    settings = smtp_settings()
    if settings is None:
        log.info("Weekly report for %s written to %s; %s", report["week_start"], files["html"], NOT_CONFIGURED)
    else:
        send_report(settings, subject(report), text, html)
    return {
        "week": report["week_start"],
        "subject": subject(report),
        **files,
        "sent": settings is not None,
        "recipients": list(settings.recipients) if settings else [],
        "status": f"sent to {len(settings.recipients)} recipient(s)" if settings else NOT_CONFIGURED,
        "sections": report,
    }


def weekly_report_task(data_interval_end: datetime | None = None) -> dict:
    """The DAG's task: the last full week before the run's data interval end (Airflow passes it by name)."""
    result = build_and_send(load_paths(), data_interval_end=data_interval_end)
    return {key: value for key, value in result.items() if key != "sections"}  # the report itself stays out of XCom


def main(argv: list[str]) -> int:
    week_start = date.fromisoformat(argv[0]) if argv else None
    result = build_and_send(load_paths(), week_start)
    print(json.dumps({key: value for key, value in result.items() if key != "sections"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
