"""The brand's own posts and their metrics: Fivetran social connector tables as Parquet, and X own-tweet pulls.

Facebook Pages, Instagram Business and LinkedIn Pages land under `<landing>/connectors/<connector>/<table>.parquet`
with every column of the connector table (pipeline/orchestration/connectors.py reads that folder unasked). Metrics
are lifetime totals re-synced once a day for SNAPSHOT_DAYS days after a post, as the connectors sync them. X own
tweets land as pages of `GET /2/users/:id/tweets`, one pull a day per brand handle, each tweet stamped with
`pulled_at` by the extractor (extract/x_api.py). Draws come from their own generator, seeded from the main seed, so
adding this family changes no byte of the others.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from demo_data.period import DAY, HOUR, MINUTE, Period, iso
from demo_data.social import POSTS, tweet_texts

SNAPSHOT_DAYS = 14
SYNC_SECOND_OF_DAY = 14 * HOUR + 22 * MINUTE
X_LOOKBACK_DAYS = 7
# Posts a week per platform at scale 1, lifetime impressions (median) and engagements per impression: LinkedIn is
# planted as the platform with the highest engagement rate.
PLATFORMS = {
    "facebook_pages": {"per_week": 3.0, "impressions": 1800, "rate": 0.015},
    "instagram_business": {"per_week": 4.0, "impressions": 2600, "rate": 0.03},
    "linkedin_pages": {"per_week": 2.0, "impressions": 1400, "rate": 0.07},
}
X_IMPRESSIONS, X_RATE = 2500, 0.01
THEMES = np.array(
    [
        "New release notes are out: faster search and a cleaner inbox",
        "Join our webinar this Thursday on social care at scale",
        "How our support team cut first response times in half",
        "Customer story: how Northwind scaled support with Acme",
        "Five tips for a faster onboarding",
        "We're hiring support engineers in Lisbon and Austin",
        "Behind the scenes at Acme HQ",
        "Our roadmap for next quarter, in one picture",
        "Product tip: keyboard shortcuts that save an hour a week",
        "Thank you for 100,000 customers",
    ]
)
BRAND = {"page_id": 104729301234567, "ig_user_id": 17841400012345678, "ig_ig_id": 39500012345, "org_id": 2414183}

T_INT, T_BOOL, T_TS, T_FLOAT, T_STR = pa.int64(), pa.bool_(), pa.timestamp("us"), pa.float64(), pa.string()
TYPES = {"i": T_INT, "b": T_BOOL, "t": T_TS, "f": T_FLOAT, "s": T_STR}
_FB_POST_METRICS = (
    "post_clicks post_engaged_fan post_engaged_users post_impressions post_impressions_fan post_impressions_nonviral "
    "post_impressions_organic post_impressions_paid post_impressions_viral post_negative_feedback "
    "post_reactions_anger_total post_reactions_haha_total post_reactions_like_total post_reactions_love_total "
    "post_reactions_sorry_total post_reactions_wow_total post_video_avg_time_watched "
    "post_video_complete_views_30_s_autoplayed post_video_complete_views_30_s_clicked_to_play "
    "post_video_complete_views_30_s_organic post_video_complete_views_30_s_paid post_video_complete_views_organic "
    "post_video_complete_views_paid post_video_view_time post_video_view_time_organic post_video_views "
    "post_video_views_10_s post_video_views_10_s_autoplayed post_video_views_10_s_clicked_to_play "
    "post_video_views_10_s_organic post_video_views_10_s_paid post_video_views_10_s_sound_on "
    "post_video_views_autoplayed post_video_views_clicked_to_play post_video_views_organic post_video_views_paid "
    "post_video_views_sound_on post_video_length post_video_views_15_s"
)
_LI_POST = (
    "_fivetran_synced:t author commentary container_entity created_actor created_time:t "
    "distribution_external_distribution_channels distribution_feed_distribution first_published_at:t id{id} "
    "last_modified_actor last_modified_time:t lifecycle_state response_context_parent response_context_root visibility"
)
_LI_CONTENT = (
    "_fivetran_synced:t _fivetran_id {key} article_description article_source article_thumbnail "
    "article_thumbnail_alt_text article_title carousel_id media_alt_text media_id media_title multi_image_alt_text "
    "poll_question poll_settings_duration poll_settings_is_voter_visible_to_author:b poll_settings_vote_selection_type "
    "poll_unique_voters_count:i type"
)
# Every column of each connector table the social models read, typed as the connector writes it (name:type, type
# letters in TYPES, varchar when omitted). The headers are those of Fivetran's own package seeds.
COLUMNS: dict[str, dict[str, str]] = {
    "facebook_pages": {
        "page": (
            "id:i _fivetran_deleted:b _fivetran_synced:t affiliation app_id artists_we_like attire awards "
            "band_interests band_members bio birthday booking_agent built can_checkin:b can_post:b category "
            "category_list checkins:i company_overview culinary_team current_location description directed_by "
            "display_subtext emails fan_count:i features food_styles founded general_info general_manager genre "
            "global_brand_page_name has_added_app:b has_whatsapp_number:b hometown impressum influences "
            "is_always_open:b is_chain:b is_community_page:b is_eligible_for_branded_content:b "
            "is_messenger_bot_get_started_enabled:b is_messenger_platform_bot:b is_owned:b is_permanently_closed:b "
            "is_published:b is_unclaimed:b members mission mpg name network new_like_count:i overall_star_rating:f "
            "personal_info personal_interests pharma_safety_info phone place_type plot_outline press_contact "
            "price_range produced_by products promotion_eligible:b promotion_ineligible_reason public_transit "
            "rating_count:i record_label release_date schedule screenplay_by season single_line_address starring "
            "store_number studio talking_about_count:i username website were_here_count:i whatsapp_number written_by "
            "has_transitioned_to_new_page_experience:b"
        ),
        "post_history": (
            "id updated_time:t _fivetran_synced:t allowed_advertising_objects created_time:t "
            "is_eligible_for_promotion:b is_hidden:b is_instagram_eligible:b is_published:b page_id:i parent_id "
            "privacy_allow privacy_deny privacy_description privacy_friends privacy_value promotable_id share_count:i "
            "status_type message"
        ),
        "lifetime_post_metrics_total": (
            "date:t post_id _fivetran_synced:t "
            + " ".join(f"{name}:i" for name in _FB_POST_METRICS.split())
            + " post_media_view:f"
        ),
    },
    "instagram_business": {
        "media_history": (
            "_fivetran_id _fivetran_synced:t caption carousel_album_id:i created_time:t id:i ig_id:i "
            "is_comment_enabled:b is_story:b media_type media_url permalink shortcode thumbnail_url user_id:i username"
        ),
        "media_insights": (
            "_fivetran_id _fivetran_synced:t carousel_album_engagement:i carousel_album_reach:i carousel_album_saved:i "
            "carousel_album_shares:i carousel_album_views:i comment_count:i id:i like_count:i story_exits:i "
            "story_reach:i story_replies:i story_taps_back:i story_taps_forward:i story_shares:i story_views:i "
            "video_photo_engagement:i video_photo_reach:i video_photo_saved:i video_photo_shares:i "
            "video_photo_views:i reel_comments:i reel_likes:i reel_reach:i reel_shares:i reel_total_interactions:i "
            "reel_views:i source_relation carousel_album_impressions:i carousel_album_video_views:i "
            "story_impressions:i video_photo_impressions:i video_views:i reel_plays:i"
        ),
        "user_history": (
            "_fivetran_id _fivetran_synced:t followers_count:i follows_count:i id:i ig_id:i media_count:i name "
            "username website"
        ),
    },
    "linkedin_pages": {
        "organization": (
            "id:i _fivetran_synced:t cover_photo_v_2_crop_info_height:i cover_photo_v_2_crop_info_width:i "
            "cover_photo_v_2_crop_info_x:i cover_photo_v_2_crop_info_y:i cover_photo_v_2_cropped "
            "cover_photo_v_2_original default_locale_country default_locale_language "
            "description_preferred_locale_country description_preferred_locale_language founded_on_day:i "
            "founded_on_month:i founded_on_year:i logo_v_2_crop_info_height:i logo_v_2_crop_info_width:i "
            "logo_v_2_crop_info_x:i logo_v_2_crop_info_y:i logo_v_2_cropped logo_v_2_original "
            "name_preferred_locale_country name_preferred_locale_language organization_status organization_type "
            "overview_photo_v_2_crop_info_height:i overview_photo_v_2_crop_info_width:i "
            "overview_photo_v_2_crop_info_x:i overview_photo_v_2_crop_info_y:i overview_photo_v_2_cropped "
            "overview_photo_v_2_original parent_relationship_parent_id parent_relationship_status "
            "parent_relationship_type primary_organization_type school_attributes_hierarchy_classification "
            "school_attributes_legacy_school school_attributes_type school_attributes_year_level staff_count_range "
            "version_tag:i website_preferred_locale_country website_preferred_locale_language description_localized "
            "localized_description localized_name localized_website name_localized vanity_name website_localized"
        ),
        "ugc_post_history": _LI_POST.format(id=""),
        "share_history": _LI_POST.format(id=":i"),
        "post_content": _LI_CONTENT.format(key="post_id"),
        "share_content": _LI_CONTENT.format(key="share_id:i"),
        "share_statistic": (
            "_fivetran_id _fivetran_synced:t _organization_entity_urn _share_entity_urn click_count:i comment_count:i "
            "engagement:f impression_count:i like_count:i share_count:i"
        ),
    },
}


def schema_of(spec: str) -> pa.Schema:
    fields = []
    for token in spec.split():
        name, _, code = token.partition(":")
        fields.append(pa.field(name, TYPES[code or "s"]))
    return pa.schema(fields)


def write_table(folder: Path, connector: str, table: str, values: dict[str, object], rows: int) -> None:
    """One Parquet file with the table's every column: the given values, nulls elsewhere."""
    schema = schema_of(COLUMNS[connector][table])
    unknown = set(values) - set(schema.names)
    if unknown:
        raise KeyError(f"{connector}.{table} has no columns {sorted(unknown)}")
    arrays = []
    for field in schema:
        value = values.get(field.name)
        if value is None:
            arrays.append(pa.nulls(rows, field.type))
        elif np.isscalar(value):
            arrays.append(pa.array(np.full(rows, value)).cast(field.type))
        elif field.type == T_TS:
            arrays.append(pa.array(np.asarray(value, dtype="datetime64[s]").astype("datetime64[us]"), T_TS))
        else:
            arrays.append(pa.array(value).cast(field.type))
    path = folder / connector / f"{table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)


