"""The weekly voice-of-customer report: volume and sentiment trend, hot-button topics with example posts, topics
needing redress, SLA by team, and one section per owning team. HTML with a plain-text alternative.

Reads only the published serving file (read-only). Writes reports/weekly/voc_<week_start>.html and .txt and a copy
reports/weekly/latest.html, then emails both parts when SMTP is configured: OUTCOMES_SMTP_HOST, _PORT, _FROM, _TO
(comma-separated), optional _USER, _PASSWORD, _STARTTLS; else the Airflow connection `outcomes_smtp` (host, port,
login, password; extra JSON `from`, `to`, `starttls`). The Airflow DAG `weekly_voc_report` runs it every Monday.

    python -m pipeline.outputs.weekly_report [YYYY-MM-DD]    the week containing that day, else the latest complete week
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
SMTP_CONN_ID = "outcomes_smtp"
SMTP_TIMEOUT_SECONDS = 30
NOT_CONFIGURED = "not sent: no SMTP configured"
LATEST = "latest.html"

# The week a topic's messages count in (mart_topic_trends) is date_trunc('week', occurred_at): [week, week + 7 days).
LATEST_COMPLETE_WEEK_SQL = """
select max(week_start) from mart_topic_trends
where week_start + 6 <= (select cast(max(occurred_at) as date) from fct_interactions)
"""

TREND_SQL = """
select
    week_start,
    cast(sum(interactions) as bigint) as interactions,
    cast(sum(negative_interactions) as bigint) as negative_interactions,
    sum(negative_interactions) / nullif(sum(interactions), 0) as negative_share,
    sum(avg_sentiment * interactions) / nullif(sum(interactions), 0) as avg_sentiment
from mart_topic_trends
where week_start <= $week and week_start > $week - 7 * $weeks
group by week_start
order by week_start
"""

HOT_BUTTON_SQL = """
select topic, product_area, owning_team, interactions, baseline_interactions, change_vs_baseline, negative_share
from mart_topic_trends
where week_start = $week and is_hot_button
order by interactions desc, topic
"""

EXAMPLE_POSTS_SQL = """
select interactions.topic, interactions.occurred_at, interactions.channel, interactions.sentiment_score,
    interactions.body
from fct_interactions as interactions
inner join mart_topic_trends as trends
    on interactions.topic = trends.topic and trends.week_start = $week and trends.is_hot_button
where interactions.direction = 'inbound' and coalesce(interactions.body, '') != ''
    and interactions.occurred_at >= $week and interactions.occurred_at < $week + interval 7 day
qualify row_number() over (
    partition by interactions.topic
    order by interactions.sentiment_score nulls last, interactions.occurred_at, interactions.interaction_key
) <= $limit
order by interactions.topic, interactions.sentiment_score nulls last, interactions.occurred_at
"""

REDRESS_SQL = """
select topic, product_area, owning_team, interactions, negative_share, negative_streak_weeks
from mart_topic_trends
where week_start = $week and needs_redress
order by negative_streak_weeks desc, negative_share desc, topic
"""

# Counts and SLA attainment as mart_social_care defines them (conversations count on the day they opened); the
# median first response over the week's answered conversations, which a median of daily medians would not give.
SLA_BY_TEAM_SQL = """
with care as (
    select
        team,
        cast(sum(conversations) as bigint) as conversations,
        cast(sum(responded_conversations) as bigint) as responded_conversations,
        cast(sum(sla_met_conversations) as bigint) as sla_met_conversations
    from mart_social_care
    where activity_date >= $week and activity_date < $week + 7
    group by team
    having sum(conversations) > 0
),

first_response as (
    select team, median(first_response_minutes) as median_first_response_minutes
    from fct_care_conversations
    where opened_at >= $week and opened_at < $week + interval 7 day
    group by team
)

