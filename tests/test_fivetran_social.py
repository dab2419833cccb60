"""Own-post performance from the social organic connectors (twitter_organic, facebook_pages, instagram_business,
linkedin_pages, youtube_analytics): the project built on their fixtures alone, checked against the raw CSVs."""

from __future__ import annotations

import duckdb
import pytest

from tests.fivetran_fixtures import build_on_fixtures, csv_query

SOCIAL = ["twitter_organic", "facebook_pages", "instagram_business", "linkedin_pages", "youtube_analytics"]

# Published, non-deleted posts: the latest version of each, as the connector writes them.
CSV_POSTS = {
    "twitter_organic": """
        select cast(id as varchar) as post_id from tweet
        where coalesce(upper(tweet_type), 'PUBLISHED') = 'PUBLISHED' and in_reply_to_status_id is null
        group by id""",
    "facebook_pages": """
        select post_id from (
            select cast(id as varchar) as post_id, is_published,
                row_number() over (partition by id order by updated_time desc, _fivetran_synced desc) as version
            from post_history)
        where version = 1 and coalesce(is_published, true)""",
    "instagram_business": """
        select distinct cast(id as varchar) as post_id from media_history
        where carousel_album_id is null or carousel_album_id = id""",
    "linkedin_pages": """
        select id as post_id from (
            select id, lifecycle_state, response_context_parent,
                row_number() over (partition by id order by last_modified_time desc, _fivetran_synced desc) as version
            from ugc_post_history)
        where version = 1 and lifecycle_state = 'PUBLISHED' and response_context_parent is null
        union
        select 'urn:li:share:' || cast(id as varchar) from share_history
        where lifecycle_state = 'PUBLISHED' and response_context_parent is null""",
    "youtube_analytics": "select id as post_id from video where privacy_status != 'private'",
}

