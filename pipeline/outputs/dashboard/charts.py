"""The dashboard's charts, one function per chart: a query on the serving copy and a Plotly figure.

Each takes the period's first month (None: everything) and a segment (None: all segments); charts whose mart has no
segment ignore it and say so in their note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import plotly.graph_objects as go

from pipeline.outputs import money, periods, privacy_mask, term_trends, text_coverage

TOP_ACCOUNTS = 10
LAYOUT = {"margin": {"l": 60, "r": 20, "t": 10, "b": 50}, "height": 340, "legend": {"orientation": "h", "y": -0.2}}


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    note: str
    uses_segment: bool


CHARTS = (
    Chart("sla_by_team", "SLA attainment by team and channel", "Share of conversations that met their SLA.", False),
    Chart("first_response", "Median first response by team and channel", "Minutes, conversations opened.", False),
    Chart("channel_volume", "Interactions by channel", "Volume per month; hover for the share.", True),
    Chart("sentiment_by_source", "Sentiment by source class", "Average sentiment score (-1 to 1) per month.", False),
    Chart("topics_this_week", "Hot-button topics and topics needing redress", "Latest week, owning team.", False),
    Chart(
        "emerging_terms",
        "Emerging terms and top complaints",
        "Words customers use, found without the topic list; latest week, owning team where the list has the word.",
        False,
    ),
    Chart(
        "text_coverage",
        "Text coverage",
        "Per source, the share of customer messages with a sentiment signal and a taxonomy topic; every period.",
        False,
    ),
    Chart(
        "revenue_influence", "Revenue influenced and win rate", "Closed-won revenue; win rate engaged vs not.", False
    ),
    Chart("retention", "Churn by engagement", "Churn rate of all customer cohorts, engaged vs not engaged.", True),
    Chart("cost_to_serve", "Cost to serve and savings", "Care cost by channel; saving of social vs phone.", False),
    Chart("revenue_at_risk", "Top accounts by revenue at risk", "Revenue weighted by risk signals.", True),
)


def rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[tuple]:
    return connection.execute(sql, parameters).fetchall()


def since(column: str, start: date | None) -> tuple[str, list]:
    return (f"{column} >= ?", [start]) if start else ("true", [])


def in_segment(segment: str | None) -> tuple[str, list]:
    return ("segment = ?", [segment]) if segment else ("true", [])


def grouped_bars(data: list[tuple], value_format: str) -> go.Figure:
    """Rows (x, series, value) as grouped bars, one trace per series."""
    figure = go.Figure(layout=LAYOUT)
    for series in sorted({row[1] for row in data}):
        points = [row for row in data if row[1] == series]
        figure.add_bar(
            x=[row[0] for row in points],
            y=[row[2] for row in points],
            name=series,
            hovertemplate=f"%{{x}}<br>{series}: %{{y:{value_format}}}<extra></extra>",
        )
    return figure


def sla_by_team(connection, start, segment) -> go.Figure:
    where, parameters = since("activity_date", start)
    data = rows(
        connection,
        "select team, channel, sum(sla_met_conversations) / nullif(sum(conversations), 0) from mart_social_care"
        f" where {where} group by team, channel order by team, channel",
        parameters,
    )
    figure = grouped_bars(data, ".1%")
    figure.update_yaxes(tickformat=".0%", range=[0, 1])
    return figure


def first_response(connection, start, segment) -> go.Figure:
    where, parameters = since("opened_at", start)
    data = rows(
        connection,
        "select team, channel, median(first_response_minutes) from fct_care_conversations"
        f" where {where} and first_response_minutes is not null group by team, channel order by team, channel",
        parameters,
    )
    figure = grouped_bars(data, ",.1f")
    figure.update_yaxes(title_text="minutes")
    return figure


def channel_volume(connection, start, segment) -> go.Figure:
    where, parameters = since("month_start", start)
    segment_where, segment_parameters = in_segment(segment)
    data = rows(
        connection,
        "select month_start, channel_group, sum(interactions),"
        " sum(interactions) / sum(sum(interactions)) over (partition by month_start)"
        f" from mart_channel_mix where {where} and {segment_where}"
        " group by month_start, channel_group order by month_start, channel_group",
        parameters + segment_parameters,
    )
    figure = go.Figure(layout={**LAYOUT, "barmode": "stack"})
    for channel in sorted({row[1] for row in data}):
        points = [row for row in data if row[1] == channel]
        figure.add_bar(
            x=[row[0] for row in points],
            y=[row[2] for row in points],
            customdata=[row[3] for row in points],
            name=channel,
            hovertemplate=f"%{{x|%Y-%m}} {channel}: %{{y:,}} (%{{customdata:.1%}})<extra></extra>",
        )
    return monthly(figure)


def sentiment_by_source(connection, start, segment) -> go.Figure:
    where, parameters = since("month_start", start)
    data = rows(
        connection,
        "select month_start, source_class, sum(avg_sentiment * interactions) / nullif(sum(interactions), 0)"
        f" from mart_source_mix where {where} and source_class != 'own_brand'"
        " group by month_start, source_class order by month_start, source_class",
        parameters,
    )
    figure = go.Figure(layout=LAYOUT)
    for source_class in sorted({row[1] for row in data}):
        points = [row for row in data if row[1] == source_class]
        figure.add_scatter(
            x=[row[0] for row in points], y=[row[2] for row in points], mode="lines+markers", name=source_class
        )
    figure.update_yaxes(title_text="avg sentiment")
    return monthly(figure)


def report_week(connection: duckdb.DuckDBPyConnection) -> tuple[date | None, bool]:
    """The latest complete week of mart_topic_trends (periods.py), else its latest week marked partial: a week the
    data ends in the middle of would read as a collapse against its baseline."""
    last_event = periods.last_events(connection)["interactions"]
    weeks = [row[0] for row in rows(connection, "select distinct week_start from mart_topic_trends order by 1", [])]
    complete = [week for week in weeks if periods.week_is_complete(week, last_event)]
    if complete:
        return complete[-1], False
    return (weeks[-1], True) if weeks else (None, False)


def topics_this_week(connection, start, segment) -> go.Figure:
    week, partial = report_week(connection)
    data = rows(
        connection,
        "select topic, owning_team, interactions, change_vs_baseline, negative_share,"
        " case when is_hot_button and needs_redress then 'hot-button, needs redress'"
        " when is_hot_button then 'hot-button' else 'needs redress' end"
        " from mart_topic_trends where week_start = ?"
        " and (is_hot_button or needs_redress) order by is_hot_button desc, interactions desc",
        [week],
    )
    label = f"topic, week of {week}" + (" (partial week)" if partial else "") if week else "topic"
    header = [label, "owning team", "interactions", "change vs baseline", "negative share", "flag"]
    columns = [list(column) for column in zip(*data, strict=True)] if data else [[] for _ in header]
    if data:
        columns[3] = [
            "partial week" if partial else f"{value:+.0%}" if value is not None else "-" for value in columns[3]
        ]
        columns[4] = [f"{value:.0%}" if value is not None else "-" for value in columns[4]]
    elif week is not None:
        # A quiet week is news too: say so rather than "no data".
        columns = [[f"No hot-button topic and no topic needing redress in the week of {week}"]] + [[""]] * 5
    figure = go.Figure(go.Table(header={"values": header}, cells={"values": columns}), layout=LAYOUT)
    return figure


def emerging_terms(connection, start, segment, mask: privacy_mask.TextMask | None = None) -> go.Figure:
    """The latest week's emerging terms, then its top complaints (mart_term_trends; a term both is listed once), each
    with an example text through `mask` (privacy_mask.py)."""
    week, partial = term_trends.latest_week(connection)
    terms = term_trends.week_terms(connection, week, mask)
    listed = [(row, "emerging") for row in terms["emerging"]]
    emerging = {row["term"] for row in terms["emerging"]}
    listed += [(row, "top complaint") for row in terms["complaints"] if row["term"] not in emerging]
    label = f"term, week of {week}" + (" (partial week)" if partial else "") if week else "term"
    header = [label, "flag", "owning team", "messages", "vs usual", "negative share", "example"]
    cells = [
        [
            row["display_term"],
            "emerging, top complaint" if flag == "emerging" and row["is_top_complaint"] else flag,
            row["owning_team"] or "-",
            f"{row['mentions']:,}",
            "partial week" if partial else term_trends.lift_text(row),
            f"{row['negative_share']:.0%}",
            row["examples"][0] if row["examples"] else "",
        ]
        for row, flag in listed
    ]
    if week is not None and not cells:
        cells = [[f"No emerging term or top complaint in the week of {week}", "", "", "", "", "", ""]]
    columns = [list(column) for column in zip(*cells, strict=True)] if cells else [[] for _ in header]
    table = go.Table(columnwidth=[13, 11, 11, 11, 8, 10, 36], header={"values": header}, cells={"values": columns})
    return go.Figure(table, layout=LAYOUT)


def text_coverage_table(connection, start, segment) -> go.Figure:
    """Per source (most messages first): messages, the shares with a sentiment signal and a taxonomy topic, and the
    messages per sentiment method (mart_text_coverage). Coverage is of all loaded messages: no period filter."""
    sources = text_coverage.per_source(connection)
    header = ["source", "customer messages", "with a sentiment signal", "with a taxonomy topic", "sentiment methods"]
    cells = [
        [
            source["source_system"],
            f"{source['messages']:,}",
            text_coverage.percent(source["sentiment_signal_share"]),
            text_coverage.percent(source["topic_share"]),
            text_coverage.methods_text(source),
        ]
        for source in sources
    ]
    columns = [list(column) for column in zip(*cells, strict=True)] if cells else [[] for _ in header]
    table = go.Table(columnwidth=[12, 12, 14, 14, 38], header={"values": header}, cells={"values": columns})
    return go.Figure(table, layout=LAYOUT)


def revenue_influence(connection, start, segment) -> go.Figure:
    """One pair of bars per currency: amounts in different currencies are never added up."""
    where, parameters = since("month_start", start)
    data = rows(
        connection,
        "select month_start, coalesce(currency, ?) as currency, sum(influenced_won_amount),"
        " sum(won_amount) - sum(influenced_won_amount)"
        f" from mart_revenue_influence where {where} group by all order by month_start, currency",
        [money.reporting_currency(), *parameters],
    )
    currencies = sorted({row[1] for row in data})
    figure = go.Figure(layout={**LAYOUT, "barmode": "stack"})
    for currency in currencies:
        points = [row for row in data if row[1] == currency]
        months = [row[0] for row in points]
        suffix = f" ({currency})" if len(currencies) > 1 else ""
        for name, index in (("won, influenced", 2), ("won, not influenced", 3)):
            figure.add_bar(
                x=months,
                y=[row[index] for row in points],
                name=name + suffix,
                hovertemplate=f"%{{x|%Y-%m}} {name}: {currency} %{{y:,.0f}}<extra></extra>",
            )
    win_rates = rows(
        connection,
        "select month_start, sum(engaged_won) / nullif(sum(engaged_closed), 0),"
        " sum(not_engaged_won) / nullif(sum(not_engaged_closed), 0)"
        f" from mart_revenue_influence where {where} group by month_start order by month_start",
        parameters,
    )
    for name, index in (("win rate engaged", 1), ("win rate not engaged", 2)):
        figure.add_scatter(x=[row[0] for row in win_rates], y=[row[index] for row in win_rates], name=name, yaxis="y2")
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "range": [0, 1]})
    figure.update_layout(yaxis={"title": {"text": f"closed-won, {money.axis_title(currencies)}"}})
    return monthly(figure)


def retention(connection, start, segment) -> go.Figure:
    """Every cohort, whatever the period: churn is measured over a customer's whole life, not a few months."""
    where, parameters = since("cohort_quarter", None)
    segment_where, segment_parameters = in_segment(segment)
    data = rows(
        connection,
        "select segment, sum(engaged_churned) / nullif(sum(engaged_customers), 0),"
        " sum(churned_customers - engaged_churned) / nullif(sum(customers - engaged_customers), 0)"
        f" from mart_retention where {where} and {segment_where} group by segment order by segment",
        parameters + segment_parameters,
    )
    figure = go.Figure(layout=LAYOUT)
    figure.add_bar(x=[row[0] for row in data], y=[row[1] for row in data], name="engaged")
    figure.add_bar(x=[row[0] for row in data], y=[row[2] for row in data], name="not engaged")
    figure.update_yaxes(tickformat=".0%", title_text="churn rate")
    return figure