@dataclass
class Posts:
    """Posts of one platform and their daily lifetime snapshots (rows of `snap_*`, indexed by `snap_post`)."""

    published_at: np.ndarray
    text: np.ndarray
    totals: dict[str, np.ndarray]
    snap_post: np.ndarray
    snap_at: np.ndarray
    snap_fraction: np.ndarray

    def __len__(self) -> int:
        return len(self.published_at)

    def snapshot(self, metric: str) -> np.ndarray:
        """The lifetime value of `metric` at each snapshot: it only grows, and ends at the post's total."""
        return np.floor(self.totals[metric][self.snap_post] * self.snap_fraction).astype(np.int64)


def draw_posts(rng: np.random.Generator, period: Period, scale: float, settings: dict, shares: dict) -> Posts:
    weeks = period.seconds / (7 * DAY)
    n = max(6, int(settings["per_week"] * weeks * scale))
    published = np.sort(period.uniform(rng, n, margin=DAY))
    text = THEMES[rng.integers(0, len(THEMES), n)]
    impressions = np.maximum(50, np.exp(np.log(settings["impressions"]) + 0.8 * rng.standard_normal(n))).astype(int)
    rate = settings["rate"] * np.exp(0.3 * rng.standard_normal(n))
    engagements = np.round(impressions * rate)
    totals = {"impressions": impressions, "reach": (impressions * rng.uniform(0.6, 0.8, n)).astype(np.int64)}
    for name, share in shares.items():
        totals[name] = np.round(engagements * share * rng.uniform(0.8, 1.2, n)).astype(np.int64)
    return Posts(published, text, totals, *snapshots(period, published))


