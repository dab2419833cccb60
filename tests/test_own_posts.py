"""The brand's own posts: the demo's connector tables and X own-tweet pulls, the X extractor's timeline pull against
the fake X API, the X own-post models (one small dbt build of just them), and the dashboard's Own content section
on a small serving file written here (no pipeline run)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import requests
import yaml

from demo_data import generate, own_posts
from extract.http import ApiClient, RetryPolicy
from extract.x_api import pull_own_tweets
from tests.conftest import PROJECT_ROOT, TEST_SCALE, TEST_SEED, paths_in
from tests.fake_apis import X_TOKEN, FakeApis

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "fivetran"
MARTS = PROJECT_ROOT / "dbt_project" / "models" / "marts"


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pulled_tweets(folder: Path) -> list[dict]:
    return [tweet for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()
            for tweet in json.loads(line).get("data", [])]  # fmt: skip


# --- demo data ----------------------------------------------------------------------------------------------------


def test_connector_tables_have_the_fixture_columns_typed(demo_landing):
    for connector, tables in own_posts.COLUMNS.items():
        folder = demo_landing / "connectors" / connector
        assert sorted(path.stem for path in folder.glob("*.parquet")) == sorted(tables)
        fixtures = FIXTURES / connector
        if fixtures.is_dir():
            fixture_tables = {path.stem for path in fixtures.glob("*.csv")}
            assert fixture_tables <= set(tables), f"{connector}: fixtures the demo does not write"
            for table in fixture_tables:
                with (fixtures / f"{table}.csv").open(newline="") as handle:
                    header = next(csv.reader(handle))
                assert pq.read_schema(folder / f"{table}.parquet").names == header, f"{connector}.{table}"
        for table in tables:
            schema = pq.read_schema(folder / f"{table}.parquet")
            assert str(schema.field("_fivetran_synced").type) == "timestamp[us]"
            assert pq.read_metadata(folder / f"{table}.parquet").num_rows > 0 or table in ("share_history",)
    page = pq.read_table(demo_landing / "connectors" / "facebook_pages" / "page.parquet")
    assert str(page.schema.field("_fivetran_deleted").type) == "bool"
    assert str(page.schema.field("id").type) == "int64"
    # Nothing else lands under connectors/.
    assert {path.parent.name for path in (demo_landing / "connectors").rglob("*") if path.is_file()} == set(
        own_posts.COLUMNS
    )


def test_lifetime_metrics_only_grow_and_link_to_posts(demo_landing):
    connectors = demo_landing / "connectors"
    with duckdb.connect() as con:
        fb = f"'{connectors}/facebook_pages/lifetime_post_metrics_total.parquet'"
        posts = f"'{connectors}/facebook_pages/post_history.parquet'"
        shrinking = con.execute(
            f"select count(*) from (select post_impressions - lag(post_impressions) over (partition by post_id"
            f" order by date) as step from {fb}) where step < 0"
        ).fetchone()[0]
        orphans = con.execute(f"select count(*) from {fb} where post_id not in (select id from {posts})").fetchone()[0]
        days = con.execute(f"select count(*) = count(distinct post_id || date) from {fb}").fetchone()[0]
        li = f"'{connectors}/linkedin_pages/share_statistic.parquet'"
        li_posts = (
            f"(select id from '{connectors}/linkedin_pages/ugc_post_history.parquet' union all"
            f" select 'urn:li:share:' || id from '{connectors}/linkedin_pages/share_history.parquet')"
        )
        li_orphans = con.execute(f"select count(*) from {li} where _share_entity_urn not in {li_posts}").fetchone()[0]
        shares = con.execute(f"select count(*) from '{connectors}/linkedin_pages/share_history.parquet'").fetchone()
    assert (shrinking, orphans, li_orphans) == (0, 0, 0) and days and shares[0] >= 1


def test_x_own_tweet_pulls_are_the_brand_posts_with_growing_metrics(demo_landing):
    tweets = pulled_tweets(demo_landing / "x" / "own_tweets")
    searched = [tweet for path in sorted((demo_landing / "x" / "tweets").glob("*.jsonl"))
                for line in path.read_text().splitlines() for tweet in json.loads(line)["data"]]  # fmt: skip
    brand_posts = {t["id"] for t in searched if t["author_id"] in {"1001", "1002", "1003", "1004"}
                   and "referenced_tweets" not in t and "in_reply_to_user_id" not in t}  # fmt: skip
    assert tweets and {tweet["id"] for tweet in tweets} == brand_posts
    by_id: dict[str, list[dict]] = {}
    for tweet in tweets:
        by_id.setdefault(tweet["id"], []).append(tweet)
    for pulls in by_id.values():
        pulls.sort(key=lambda tweet: tweet["pulled_at"])
        counts = [pull["public_metrics"]["impression_count"] for pull in pulls]
        assert counts == sorted(counts) and all(pull["created_at"] <= pull["pulled_at"] for pull in pulls)
        assert len(pulls) <= own_posts.X_LOOKBACK_DAYS + 1


def test_same_seed_same_bytes(tmp_path, demo_landing):
    generate(tmp_path / "again", scale=TEST_SCALE, seed=TEST_SEED)
    for part in ("connectors", "x/own_tweets"):
        assert digest(tmp_path / "again" / part) == digest(demo_landing / part)
    manifest = json.loads((demo_landing / "manifest.json").read_text())["counts"]
    assert manifest["x_own_tweet_pulls"] == len(pulled_tweets(demo_landing / "x" / "own_tweets"))


# --- X extractor --------------------------------------------------------------------------------------------------


def own_tweet(tweet_id: int, author: str, created: str, impressions: int, **extra) -> dict:
    metrics = {"retweet_count": 1, "reply_count": 2, "like_count": impressions // 10, "quote_count": 0,
               "bookmark_count": 1, "impression_count": impressions}  # fmt: skip
    return {"id": str(tweet_id), "text": f"post {tweet_id}", "author_id": author, "created_at": created,
            "conversation_id": str(tweet_id), "lang": "en", "public_metrics": metrics, **extra}  # fmt: skip


def x_client(url: str) -> ApiClient:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {X_TOKEN}"
    return ApiClient(url, session, RetryPolicy(attempts=4, backoff_seconds=0.01, read_timeout=1.0))


def test_extractor_pulls_own_timelines_resumes_and_ingest_keeps_each_pull(tmp_path, monkeypatch):
    import ingest

    monkeypatch.setenv("OUTCOMES_MAX_REFUSED_SHARE", "1")  # one bad record of two, to see it quarantined

    tweets = [own_tweet(1900 + i, "1001", f"2026-03-0{1 + i % 5}T10:00:00.000Z", 100 * (i + 1)) for i in range(7)]
    tweets += [
        own_tweet(2000, "1002", "2026-03-04T09:00:00.000Z", 500),
        own_tweet(2001, "1002", "2026-03-04T09:30:00.000Z", 50, in_reply_to_user_id="20000001"),  # a reply
        own_tweet(2002, "1001", "2026-01-01T09:00:00.000Z", 900),  # older than the lookback
    ]
    landing, state = tmp_path / "landing", tmp_path / "landing" / ".extract_state.json"
    with FakeApis([], [], [], [], own_tweets=tweets) as apis:
        # The second page fails more often than the client retries: the run stops after landing the first page.
        apis.faults.extend(["ok", "500", "500", "500", "500", "429"])
        with pytest.raises(Exception):  # noqa: B017 - whichever error the client raises after its last retry
            pull_own_tweets(x_client(apis.url), landing, state, ["1001", "1002"], 7, 5,
                            now=datetime(2026, 3, 6, 14, 0, tzinfo=UTC))  # fmt: skip
        pending = json.loads(state.read_text())["x_own_tweets"]["pending"]
        assert pending["users"] == ["1001", "1002"] and pending["pagination_token"] == "5"
        # The next run resumes that pull (same file, same pulled_at) at the failed page; a 429 is waited out.
        first = pull_own_tweets(x_client(apis.url), landing, state, ["1001", "1002"], 7, 5,
                                now=datetime(2026, 3, 6, 15, 0, tzinfo=UTC))  # fmt: skip
        assert (first.records, first.pages) == (3, 2) and first.landing_file == pending["file"]
        assert len(pulled_tweets(landing / "x" / "own_tweets")) == 8
        timeline_calls = [params for path, params in apis.requests if path.startswith("/2/users/")]
        assert all(params["exclude"] == "replies,retweets" for params in timeline_calls)
        assert timeline_calls[0]["start_time"] == "2026-02-27T14:00:00Z"
        for tweet in apis.own_tweets:
            tweet["public_metrics"] = {**tweet["public_metrics"], "impression_count": tweet["public_metrics"][
                "impression_count"] + 7}  # fmt: skip
        second = pull_own_tweets(x_client(apis.url), landing, state, ["1001", "1002"], 7, 5,
                                 now=datetime(2026, 3, 7, 14, 0, tzinfo=UTC))  # fmt: skip
    assert second.records == 8 and first.landing_file != second.landing_file
    landed = pulled_tweets(landing / "x" / "own_tweets")
    assert {tweet["pulled_at"] for tweet in landed} == {"2026-03-06T14:00:00.000Z", "2026-03-07T14:00:00.000Z"}
    assert "2001" not in {tweet["id"] for tweet in landed} and "2002" not in {tweet["id"] for tweet in landed}
    # A record without its pull time is quarantined; the rest of the file loads.
    bad = landing / "x" / "own_tweets" / "api-bad.jsonl"
    bad.write_text(json.dumps({"data": [own_tweet(3000, "1001", "2026-03-06T10:00:00.000Z", 5),
                                        own_tweet(3001, "1001", "2026-03-06T10:00:00.000Z", 5, pulled_at=
                                                  "2026-03-07T14:00:00.000Z")]}) + "\n")  # fmt: skip
    warehouse = tmp_path / "warehouse.duckdb"
    ingest.load_landing(landing, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select count(*), count(distinct id || pulled_at) from raw.x_own_tweets").fetchone()
        quarantined = con.execute("select reason from raw._quarantine where entity = 'x_own_tweets'").fetchall()
    assert rows == (17, 17)
    assert [reason for (reason,) in quarantined] == ["missing required field pulled_at"]


# --- dbt: the X own-post models -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def x_own_models(tmp_path_factory, demo_landing):
    """The demo's X folder alone, ingested, and a dbt build of just the X own-post models and their parents."""
    import ingest
    from pipeline import dbt_build

    root = tmp_path_factory.mktemp("x_own")
    landing = root / "landing"
    shutil.copytree(demo_landing / "x", landing / "x")
    with pytest.MonkeyPatch.context() as monkeypatch:
        paths = paths_in(root, landing, monkeypatch)
        ingest.load_landing(paths.landing_dir, paths.warehouse_path)
        dbt_build.build(paths, select="+int_x__own_post_metrics +int_x__own_posts")
    return paths


