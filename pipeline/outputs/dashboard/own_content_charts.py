"""The dashboard's "Own content" section: top posts, engagement rate by platform and the monthly trend, each a
Plotly figure for a period (queries in pipeline/outputs/own_content.py). The social marts have no customer segment:
these figures follow the period filter only."""

from __future__ import annotations

from datetime import date

import duckdb
import plotly.graph_objects as go

from pipeline.outputs import own_content, privacy_mask
from pipeline.outputs.dashboard.charts import LAYOUT, Chart

OWN_CHARTS = (
    Chart("own_top_posts", "Top posts", "Posts published in the period with the most engagements (lifetime).", False),
    Chart(
        "own_engagement_rate",
        "Engagement rate by platform",
        "Engagements over impressions (reach, or video views, where a platform has no impressions).",
        False,
    ),
    Chart("own_monthly_trend", "Own content by month", "Engagements per month and platform; hover for posts.", False),
)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def top_posts(
    connection: duckdb.DuckDBPyConnection, start: date | None, mask: privacy_mask.TextMask | None = None
) -> go.Figure:
    posts = own_content.top_posts(connection, start, mask=mask)
    header = ["platform", "posted", "post", "engagements", "impressions", "engagement rate"]
    cells = [
        [
            post["platform_name"],
            str(post["published_on"]),
            post["short_text"],
            f"{post['engagements']:,}",
            "-" if post["impressions"] is None else f"{post['impressions']:,}",
            percent(post["rate"]),
        ]
        for post in posts
    ]
    columns = [list(column) for column in zip(*cells, strict=True)] if cells else [[] for _ in header]
    table = go.Table(columnwidth=[10, 10, 44, 12, 12, 12], header={"values": header}, cells={"values": columns})
    return go.Figure(table, layout={**LAYOUT, "height": 380})


def engagement_rate(connection: duckdb.DuckDBPyConnection, start: date | None) -> go.Figure:
    platforms = [row for row in own_content.platform_rates(connection, start) if row["rate"] is not None]
    figure = go.Figure(layout={**LAYOUT, "yaxis": {"tickformat": ".1%"}})
    figure.add_bar(
        x=[row["platform_name"] for row in platforms],
        y=[row["rate"] for row in platforms],
        customdata=[[row["engagements"], row["posts"]] for row in platforms],
        hovertemplate="%{x}: %{y:.2%}<br>%{customdata[0]:,} engagements, %{customdata[1]} posts<extra></extra>",
        name="engagement rate",
    )
    return figure


def monthly_trend(connection: duckdb.DuckDBPyConnection, start: date | None) -> go.Figure:
    months = own_content.monthly_trend(connection, start)
    figure = go.Figure(layout=LAYOUT)
    for name in sorted({row["platform_name"] for row in months}):
        points = [row for row in months if row["platform_name"] == name]
        figure.add_scatter(
            x=[row["month_start"] for row in points],
            y=[row["engagements"] for row in points],
            customdata=[row["posts"] for row in points],
            mode="lines+markers",
            name=name,
            hovertemplate=f"%{{x|%Y-%m}}<br>{name}: %{{y:,}} engagements, %{{customdata}} posts<extra></extra>",
        )
    figure.update_xaxes(dtick="M1", tickformat="%Y-%m")
    return figure


SHOWS_TEXT = frozenset({"own_top_posts"})  # as charts.SHOWS_TEXT
BUILDERS = {
    "own_top_posts": top_posts,
    "own_engagement_rate": engagement_rate,
    "own_monthly_trend": monthly_trend,
}
