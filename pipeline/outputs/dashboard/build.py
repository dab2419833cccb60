"""Build the executive dashboard from the serving copy: reports/dashboard/index.html with plotly.min.js beside it.

Every chart is computed in Python for each period and segment choice and embedded as Plotly JSON; the page's script
only swaps figures when a filter changes. Nothing is fetched: the page works from a file or any static server.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import jinja2
import plotly
import plotly.io

from pipeline.outputs import absence, money, own_content, periods, privacy_mask
from pipeline.outputs.dashboard import charts, kpis, own_content_charts
from pipeline.settings import PipelinePaths

PERIODS = {"3": "Last 3 months", "6": "Last 6 months", "12": "Last 12 months", "all": "All months"}
DEFAULT_PERIOD = "12"
ALL_SEGMENTS = "all"
TEMPLATE = "page.html.j2"
# The mart each chart reads: when it has no rows the chart says which kind of source was not loaded.
CHART_SECTIONS = {
    "sla_by_team": "care",
    "first_response": "care",
    "channel_volume": "interactions",
    "sentiment_by_source": "interactions",
    "topics_this_week": "topics",
    "emerging_terms": "terms",
    "text_coverage": "coverage",
    "revenue_influence": "revenue",
    "retention": "retention",
    "cost_to_serve": "cost",
    "revenue_at_risk": "risk",
}


@dataclass
class DashboardReport:
    page: str
    charts: int
    kpis: int
    release: str | None

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def first_month(latest: date | None, months: str) -> date | None:
    """The first month of the period ending in `latest`; None (every month) for `all` or when nothing is dated."""
    if months == "all" or latest is None:
        return None
    index = latest.year * 12 + latest.month - 1 - (int(months) - 1)
    return date(index // 12, index % 12 + 1, 1)


def figure_json(figure, note: str) -> dict:
    return json.loads(plotly.io.to_json(charts.noted_if_empty(figure, note)))


def figures(
    connection: duckdb.DuckDBPyConnection, latest: date | None, segments: list[str], mask: privacy_mask.TextMask
) -> dict[str, dict]:
    """`<period>|<segment>` -> chart id -> Plotly figure as JSON-ready dict; an empty one says why. The Own content
    charts (no segment) are there when the brand's own posts were loaded. Charts showing texts show them through
    `mask`."""
    text_options = {"mask": mask}
    missing = absence.missing(connection)
    notes = {
        chart.chart_id: missing.get(CHART_SECTIONS[chart.chart_id], charts.NO_DATA_FOR_FILTER)
        for chart in charts.CHARTS
    }
    own_charts = own_content_charts.OWN_CHARTS if own_content.has_own_posts(connection) else ()
    result = {}
    for period in PERIODS:
        start = first_month(latest, period)
        own = {
            chart.chart_id: figure_json(
                own_content_charts.BUILDERS[chart.chart_id](
                    connection, start, **(text_options if chart.chart_id in own_content_charts.SHOWS_TEXT else {})
                ),
                charts.NO_DATA_FOR_FILTER,
            )
            for chart in own_charts
        }
        for segment in [ALL_SEGMENTS, *segments]:
            chosen = None if segment == ALL_SEGMENTS else segment
            result[f"{period}|{segment}"] = {
                chart.chart_id: json.loads(
                    plotly.io.to_json(
                        charts.noted_if_empty(
                            charts.BUILDERS[chart.chart_id](
                                connection,
                                start,
                                chosen if chart.uses_segment else None,
                                **(text_options if chart.chart_id in charts.SHOWS_TEXT else {}),
                            ),
                            notes[chart.chart_id],
                        )
                    )
                )
                for chart in charts.CHARTS
            } | own
    return result


def page_context(serving_path: Path, mask: privacy_mask.TextMask | None = None) -> dict:
    """Everything the page shows; customer texts through `mask` (the serving file's own unless given)."""
    mask = mask or privacy_mask.load(serving_path)
    with duckdb.connect(str(serving_path), read_only=True) as connection:
        last_event = periods.last_events(connection)["any"]
        latest = date(last_event.year, last_event.month, 1) if last_event else None
        segments = [
            row[0]
            for row in connection.execute(
                "select distinct segment from mart_channel_mix where segment is not null order by 1"
            ).fetchall()
        ]
        release, published_at = connection.execute("select release, published_at from _publish_info").fetchone()
        cards = kpis.cards(connection)
        own_charts = own_content_charts.OWN_CHARTS if own_content.has_own_posts(connection) else ()
        return {
            "cards": cards,
            "no_cards": None if cards else absence.NO_DATA["scorecard"],
            "missing": sorted(set(absence.missing(connection).values()) - {absence.NO_DATA["scorecard"]}),
            "currency": money.reporting_currency(),
            "charts": charts.CHARTS,
            "own_charts": own_charts,
            "no_own_posts": None if own_charts else own_content.NO_OWN_POSTS,
            "chart_ids": [chart.chart_id for chart in (*charts.CHARTS, *own_charts)],
            "figures": figures(connection, latest, segments, mask),
            "periods": PERIODS,
            "default_period": DEFAULT_PERIOD,
            "segments": segments,
            "all_segments": ALL_SEGMENTS,
            "data_through": periods.through(last_event),
            "partial_month": (
                str(latest)[:7] if latest is not None and not periods.month_is_complete(latest, last_event) else None
            ),
            "release": release,
            "published_at": str(published_at)[:16],
            "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        }


def script_json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, default=str).replace("</", "<\\/")


def build(paths: PipelinePaths) -> DashboardReport:
    context = page_context(paths.serving_path, privacy_mask.load(paths.serving_path, paths.warehouse_path))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["script_json"] = script_json
    environment.filters["sentence"] = absence.sentence
    html = environment.get_template(TEMPLATE).render(**context)
    out = paths.reports_dir / "dashboard"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", out / "plotly.min.js")
    page = out / "index.html"
    staged = out / ".index.html.incoming"
    staged.write_text(html)
    staged.replace(page)
    return DashboardReport(str(page), len(charts.CHARTS), len(context["cards"]), context["release"])