select
    care.*,
    care.responded_conversations / care.conversations as response_rate,
    care.sla_met_conversations / care.conversations as sla_attainment_rate,
    first_response.median_first_response_minutes
from care
left join first_response on care.team = first_response.team
order by sla_attainment_rate, care.team
"""

TEAMS_SQL = """
select distinct owning_team from (
    select owning_team from mart_topic_trends union all select owning_team from mart_feedback_backlog
)
where owning_team is not null
"""

TEAM_TOPICS_SQL = """
select owning_team, topic, interactions, negative_share, change_vs_baseline, is_hot_button, needs_redress
from mart_topic_trends
where week_start = $week
order by owning_team, interactions desc, topic
"""

BACKLOG_SQL = """
select owning_team, cast(sum(open_items) as bigint) as open_items, max(oldest_open_age_days) as oldest_open_age_days
from mart_feedback_backlog
group by owning_team
"""

OPEN_ITEMS_SQL = """
select owning_team, feedback_type, topic, received_at, age_days, body
from mart_feedback_routing
where is_open
qualify row_number() over (partition by owning_team order by age_days desc, received_at, feedback_key) <= $limit
order by owning_team, age_days desc, received_at
"""


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


def report_week(
    connection: duckdb.DuckDBPyConnection, week_start: date | None = None, data_interval_end: datetime | None = None
) -> date:
    """The week to report: the one containing `week_start`; else the last full week before `data_interval_end`;
    else (or when that week is not in the data, as with fixed-date demo data) the latest complete week."""
    weeks = {row[0] for row in connection.execute("select distinct week_start from mart_topic_trends").fetchall()}
    if not weeks:
        raise ValueError("mart_topic_trends is empty: no week to report")
    if week_start is not None:
        wanted = monday_of(week_start)
        if wanted not in weeks:
            raise ValueError(f"No data for the week of {wanted}: the serving file has {min(weeks)} to {max(weeks)}")
        return wanted
    latest = connection.execute(LATEST_COMPLETE_WEEK_SQL).fetchone()[0] or max(weeks)
    if data_interval_end is not None:
        wanted = monday_of(data_interval_end.date()) - timedelta(days=7)
        if wanted in weeks and wanted < latest:
            return wanted
    return latest


def headline(trend: list[dict], week: date, sla_by_team: list[dict]) -> dict:
    by_week = {row["week_start"]: row for row in trend}
    this_week = by_week.get(week.isoformat(), {})
    previous = by_week.get((week - timedelta(days=7)).isoformat(), {})
    interactions, before = this_week.get("interactions", 0), previous.get("interactions")
    conversations = sum(row["conversations"] for row in sla_by_team)
    return {
        "interactions": interactions,
        "previous_interactions": before,
        "change_vs_previous_week": (interactions - before) / before if before else None,
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


def hot_buttons(connection: duckdb.DuckDBPyConnection, week: date) -> list[dict]:
    topics = records(connection, HOT_BUTTON_SQL, {"week": week})
    examples: dict[str, list[dict]] = {}
    for post in records(connection, EXAMPLE_POSTS_SQL, {"week": week, "limit": EXAMPLE_POSTS}):
        examples.setdefault(post.pop("topic"), []).append({**post, "body": excerpt(post["body"])})
    return [{**topic, "examples": examples.get(topic["topic"], [])} for topic in topics]


def team_order(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The four owning teams first, then any other team the data routes topics or feedback to (e.g. Billing)."""
    present = {row[0] for row in connection.execute(TEAMS_SQL).fetchall()}
    return [*OWNING_TEAMS, *sorted(present - set(OWNING_TEAMS) - {UNASSIGNED})]


def team_sections(connection: duckdb.DuckDBPyConnection, week: date, sla_by_team: list[dict]) -> list[dict]:
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
                {**item, "body": excerpt(item["body"])} for item in open_items if item["owning_team"] == team
            ],
        }
        for team in team_order(connection)
    ]