def test_x_own_post_days_add_up_to_the_latest_pull(x_own_models, demo_landing):
    latest: dict[str, dict] = {}
    for tweet in pulled_tweets(demo_landing / "x" / "own_tweets"):
        if tweet["id"] not in latest or tweet["pulled_at"] > latest[tweet["id"]]["pulled_at"]:
            latest[tweet["id"]] = tweet
    with duckdb.connect(str(x_own_models.warehouse_path), read_only=True) as con:
        sums = con.execute(
            "select post_id, sum(impressions), sum(likes), sum(comments), sum(shares), sum(saves), sum(engagements),"
            " count(*), count(distinct metric_date) from intermediate.int_x__own_post_metrics group by post_id"
        ).fetchall()
        posts = con.execute(
            "select post_id, account_name, post_url, platform, source_system from intermediate.int_x__own_posts"
        ).fetchall()
    assert len(sums) == len(latest)
    for post_id, impressions, likes, comments, shares, saves, engagements, days, distinct_days in sums:
        metrics = latest[post_id]["public_metrics"]
        shared = metrics["retweet_count"] + metrics["quote_count"]
        assert (impressions, likes, comments, shares, saves) == (
            metrics["impression_count"], metrics["like_count"], metrics["reply_count"], shared,
            metrics["bookmark_count"],
        )  # fmt: skip
        assert engagements == likes + comments + shares + saves and days == distinct_days
    handles = {"1001": "acme", "1002": "acmehelp", "1003": "acme_billing", "1004": "acmedevs"}
    assert {post_id for post_id, *_ in posts} == set(latest)
    for post_id, account, url, platform, source in posts:
        assert account == handles[latest[post_id]["author_id"]] and (platform, source) == ("x", "x")
        assert url == f"https://x.com/{account}/status/{post_id}"


