"""X API v2 pages: tweets and DM events (`data[]`) and the users both expand (`includes.users[]`); the brand's own
tweets from its timelines (`data[]`), one row per tweet per pull (`pulled_at`, added by extract/x_api.py)."""

from __future__ import annotations

from ingest.entity import Entity, JsonRecords, typed, varchar

TWEET_COLUMNS = [
    *varchar("id", "text", "author_id", "created_at", "conversation_id", "in_reply_to_user_id", "lang"),
    *typed("JSON", "referenced_tweets", "entities", "public_metrics"),
]
DM_EVENT_COLUMNS = [
    *varchar("id", "event_type", "text", "sender_id", "dm_conversation_id", "created_at"),
    *typed("JSON", "participant_ids"),
]
OWN_TWEET_COLUMNS = [
    *varchar("id", "text", "author_id", "created_at", "conversation_id", "lang", "pulled_at"),
    *typed("JSON", "referenced_tweets", "public_metrics"),
]
USER_COLUMNS = [
    *varchar("id", "username", "name", "created_at"),
    ("verified", "BOOLEAN"),
    ("public_metrics", "JSON"),
]

TWEET_PAGES = "x/tweets/*.jsonl"
DM_PAGES = "x/dm_events/*.jsonl"
OWN_TWEET_PAGES = "x/own_tweets/*.jsonl"

ENTITIES = (
    Entity(
        "x_tweets",
        (TWEET_PAGES,),
        TWEET_COLUMNS,
        JsonRecords(("data",)),
        required=("id", "author_id", "conversation_id", "created_at"),
        event_time="created_at",
    ),
    Entity(
        "x_dm_events",
        (DM_PAGES,),
        DM_EVENT_COLUMNS,
        JsonRecords(("data",)),
        required=("id", "sender_id", "dm_conversation_id", "created_at"),
        event_time="created_at",
    ),
    Entity(
        "x_own_tweets",
        (OWN_TWEET_PAGES,),
        OWN_TWEET_COLUMNS,
        JsonRecords(("data",)),
        required=("id", "author_id", "created_at", "pulled_at", "public_metrics"),
        # The pull is when the metrics were observed: freshness follows the pulls, not the brand's posting rhythm.
        event_time="pulled_at",
    ),
    Entity("x_users", (TWEET_PAGES, DM_PAGES), USER_COLUMNS, JsonRecords(("includes", "users")), required=("id",)),
)
