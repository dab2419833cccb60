"""X API v2 pages: tweets and DM events (`data[]`) and the users both expand (`includes.users[]`)."""

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
USER_COLUMNS = [
    *varchar("id", "username", "name", "created_at"),
    ("verified", "BOOLEAN"),
    ("public_metrics", "JSON"),
]

TWEET_PAGES = "x/tweets/*.jsonl"
DM_PAGES = "x/dm_events/*.jsonl"

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
    Entity("x_users", (TWEET_PAGES, DM_PAGES), USER_COLUMNS, JsonRecords(("includes", "users")), required=("id",)),
)