def cost_to_serve(connection, start, segment) -> go.Figure:
    where, parameters = since("month_start", start)
    data = rows(
        connection,
        "select month_start, channel, total_cost, saving_vs_phone, coalesce(currency, ?) from mart_cost_to_serve"
        f" where {where} order by month_start, channel",
        [money.reporting_currency(), *parameters],
    )
    currencies = sorted({row[4] for row in data})
    figure = go.Figure(layout={**LAYOUT, "barmode": "stack"})
    for currency in currencies:
        suffix = f" ({currency})" if len(currencies) > 1 else ""
        in_currency = [row for row in data if row[4] == currency]
        for channel in sorted({row[1] for row in in_currency}):
            points = [row for row in in_currency if row[1] == channel]
            figure.add_bar(
                x=[row[0] for row in points],
                y=[row[2] for row in points],
                name=channel + suffix,
                hovertemplate=f"%{{x|%Y-%m}} {channel}: {currency} %{{y:,.2f}}<extra></extra>",
            )
        months = sorted({row[0] for row in in_currency})
        savings = [sum(row[3] or 0 for row in in_currency if row[0] == month) for month in months]
        figure.add_scatter(x=months, y=savings, name="saving vs phone" + suffix, mode="lines+markers")
    figure.update_yaxes(title_text=f"care cost, {money.axis_title(currencies)}")
    return monthly(figure)