def snapshots(period: Period, published: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A daily sync for SNAPSHOT_DAYS days after each post, until the period ends: (post, synced at, fraction)."""
    day = np.arange(SNAPSHOT_DAYS)
    post = np.repeat(np.arange(len(published)), SNAPSHOT_DAYS)
    k = np.tile(day, len(published))
    at = (published[post] // DAY + k + 1) * DAY + SYNC_SECOND_OF_DAY + post % 60
    fraction = (1 - np.exp(-(k + 1) / 1.5)) / (1 - np.exp(-SNAPSHOT_DAYS / 1.5))
    keep = at <= period.end
    return post[keep], at[keep], fraction[keep]


def fivetran_ids(*parts: np.ndarray) -> np.ndarray:
    """Fivetran's `_fivetran_id`: a base64 hash of the row's key."""
    keys = ["/".join(map(str, values)) for values in zip(*(part.tolist() for part in parts), strict=True)]
    return np.array([base64.b64encode(hashlib.sha1(key.encode()).digest()).decode() for key in keys])


def write_facebook(out: Path, rng: np.random.Generator, period: Period, scale: float) -> int:
    shares = {"reactions": 0.55, "clicks": 0.35, "shares": 0.10}
    posts = draw_posts(rng, period, scale, PLATFORMS["facebook_pages"], shares)
    n, page = len(posts), BRAND["page_id"]
    post_ids = np.char.add(f"{page}_", (122_100_000_000_000_000 + np.arange(n) * 7_919_113).astype(str))
    video = rng.random(n) < 0.2
    write_table(
        out,
        "facebook_pages",
        "page",
        {
            "id": page,
            "_fivetran_deleted": False,
            "_fivetran_synced": [period.end - DAY],
            "name": "Acme",
            "username": "acme",
            "category": "Software Company",
            "fan_count": 48_200,
            "is_published": True,
            "website": "https://acme.example",
        },
        1,
    )
    # A tenth of the posts are edited once, a few days later: a second history row with a later updated_time.
    edited = np.flatnonzero(rng.random(n) < 0.1)
    version_post = np.r_[np.arange(n), edited]
    edited_at = np.minimum(posts.published_at[edited] + rng.integers(HOUR, 3 * DAY, len(edited)), period.end - DAY)
    updated = np.r_[posts.published_at, edited_at]
    message = np.r_[posts.text, np.char.add(posts.text[edited], " (updated)")]
    write_table(
        out,
        "facebook_pages",
        "post_history",
        {
            "id": post_ids[version_post],
            "updated_time": updated,
            "_fivetran_synced": updated + DAY,
            "created_time": posts.published_at[version_post],
            "is_eligible_for_promotion": True,
            "is_hidden": False,
            "is_instagram_eligible": False,
            "is_published": True,
            "page_id": page,
            "privacy_value": "EVERYONE",
            "promotable_id": post_ids[version_post],
            "share_count": posts.totals["shares"][version_post],
            "status_type": np.where(video[version_post], "added_video", "mobile_status_update"),
            "message": message,
        },
        len(version_post),
    )
    snap = posts.snap_post
    impressions, reach, reactions = posts.snapshot("impressions"), posts.snapshot("reach"), posts.snapshot("reactions")
    viral = impressions // 7
    like, love = (reactions * 0.8).astype(np.int64), (reactions * 0.12).astype(np.int64)
    views = np.where(video[snap], impressions // 3, 0)
    video_values = {"post_video_views": views, "post_video_views_organic": views, "post_video_views_paid": 0}
    metrics = {
        "date": posts.snap_at // DAY * DAY + 7 * HOUR,
        "post_id": post_ids[snap],
        "_fivetran_synced": posts.snap_at,
        "post_clicks": posts.snapshot("clicks"),
        "post_engaged_users": reach // 40,
        "post_engaged_fan": reach // 120,
        "post_impressions": impressions,
        "post_impressions_fan": impressions // 5,
        "post_impressions_organic": impressions,
        "post_impressions_paid": 0,
        "post_impressions_viral": viral,
        "post_impressions_nonviral": impressions - viral,
        "post_negative_feedback": impressions // 900,
        "post_reactions_like_total": like,
        "post_reactions_love_total": love,
        "post_reactions_haha_total": (reactions - like - love) // 2,
        "post_reactions_wow_total": reactions - like - love - (reactions - like - love) // 2,
        "post_reactions_sorry_total": 0,
        "post_reactions_anger_total": 0,
        "post_media_view": impressions.astype(float),
        **{name: np.where(video[snap], value, None) for name, value in video_values.items()},
    }
    write_table(out, "facebook_pages", "lifetime_post_metrics_total", metrics, len(snap))
    return n


def write_instagram(out: Path, rng: np.random.Generator, period: Period, scale: float) -> int:
    shares = {"likes": 0.75, "comments": 0.08, "saves": 0.10, "shares": 0.07}
    posts = draw_posts(rng, period, scale, PLATFORMS["instagram_business"], shares)
    n, user = len(posts), BRAND["ig_user_id"]
    media_ids = 17_900_000_000_000_000 + np.arange(n) * 104_729
    ig_ids = 3_300_000_000_000_000_000 + np.arange(n) * 1_000_003
    kind = rng.choice(np.array(["IMAGE", "CAROUSEL_ALBUM", "VIDEO"]), n, p=[0.5, 0.25, 0.25])
    shortcodes = np.array([hashlib.blake2b(str(i).encode(), digest_size=8).hexdigest()[:11] for i in ig_ids])
    synced = period.end - DAY
    write_table(
        out,
        "instagram_business",
        "user_history",
        {
            "_fivetran_id": fivetran_ids(np.array([user]), np.array([synced])),
            "_fivetran_synced": [synced],
            "followers_count": 31_400,
            "follows_count": 210,
            "id": user,
            "ig_id": BRAND["ig_ig_id"],
            "media_count": n,
            "name": "Acme",
            "username": "acme",
            "website": "https://acme.example",
        },
        1,
    )
    # Fivetran re-syncs media it has seen (a new row per sync when a field changed): some media twice.
    resynced = np.flatnonzero(rng.random(n) < 0.3)
    version = np.r_[np.arange(n), resynced]
    resynced_at = np.minimum(posts.published_at[resynced] + rng.integers(DAY, 9 * DAY, len(resynced)), period.end)
    version_synced = np.r_[posts.published_at + HOUR, resynced_at]
    write_table(
        out,
        "instagram_business",
        "media_history",
        {
            "_fivetran_id": fivetran_ids(media_ids[version], version_synced),
            "_fivetran_synced": version_synced,
            "caption": np.char.add(posts.text[version], " #acme"),
            "created_time": posts.published_at[version],
            "id": media_ids[version],
            "ig_id": ig_ids[version],
            "is_comment_enabled": True,
            "is_story": False,
            "media_type": kind[version],
            "media_url": np.char.add("https://cdn.acme.example/ig/", shortcodes[version]),
            "permalink": np.char.add(np.char.add("https://www.instagram.com/p/", shortcodes[version]), "/"),
            "shortcode": shortcodes[version],
            "user_id": user,
            "username": "acme",
        },
        len(version),
    )
    snap = posts.snap_post
    impressions, reach = posts.snapshot("impressions"), posts.snapshot("reach")
    likes, comments = posts.snapshot("likes"), posts.snapshot("comments")
    saves, shared = posts.snapshot("saves"), posts.snapshot("shares")
    engagement = likes + comments + saves + shared
    values: dict[str, object] = {
        "_fivetran_id": fivetran_ids(media_ids[snap], posts.snap_at),
        "_fivetran_synced": posts.snap_at,
        "id": media_ids[snap],
        "like_count": likes,
        "comment_count": comments,
    }
    by_kind = {
        "IMAGE": {"video_photo_impressions": impressions, "video_photo_reach": reach, "video_photo_views": impressions,
                  "video_photo_engagement": engagement, "video_photo_saved": saves, "video_photo_shares": shared},
        "CAROUSEL_ALBUM": {"carousel_album_impressions": impressions, "carousel_album_reach": reach,
                           "carousel_album_views": impressions, "carousel_album_engagement": engagement,
                           "carousel_album_saved": saves, "carousel_album_shares": shared,
                           "carousel_album_video_views": 0},
        "VIDEO": {"reel_plays": impressions, "reel_views": impressions, "reel_reach": reach, "reel_likes": likes,
                  "reel_comments": comments, "reel_shares": shared, "reel_total_interactions": engagement,
                  "video_views": impressions // 2},
    }  # fmt: skip
    for media_type, columns in by_kind.items():
        mine = kind[snap] == media_type
        for name, value in columns.items():
            values[name] = np.where(mine, value, None)
    write_table(out, "instagram_business", "media_insights", values, len(snap))
    return n


def write_linkedin(out: Path, rng: np.random.Generator, period: Period, scale: float) -> int:
    shares = {"likes": 0.45, "clicks": 0.40, "comments": 0.08, "shares": 0.07}
    posts = draw_posts(rng, period, scale, PLATFORMS["linkedin_pages"], shares)
    n, org = len(posts), BRAND["org_id"]
    org_urn = f"urn:li:organization:{org}"
    write_table(
        out,
        "linkedin_pages",
        "organization",
        {
            "id": org,
            "_fivetran_synced": [period.end - DAY],
            "localized_name": "Acme Inc.",
            "name_localized": "Acme Inc.",
            "vanity_name": "acme",
            "localized_website": "https://acme.example",
            "organization_type": "PRIVATELY_HELD",
            "organization_status": "OPERATING",
            "staff_count_range": "SIZE_201_TO_500",
            "default_locale_country": "US",
            "default_locale_language": "en",
        },
        1,
    )
    # LinkedIn ids carry the creation time in milliseconds above a 22-bit sequence. Posts made through the older
    # Shares API (an eighth of them) land in share_history, the rest in ugc_post_history.
    numbers = (posts.published_at * 1000 << 22) | np.arange(n)
    is_share = rng.random(n) < 0.125
    is_share[0] = True  # the oldest post: every landing has both kinds
    urns = np.where(is_share, "urn:li:share:", "urn:li:ugcPost:").astype(object) + numbers.astype(str).astype(object)
    content_type = rng.choice(np.array(["article", "multi_image", "video", "poll"]), n, p=[0.4, 0.35, 0.2, 0.05])
    for table, content, mine, key in (
        ("ugc_post_history", "post_content", ~is_share, urns),
        ("share_history", "share_content", is_share, numbers),
    ):
        rows = np.flatnonzero(mine)
        at = posts.published_at[rows]
        write_table(
            out,
            "linkedin_pages",
            table,
            {
                "_fivetran_synced": at + DAY,
                "author": org_urn,
                "commentary": posts.text[rows],
                "created_actor": "urn:li:person:acme-social",
                "created_time": at,
                "distribution_external_distribution_channels": "[]",
                "distribution_feed_distribution": "MAIN_FEED",
                "first_published_at": at,
                "id": key[rows],
                "last_modified_actor": "urn:li:person:acme-social",
                "last_modified_time": at,
                "lifecycle_state": "PUBLISHED",
                "visibility": "PUBLIC",
            },
            len(rows),
        )
        write_table(
            out,
            "linkedin_pages",
            content,
            {
                "_fivetran_synced": at + DAY,
                "_fivetran_id": fivetran_ids(numbers[rows]),
                ("post_id" if table == "ugc_post_history" else "share_id"): key[rows],
                "article_title": np.where(content_type[rows] == "article", posts.text[rows], None),
                "article_source": np.where(content_type[rows] == "article", "https://acme.example/blog", None),
                "poll_question": np.where(content_type[rows] == "poll", "Which feature should we build next?", None),
                "poll_unique_voters_count": np.where(content_type[rows] == "poll", 40, 0),
                "type": content_type[rows],
            },
            len(rows),
        )
    snap = posts.snap_post
    impressions, likes, clicks = posts.snapshot("impressions"), posts.snapshot("likes"), posts.snapshot("clicks")
    comments, shared = posts.snapshot("comments"), posts.snapshot("shares")
    write_table(
        out,
        "linkedin_pages",
        "share_statistic",
        {
            "_fivetran_id": fivetran_ids(numbers[snap], posts.snap_at),
            "_fivetran_synced": posts.snap_at,
            "_organization_entity_urn": org_urn,
            "_share_entity_urn": urns[snap].astype(str),
            "click_count": clicks,
            "comment_count": comments,
            "engagement": (clicks + likes + comments + shared) / np.maximum(impressions, 1),
            "impression_count": impressions,
            "like_count": likes,
            "share_count": shared,
        },
        len(snap),
    )
    return n


def x_own_tweet_pages(rng: np.random.Generator, period: Period, tweet_ids, at, author, text) -> dict[str, list[bytes]]:
    """Daily pulls of each brand handle's timeline (`GET /2/users/:id/tweets`, posts of the last X_LOOKBACK_DAYS
    days, newest first, 100 a page): page lines by month of the pull. `text` holds each post's JSON text as orjson
    writes it."""
    n = len(tweet_ids)
    impressions = np.maximum(20, np.exp(np.log(X_IMPRESSIONS) + 0.9 * rng.standard_normal(n))).astype(np.int64)
    engagements = impressions * X_RATE * np.exp(0.3 * rng.standard_normal(n))
    finals = {
        "retweet_count": engagements * 0.15,
        "reply_count": engagements * 0.10,
        "like_count": engagements * 0.55,
        "quote_count": engagements * 0.03,
        "bookmark_count": engagements * 0.07,
        "impression_count": impressions,
    }
    by_month: dict[str, list[bytes]] = {}
    first_day, last_day = period.start // DAY, period.end // DAY
    order = np.argsort(at, kind="stable")
    sorted_at, brands = at[order], np.unique(author).tolist()
    for day in range(first_day, last_day + 1):
        for offset, brand in enumerate(brands):
            pulled = day * DAY + SYNC_SECOND_OF_DAY + offset * 7
            if pulled > period.end:
                continue
            lo, hi = np.searchsorted(sorted_at, [pulled - X_LOOKBACK_DAYS * DAY, pulled], side="right")
            window = order[lo:hi][::-1]
            window = window[author[window] == brand]
            if not len(window):
                continue
            age = (pulled - at[window]) / DAY
            fraction = 1 - np.exp(-(age + 0.05) / 1.2)
            pulled_text = iso(np.array([pulled]), "millis")[0]
            tweets = [
                {
                    "id": str(tweet_ids[i]),
                    "text": text[i],
                    "author_id": str(brand),
                    "created_at": iso(at[i : i + 1], "millis")[0],
                    "conversation_id": str(tweet_ids[i]),
                    "lang": "en",
                    "public_metrics": {key: int(values[i] * fraction[j]) for key, values in finals.items()},
                    "pulled_at": pulled_text,
                }
                for j, i in enumerate(window.tolist())
            ]
            lines = by_month.setdefault(pulled_text[:7], [])
            for start in range(0, len(tweets), 100):
                chunk = tweets[start : start + 100]
                meta = {"result_count": len(chunk), "newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"]}
                if start + 100 < len(tweets):
                    meta["next_token"] = hashlib.blake2b(f"{brand}/{day}/{start}".encode(), digest_size=9).hexdigest()
                lines.append(orjson.dumps({"data": chunk, "meta": meta}))
    return by_month


def x_brand_posts(tweet_rows) -> dict[str, np.ndarray]:
    """The brand posts (not replies) among the generated tweets (demo_data.social.TweetRows): id, at, author, text."""
    columns = tweet_rows.columns
    posts = np.flatnonzero(columns["root"] < 0)
    return {
        "id": tweet_rows.tweet_ids[posts],
        "at": columns["at"][posts],
        "author": columns["author"][posts],
        "text": POSTS[columns["text"][posts] - tweet_texts()[1]["post"]],
    }


def write_x_own_tweets(folder: Path, rng: np.random.Generator, period: Period, posts: dict[str, np.ndarray]) -> int:
    """`posts`: the brand posts of the X tweet pages (id, at, author, text); returns the number of pulled tweets."""
    pages = x_own_tweet_pages(rng, period, posts["id"], posts["at"], posts["author"], posts["text"])
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for month, lines in sorted(pages.items()):
        (folder / f"{month}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        count += sum(len(orjson.loads(line)["data"]) for line in lines)
    return count


def generate_own_posts(out: Path, seed: int, period: Period, scale: float, x_posts: dict[str, np.ndarray]) -> dict:
    """Write the connector tables and the X own-tweet pulls; returns manifest counts."""
    rng = np.random.default_rng([seed, 0x0F05])
    folder = out / "connectors"
    counts = {
        "facebook_pages_posts": write_facebook(folder, rng, period, scale),
        "instagram_business_media": write_instagram(folder, rng, period, scale),
        "linkedin_pages_posts": write_linkedin(folder, rng, period, scale),
    }
    counts["x_own_tweet_pulls"] = write_x_own_tweets(out / "x" / "own_tweets", rng, period, x_posts)
    return counts
