"""Own content: how the brand's own posts perform, from the serving copy's social marts (fct_social_posts,
agg_social_platform_monthly). The dashboard's "Own content" section reads these queries.

Engagement rate is engagements over impressions (reach where a platform reports no impressions, video views for
YouTube), as the marts define it; a platform's rate over a period is its summed engagements over its summed base, not
an average of monthly rates.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipeline.outputs import privacy_mask
from pipeline.outputs.absence import has_rows

POSTS_MART = "fct_social_posts"
MONTHLY_MART = "agg_social_platform_monthly"
NO_OWN_POSTS = (
    "no own posts: neither the X own-tweet pulls nor a social connector with the brand's posts (Facebook Pages, "
    "Instagram Business, LinkedIn Pages, YouTube Analytics, X organic) was loaded"
)
TOP_POSTS = 10
SHORT_TEXT = 80
PLATFORM_NAMES = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
}


def has_own_posts(connection: duckdb.DuckDBPyConnection) -> bool:
    return has_rows(connection, POSTS_MART)


def platform_name(platform: str | None) -> str:
    return PLATFORM_NAMES.get(platform or "", platform or "unknown")


def short_text(text: str | None, limit: int = SHORT_TEXT) -> str:
    """The post's text on one line, cut at a word boundary with an ellipsis when longer than `limit`."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def _since(column: str, start: date | None) -> tuple[str, list]:
    return (f"{column} >= ?", [start]) if start else ("true", [])


def top_posts(
    connection: duckdb.DuckDBPyConnection,
    start: date | None,
    limit: int = TOP_POSTS,
    mask: privacy_mask.TextMask | None = None,
) -> list[dict]:
    """The posts published since `start` with the most engagements (lifetime), best first; their texts through
    `mask` (privacy_mask.py; the serving file's own unless given): a brand's reply can name or tag a customer."""
    if not has_own_posts(connection):
        return []
    where, parameters = _since("cast(published_at as date)", start)
    found = connection.execute(
        "select platform, account_name, cast(published_at as date), post_text, engagements, impressions,"
        " engagement_rate, post_url"
        f" from {POSTS_MART} where {where} and engagements is not null"
        " order by engagements desc, published_at desc, social_post_key limit ?",
        [*parameters, limit],
    ).fetchall()
    if found and mask is None:
        mask = privacy_mask.for_connection(connection)
    keys = ("platform", "account_name", "published_on", "text", "engagements", "impressions", "rate", "url")
    posts = [dict(zip(keys, row, strict=True)) | {"text": mask.brand_text(row[3])} for row in found]
    return [
        post | {"platform_name": platform_name(post["platform"]), "short_text": short_text(post["text"])}
        for post in posts
    ]


def platform_rates(connection: duckdb.DuckDBPyConnection, start: date | None) -> list[dict]:
    """Per platform since `start` (month of the metrics): posts published, engagements, rate base and rate."""
    if not has_rows(connection, MONTHLY_MART):
        return []
    where, parameters = _since("month_start", start)
    found = connection.execute(
        "select platform, sum(posts_published), sum(engagements), sum(coalesce(impressions, reach, video_views))"
        f" from {MONTHLY_MART} where {where} group by platform order by platform",
        parameters,
    ).fetchall()
    return [
        {
            "platform": platform,
            "platform_name": platform_name(platform),
            "posts": int(posts or 0),
            "engagements": engagements,
            "rate_base": base,
            "rate": (engagements / base) if engagements is not None and base else None,
        }
        for platform, posts, engagements, base in found
    ]


def monthly_trend(connection: duckdb.DuckDBPyConnection, start: date | None) -> list[dict]:
    """Per month and platform since `start`: posts published, engagements and impressions."""
    if not has_rows(connection, MONTHLY_MART):
        return []
    where, parameters = _since("month_start", start)
    found = connection.execute(
        "select month_start, platform, posts_published, engagements, impressions, engagement_rate"
        f" from {MONTHLY_MART} where {where} order by month_start, platform",
        parameters,
    ).fetchall()
    keys = ("month_start", "platform", "posts", "engagements", "impressions", "rate")
    return [dict(zip(keys, row, strict=True)) | {"platform_name": platform_name(row[1])} for row in found]