# --- dashboard ----------------------------------------------------------------------------------------------------

SOCIAL_TABLES = {
    "fct_social_posts": (
        "social_post_key varchar, source_system varchar, platform varchar, account_id varchar, account_name varchar,"
        " post_id varchar, published_at timestamp, post_text varchar, post_type varchar, post_url varchar,"
        " sentiment_label varchar, sentiment_score double, topic varchar, impressions bigint, reach bigint,"
        " engagements bigint, clicks bigint, video_views bigint, engagement_rate double"
    ),
    "agg_social_platform_monthly": (
        "platform varchar, month_start date, posts_published bigint, impressions bigint, reach bigint, likes bigint,"
        " comments bigint, shares bigint, saves bigint, engagements bigint, engagement_rate double, clicks bigint,"
        " video_views bigint"
    ),
}
POSTS = [
    ("linkedin_pages:1", "linkedin_pages", "linkedin", "Customer story: how Northwind scaled support " * 3,
     datetime(2026, 5, 3, 9), 1000, 90),
    ("x:2", "x", "x", "Join our webinar this Thursday", datetime(2026, 6, 1, 12), 4000, 40),
    ("facebook_pages:3", "facebook_pages", "facebook", "New release notes are out", datetime(2026, 6, 2, 8), 2000, 30),
]  # fmt: skip