def revenue_at_risk(connection, start, segment) -> go.Figure:
    segment_where, segment_parameters = in_segment(segment)
    data = rows(
        connection,
        "select coalesce(account_name, account_key), revenue_at_risk, segment from mart_revenue_at_risk"
        f" where {segment_where} order by revenue_at_risk desc limit {TOP_ACCOUNTS}",
        segment_parameters,
    )
    currency = money.reporting_currency()
    figure = go.Figure(layout={**LAYOUT, "yaxis": {"autorange": "reversed"}})
    figure.add_bar(
        x=[row[1] for row in data],
        y=[row[0] for row in data],
        orientation="h",
        customdata=[row[2] for row in data],
        hovertemplate=f"%{{y}} (%{{customdata}}): {currency} %{{x:,.0f}}<extra></extra>",
        name="revenue at risk",
    )
    figure.update_xaxes(title_text=f"revenue at risk per year, {currency}")
    return figure


def monthly(figure: go.Figure) -> go.Figure:
    figure.update_xaxes(tickformat="%Y-%m", dtick="M1")
    return figure


def has_data(trace) -> bool:
    if trace.type == "table":
        return bool(trace.cells.values) and len(trace.cells.values[0]) > 0
    return trace.x is not None and len(trace.x) > 0


NO_DATA_FOR_FILTER = "No data for this period and segment"


def noted_if_empty(figure: go.Figure, message: str = NO_DATA_FOR_FILTER) -> go.Figure:
    """An empty chart says why in plain words instead of showing bare axes."""
    if not any(has_data(trace) for trace in figure.data):
        figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    return figure


# The charts that show customer texts: their builders take the page's privacy mask as `mask`.
SHOWS_TEXT = frozenset({"emerging_terms"})
BUILDERS = {
    "sla_by_team": sla_by_team,
    "first_response": first_response,
    "channel_volume": channel_volume,
    "sentiment_by_source": sentiment_by_source,
    "topics_this_week": topics_this_week,
    "emerging_terms": emerging_terms,
    "text_coverage": text_coverage_table,
    "revenue_influence": revenue_influence,
    "retention": retention,
    "cost_to_serve": cost_to_serve,
    "revenue_at_risk": revenue_at_risk,
}
