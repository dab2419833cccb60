"""Canny-style community idea pages (`posts[]`)."""

from __future__ import annotations

from ingest.entity import Entity, JsonRecords, typed, varchar

IDEA_COLUMNS = [
    *varchar("id", "title", "details", "status", "created"),
    *typed("BIGINT", "score", "commentCount"),
    *typed("JSON", "author", "board", "category", "tags"),
]

ENTITIES = (
    Entity(
        "community_ideas",
        ("community/ideas/*.jsonl",),
        IDEA_COLUMNS,
        JsonRecords(("posts",)),
        required=("id", "created"),
        event_time="created",
    ),
)