def small_serving(path: Path, with_posts: bool) -> None:
    """Every mart the dashboard reads, empty (columns from the marts' contracts), then the social marts."""
    with duckdb.connect(str(path)) as con:
        for spec in MARTS.rglob("*.yml"):
            for model in yaml.safe_load(spec.read_text()).get("models", []):
                columns = ", ".join(f'"{c["name"]}" {c["data_type"]}' for c in model.get("columns", []))
                if columns and model["name"] not in SOCIAL_TABLES:
                    con.execute(f"create table {model['name']} ({columns})")
        for table, columns in SOCIAL_TABLES.items():
            con.execute(f"create table {table} ({columns})")
        con.execute("create table _publish_info as select 'r1' as release, now()::timestamp as published_at")
        if not with_posts:
            return
        for key, source, platform, text, at, impressions, engagements in POSTS:
            con.execute(
                "insert into fct_social_posts (social_post_key, source_system, platform, account_name, post_text,"
                " published_at, impressions, engagements, engagement_rate) values (?, ?, ?, 'acme', ?, ?, ?, ?, ?)",
                [key, source, platform, text, at, impressions, engagements, engagements / impressions],
            )
            con.execute(
                "insert into agg_social_platform_monthly (platform, month_start, posts_published, impressions,"
                " engagements, engagement_rate) values (?, ?, 1, ?, ?, ?)",
                [platform, date(at.year, at.month, 1), impressions, engagements, engagements / impressions],
            )


def page_of(tmp_path: Path, with_posts: bool, monkeypatch) -> tuple[str, dict]:
    from pipeline.outputs.dashboard import build

    paths = paths_in(tmp_path, tmp_path / "landing", monkeypatch)
    paths.serving_path.parent.mkdir(parents=True)
    small_serving(paths.serving_path, with_posts)
    report = build.build(paths)
    html = Path(report.page).read_text()
    figures = json.loads(html.split("const FIGURES = ", 1)[1].split(";\n", 1)[0])
    return html, figures


def test_dashboard_shows_own_content_from_the_social_marts(tmp_path, monkeypatch):
    from pipeline.outputs import own_content

    html, figures = page_of(tmp_path, True, monkeypatch)
    section = html.split('id="own-content"', 1)[1].split("</section>", 1)[0]
    assert "Own content" in section and own_content.NO_OWN_POSTS[:20] not in html
    everything = figures["all|all"]
    table = everything["own_top_posts"]["data"][0]["cells"]["values"]
    assert table[0] == ["LinkedIn", "X", "Facebook"]  # by engagements: 90, 40, 30
    assert table[2][0].endswith("…") and len(table[2][0]) <= own_content.SHORT_TEXT
    rates = everything["own_engagement_rate"]["data"][0]
    assert dict(zip(rates["x"], rates["y"], strict=True)) == {"Facebook": 0.015, "LinkedIn": 0.09, "X": 0.01}
    trend = {trace["name"]: trace["y"] for trace in everything["own_monthly_trend"]["data"]}
    assert trend == {"Facebook": [30], "LinkedIn": [90], "X": [40]}
    # Every period and segment choice carries the section's three figures (the serving file has no events, so
    # every period here is all months).
    assert all({"own_top_posts", "own_engagement_rate", "own_monthly_trend"} <= set(f) for f in figures.values())


def test_dashboard_says_so_in_one_sentence_without_own_posts(tmp_path, monkeypatch):
    from pipeline.outputs import absence, own_content

    html, figures = page_of(tmp_path, False, monkeypatch)
    section = html.split('id="own-content"', 1)[1].split("</section>", 1)[0]
    assert f'<p class="no-data">{absence.sentence(own_content.NO_OWN_POSTS)}.</p>' in section.replace("&#39;", "'")
    assert "own-chart" not in section and "own_top_posts" not in figures["all|all"]