def collect(serving_path: Path, week_start: date | None = None, data_interval_end: datetime | None = None) -> dict:
    """Every number and post the report shows, JSON-serialisable."""
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        week = report_week(connection, week_start, data_interval_end)
        trend = records(connection, TREND_SQL, {"week": week, "weeks": TREND_WEEKS})
        sla_by_team = records(connection, SLA_BY_TEAM_SQL, {"week": week})
        return {
            "week_start": week.isoformat(),
            "week_end": (week + timedelta(days=6)).isoformat(),
            "headline": headline(trend, week, sla_by_team),
            "trend": add_bars(trend),
            "hot_buttons": hot_buttons(connection, week),
            "redress": records(connection, REDRESS_SQL, {"week": week}),
            "sla_by_team": sla_by_team,
            "teams": team_sections(connection, week, sla_by_team),
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
        number=_number, share=_share, change=_change, minutes=_minutes, score=_score, text_bar=_text_bar
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


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = False


def _addresses(value: str | None) -> tuple[str, ...]:
    return tuple(address.strip() for address in (value or "").split(",") if address.strip())


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def _checked(settings: SmtpSettings, where: str) -> SmtpSettings:
    if not settings.sender or not settings.recipients:
        raise ValueError(f"SMTP is configured by {where} but without a sender and recipients (`from` and `to`)")
    return settings


def settings_from_env(env) -> SmtpSettings:
    return _checked(
        SmtpSettings(
            host=env["OUTCOMES_SMTP_HOST"],
            port=int(env.get("OUTCOMES_SMTP_PORT") or smtplib.SMTP_PORT),
            sender=env.get("OUTCOMES_SMTP_FROM", ""),
            recipients=_addresses(env.get("OUTCOMES_SMTP_TO")),
            user=env.get("OUTCOMES_SMTP_USER") or None,
            password=env.get("OUTCOMES_SMTP_PASSWORD") or None,
            starttls=_flag(env.get("OUTCOMES_SMTP_STARTTLS")),
        ),
        "OUTCOMES_SMTP_HOST",
    )


def airflow_connection(conn_id: str):
    """The Airflow connection, or None when Airflow has none by that id (or cannot be asked)."""
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - not defined, no metadata database, no Airflow: all mean "not configured"
        return None


def settings_from_connection(connection) -> SmtpSettings | None:
    if not connection.host:
        return None
    extra = connection.extra_dejson
    return _checked(
        SmtpSettings(
            host=connection.host,
            port=int(connection.port or smtplib.SMTP_PORT),
            sender=extra.get("from", ""),
            recipients=_addresses(extra.get("to")),
            user=connection.login or None,
            password=connection.password or None,
            starttls=_flag(extra.get("starttls")),
        ),
        f"the Airflow connection {SMTP_CONN_ID!r}",
    )


def smtp_settings() -> SmtpSettings | None:
    """OUTCOMES_SMTP_* when OUTCOMES_SMTP_HOST is set, else the Airflow connection `outcomes_smtp`, else None."""
    if os.environ.get("OUTCOMES_SMTP_HOST"):
        return settings_from_env(os.environ)
    connection = airflow_connection(SMTP_CONN_ID)
    return settings_from_connection(connection) if connection is not None else None


def build_message(settings: SmtpSettings, subject_line: str, text: str, html: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML last (mail clients show the last part they can)."""
    message = EmailMessage()
    message["Subject"] = subject_line
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_report(settings: SmtpSettings, subject_line: str, text: str, html: str) -> EmailMessage:
    message = build_message(settings, subject_line, text, html)
    with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)
    return message


def build_and_send(
    paths: PipelinePaths, week_start: date | None = None, data_interval_end: datetime | None = None
) -> dict:
    """Build the report from the serving file, write it under reports/weekly, and email it if SMTP is configured."""
    report = collect(paths.serving_path, week_start, data_interval_end)
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
