"""Planted truths the pipeline must find, computed from the generated records themselves."""

from __future__ import annotations

import pandas as pd

from demo_data.period import MINUTE
from demo_data.social import Conversations
from demo_data.texts import TOPICS


def hot_button_spike(spike: dict, mentions: Conversations) -> dict:
    """The planted week's mentions of the spike topic against the median week of the same topic."""
    week = pd.Series(pd.to_datetime(mentions.opened_at, unit="s")).dt.to_period("W-SUN")
    topic_index = TOPICS.index(spike["topic"])
    weekly = week[mentions.topic == topic_index].value_counts()
    spike_week = pd.Period(spike["week_start"], freq="W-SUN")
    return {
        **spike,
        "mentions_in_week": int(weekly.get(spike_week, 0)),
        "median_weekly_mentions": float(weekly.drop(spike_week, errors="ignore").median()),
        "owning_team": "Support",
    }


def worst_sla_team(channels: dict[str, Conversations]) -> dict:
    """Median minutes to first response by team over every conversation; the planted worst team is the slowest."""
    frame = pd.concat(
        pd.DataFrame({"team": part.team, "seconds": part.first_response_seconds, "channel": name})
        for name, part in channels.items()
    )
    answered = frame[frame["seconds"] >= 0]
    medians = (answered.groupby("team")["seconds"].median() / MINUTE).round(1).sort_values(ascending=False)
    return {
        "team": str(medians.index[0]),
        "median_first_response_minutes_by_team": {team: float(value) for team, value in medians.items()},
        "unanswered_share_by_team": {
            team: round(float(share), 4) for team, share in (frame["seconds"] < 0).groupby(frame["team"]).mean().items()
        },
    }