# Lifetime impressions and engagements per post, computed from the CSVs the way DECISIONLOG "Own-post performance"
# defines them: daily reports summed; lifetime snapshots read at their latest value.
CSV_LIFETIME = {
    "twitter_organic": """
        select cast(organic_tweet_id as varchar) as post_id, sum(impressions) as impressions,
            sum(engagements) as engagements
        from organic_tweet_report group by 1""",
    "facebook_pages": """
        select post_id, post_impressions as impressions, post_engaged_users as engagements
        from lifetime_post_metrics_total
        qualify row_number() over (partition by post_id order by date desc, _fivetran_synced desc) = 1""",
    # Every media in the fixtures is an IMAGE (or has no media_history row): the video_photo_* columns.
    "instagram_business": """
        select cast(id as varchar) as post_id, video_photo_impressions as impressions,
            video_photo_engagement as engagements
        from media_insights qualify row_number() over (partition by id order by _fivetran_synced desc) = 1""",
    "linkedin_pages": """
        select _share_entity_urn as post_id, impression_count as impressions,
            click_count + like_count + comment_count + share_count as engagements
        from share_statistic
        qualify row_number() over (partition by _share_entity_urn order by _fivetran_synced desc) = 1""",
    "youtube_analytics": """
        select video_id as post_id, sum(views) as impressions, sum(likes + comments + shares) as engagements
        from channel_basic_a_2 where video_id != '' group by 1""",
}
# YouTube has no impressions: its rate base (and the "impressions" column of CSV_LIFETIME above) is video views.
IMPRESSION_COLUMN = {"youtube_analytics": "video_views"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    paths = build_on_fixtures(tmp_path_factory.mktemp("fivetran_social"), SOCIAL)
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as connection:
        yield connection


def rows(connection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def csv_sums(connector: str, published_only: bool) -> tuple[int, int]:
    restrict = f"where post_id in ({CSV_POSTS[connector]})" if published_only else ""
    sql = f"""
        select coalesce(sum(impressions), 0), coalesce(sum(engagements), 0)
        from ({CSV_LIFETIME[connector]}) {restrict}"""
    ((impressions, engagements),) = csv_query(sql, connector)
    return int(impressions), int(engagements)


@pytest.mark.parametrize("connector", SOCIAL)
def test_posts_per_platform_are_the_published_latest_posts(warehouse, connector):
    expected = sorted(row[0] for row in csv_query(CSV_POSTS[connector], connector))
    built = sorted(
        row[0]
        for row in rows(warehouse, f"select post_id from marts.fct_social_posts where source_system = '{connector}'")
    )
    assert expected, connector
    assert built == expected


def test_expected_post_counts(warehouse):
    counts = dict(rows(warehouse, "select source_system, count(*) from marts.fct_social_posts group by 1"))
    assert counts == {
        "twitter_organic": 100,
        "facebook_pages": 99,
        "instagram_business": 1,  # two more media are children of a carousel album
        "linkedin_pages": 83,
        "youtube_analytics": 3,
    }


@pytest.mark.parametrize("connector", SOCIAL)
def test_connector_metrics_add_up_to_lifetime_totals(warehouse, connector):
    impressions = IMPRESSION_COLUMN.get(connector, "impressions")
    (built,) = rows(
        warehouse,
        f"""select coalesce(sum({impressions}), 0), coalesce(sum(engagements), 0)
        from intermediate.int_fivetran_{connector}__social_post_metrics""",
    )
    assert tuple(int(value) for value in built) == csv_sums(connector, published_only=False)


@pytest.mark.parametrize("connector", SOCIAL)
def test_post_lifetime_totals_match_csv(warehouse, connector):
    impressions = IMPRESSION_COLUMN.get(connector, "impressions")
    (built,) = rows(
        warehouse,
        f"""select coalesce(sum({impressions}), 0), coalesce(sum(engagements), 0)
        from marts.fct_social_posts where source_system = '{connector}'""",
    )
    assert tuple(int(value) for value in built) == csv_sums(connector, published_only=True)


def test_fixture_totals_are_not_trivial(warehouse):
    # The checks above would pass on zeros: these are the numbers they compare.
    assert csv_sums("facebook_pages", published_only=True) == (5 * 877, 5 * 28)
    assert csv_sums("youtube_analytics", published_only=True)[0] == 10
    assert csv_sums("instagram_business", published_only=True) == (56, 4)
    assert csv_sums("linkedin_pages", published_only=False)[0] > 0


def test_lifetime_snapshots_become_daily_increments(warehouse):
    daily = rows(
        warehouse,
        """select metric_date, impressions from marts.mart_social_post_performance
        where social_post_key = 'facebook_pages:514435155248879_3391309130894786' order by metric_date""",
    )
    assert [value for _, value in daily] == [875, 0, 1, 1, 0]


def test_keys_are_unique(warehouse):
    assert rows(warehouse, "select count(*) - count(distinct social_post_key) from marts.fct_social_posts") == [(0,)]
    assert rows(
        warehouse,
        """select count(*) - count(distinct social_post_key || '/' || cast(metric_date as varchar))
        from marts.mart_social_post_performance""",
    ) == [(0,)]
    assert rows(
        warehouse,
        """select count(*) - count(distinct platform || '/' || cast(month_start as varchar))
        from marts.agg_social_platform_monthly""",
    ) == [(0,)]


def test_post_totals_are_the_sum_of_their_days(warehouse):
    mismatches = rows(
        warehouse,
        """select posts.social_post_key
        from marts.fct_social_posts as posts
        left join (
            select social_post_key, sum(impressions) as impressions, sum(engagements) as engagements,
                sum(video_views) as video_views
            from marts.mart_social_post_performance group by 1
        ) as days using (social_post_key)
        where posts.impressions is distinct from days.impressions
            or posts.engagements is distinct from days.engagements
            or posts.video_views is distinct from days.video_views""",
    )
    assert mismatches == []


def test_monthly_rollup_equals_post_day_sums(warehouse):
    metrics = "impressions, reach, likes, comments, shares, saves, engagements, clicks, video_views"
    sums = ", ".join(f"sum({name})" for name in metrics.split(", "))
    by_day = rows(
        warehouse,
        f"""select platform, cast(date_trunc('month', metric_date) as date), {sums}
        from marts.mart_social_post_performance group by 1, 2 order by 1, 2""",
    )
    monthly = rows(
        warehouse,
        f"""select platform, month_start, {metrics} from marts.agg_social_platform_monthly
        where impressions is not null or engagements is not null or video_views is not null order by 1, 2""",
    )
    assert by_day and monthly == by_day
    published = rows(
        warehouse,
        """select platform, sum(posts_published) from marts.agg_social_platform_monthly group by 1 order by 1""",
    )
    assert published == rows(warehouse, "select platform, count(*) from marts.fct_social_posts group by 1 order by 1")


def test_engagement_rate_uses_the_documented_base(warehouse):
    rates = dict(
        rows(
            warehouse,
            """select source_system, round(sum(engagements) / sum(coalesce(impressions, reach, video_views)), 6)
            from marts.fct_social_posts where engagements is not null group by 1""",
        )
    )
    assert rates["facebook_pages"] == round(28 / 877, 6)
    assert rates["instagram_business"] == round(4 / 56, 6)
    assert rows(
        warehouse,
        """select count(*) from marts.fct_social_posts
        where engagement_rate is distinct from engagements / nullif(coalesce(impressions, reach, video_views), 0)""",
    ) == [(0,)]


def test_post_texts_carry_sentiment_and_topic(warehouse):
    assert rows(
        warehouse,
        """select count(*) from marts.fct_social_posts
        where sentiment_label is null or sentiment_score is null or topic is null""",
    ) == [(0,)]
